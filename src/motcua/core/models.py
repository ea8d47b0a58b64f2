"""Shared models: the transactional outbox and the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class OutboxMessage(models.Model):
    """A side effect to deliver after the transaction that created it commits (transactional outbox).

    Written in the same transaction as the change that causes it, so a crash cannot lose it or send
    it for a change that rolled back. ``integrations`` delivers pending messages and records attempts.
    """

    topic = models.CharField(max_length=100, db_index=True)
    key = models.CharField(max_length=200, help_text="Aggregate id, e.g. the dossier id.")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    available_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivered_at", "available_at"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.topic}:{self.key}"


def enqueue(topic: str, key: str, payload: dict[str, Any]) -> OutboxMessage:
    """Record a side effect; call inside the transaction of the change that causes it."""
    return OutboxMessage.objects.create(topic=topic, key=key, payload=payload)


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    """Bulk ``update``/``delete`` are refused too: the audit log is evidence, never rewritten."""

    def update(self, **kwargs: Any) -> int:
        raise RuntimeError("AuditEntry is append-only: entries are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise RuntimeError("AuditEntry is append-only: entries are never deleted")


class AuditEntry(models.Model):
    """One read or action in the audit log (nhật ký truy cập và thao tác): who, when, from where, on what.

    Dossier transitions are not copied here: their ``DossierEvent`` rows are the record, and the audit
    page shows both. ``actor_label`` keeps the username as it was at the time; ``agency`` is the agency
    the officer acted for (for a dossier: its competent agency), empty for a sign-in. ``detail`` never
    holds personal data (no names, identity numbers, phones, addresses). Rows are never updated or
    deleted (on PostgreSQL a trigger refuses it as well).
    """

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=80, blank=True, help_text="For a dossier: its code.")
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["agency", "-at"], name="audit_agency_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
            models.Index(fields=["object_label", "-at"], name="audit_object_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("AuditEntry is append-only: entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("AuditEntry is append-only: entries are never deleted")
