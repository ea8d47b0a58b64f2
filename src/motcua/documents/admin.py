"""Admin: look, do not touch. Files are written only by ``services``; issued documents never change here
(revocation goes through ``services.revoke_document`` so the reason is recorded)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from motcua.documents.models import IssuedDocument, StoredDocument, StoredFile


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "kind", "content_type", "size", "owner", "created_at")
    list_filter = ("kind", "content_type")
    search_fields = ("original_name", "sha256", "owner__username")
    date_hierarchy = "created_at"


@admin.register(StoredDocument)
class StoredDocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "document_type", "source", "source_code", "owner", "created_at")
    list_filter = ("source",)
    search_fields = ("title", "document_type", "source_code", "owner__username")
    raw_id_fields = ("owner", "stored_file")


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "title", "issuer_name", "issued_at", "revoked_at")
    list_filter = ("kind",)
    search_fields = ("code", "title", "issuer_name")
    date_hierarchy = "issued_at"
