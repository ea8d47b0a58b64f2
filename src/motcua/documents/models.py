"""Stored files, the citizen's data store and issued (signed) documents.

Rows are written only by ``services``; ``selectors`` read them with their ownership checks.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class FileKind(models.TextChoices):
    UPLOAD = "upload", "Tải lên / upload"
    SCAN = "scan", "Số hoá tại quầy / scanned at the counter"
    ISSUED = "issued", "Do hệ thống cấp / issued by the system"


class StoredFile(models.Model):
    """A file we hold. Its bytes live at ``FILE_STORAGE_DIR / storage_key``, never in a served folder.

    ``token`` is the only identifier that appears in URLs; the database id never does. The content type
    was detected from the bytes, not taken from the client.
    """

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stored_files",
        help_text="Empty for files the system issued to nobody in particular.",
    )
    kind = models.CharField(max_length=10, choices=FileKind.choices)
    original_name = models.CharField(max_length=200, help_text="Sanitised name shown on download.")
    content_type = models.CharField(max_length=50, help_text="Detected from the content.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    storage_key = models.CharField(max_length=100, unique=True, help_text="Path under FILE_STORAGE_DIR.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "created_at"], name="storedfile_owner_idx")]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.token})"


class DocumentSource(models.TextChoices):
    UPLOAD = "upload", "Công dân tải lên / uploaded by the citizen"
    RESULT = "result", "Kết quả giải quyết TTHC / result of a procedure"
    DIGITIZED = "digitized", "Số hoá từ giấy / digitized from paper"


class StoredDocument(models.Model):
    """An entry of the citizen's electronic data store (Kho quản lý dữ liệu điện tử của tổ chức, cá nhân).

    Circular 01/2023/TT-VPCP Art 24; contents per Decree 45/2020 Art 16(3) (spec §3.2). A paper kept
    here can be reused in a later dossier instead of being asked for again.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stored_documents"
    )
    title = models.CharField(max_length=300)
    document_type = models.CharField(
        max_length=100, blank=True, help_text='Free key of the kind of paper, e.g. "giay_khai_sinh".'
    )
    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="store_entries")
    source = models.CharField(max_length=10, choices=DocumentSource.choices)
    source_code = models.CharField(
        max_length=100, blank=True, help_text="Where it came from, e.g. the result code <dossier>-KQ1."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "source", "source_code"],
                condition=~models.Q(source_code=""),
                name="storeddocument_unique_source",
            )
        ]
        indexes = [models.Index(fields=["owner", "document_type"], name="storeddoc_owner_type_idx")]

    def __str__(self) -> str:
        return self.title


class IssuedKind(models.TextChoices):
    RESULT = "result", "Kết quả giải quyết / result"
    RECEIPT = "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả / receipt"
    NOTICE = "notice", "Thông báo, phiếu / notice"


class IssuedDocument(models.Model):
    """A PDF we rendered, signed and handed out, verifiable by ``code`` at ``/xac-thuc/<code>/``.

    ``sha256`` is the digest of the signed PDF: a file presented for verification is ours only if its
    digest matches and its signature is valid. A revoked document keeps its row (and file) for lookup.
    """

    code = models.CharField(max_length=100, unique=True, help_text="<dossier code>-KQ1, <dossier code>-TN…")
    kind = models.CharField(max_length=10, choices=IssuedKind.choices)
    title = models.CharField(max_length=300)
    stored_file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="issued")
    sha256 = models.CharField(max_length=64)
    issued_at = models.DateTimeField()
    issuer_name = models.CharField(max_length=300)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
