"""Shared models: the transactional outbox."""

from __future__ import annotations

from typing import Any

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
