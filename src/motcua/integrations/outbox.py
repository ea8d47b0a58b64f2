"""The outbox dispatcher: delivers side effects recorded by domain transactions, at least once.

Messages are claimed in id order (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers
share the queue; SQLite serialises writers anyway). A handler that raises leaves the message pending with
its error and an exponential back-off; a crash between the send and the commit re-sends it (handlers are
idempotent or tolerate a duplicate notification). Topics without a handler stay pending for the adapter
that will deliver them (e.g. the national portal sync) — nothing is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction

from motcua.core import outbox_topics
from motcua.core.clock import now
from motcua.core.models import OutboxMessage
from motcua.integrations.notifications import handlers as notification_handlers

log = logging.getLogger(__name__)

Handler = Callable[[OutboxMessage], None]

HANDLERS: dict[str, Handler] = {
    outbox_topics.NOTIFY_RECEIPT: notification_handlers.send_receipt,
    outbox_topics.DOSSIER_STATUS_CHANGED: notification_handlers.send_status_change,
    outbox_topics.NOTIFY_DEADLINE_WATCH: notification_handlers.send_deadline_watch,
}
MAX_BACKOFF = timedelta(hours=1)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=30 * 2 ** min(attempts, 10)), MAX_BACKOFF)


def deliver_pending(*, limit: int = 100, topics: list[str] | None = None) -> DeliveryReport:
    """Deliver up to ``limit`` due messages of the topics we have handlers for; one transaction each."""
    report = DeliveryReport()
    wanted = topics or list(HANDLERS)
    for _ in range(limit):
        with transaction.atomic():
            pending = OutboxMessage.objects.filter(
                delivered_at__isnull=True, available_at__lte=now(), topic__in=wanted
            ).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            message = pending.first()
            if message is None:
                break
            try:
                with transaction.atomic():
                    HANDLERS[message.topic](message)
            except Exception as error:
                message.attempts += 1
                message.last_error = f"{type(error).__name__}: {error}"[:2000]
                message.available_at = now() + _backoff(message.attempts)
                message.save(update_fields=["attempts", "last_error", "available_at"])
                log.warning(
                    "outbox message %s (%s) failed, attempt %s", message.id, message.topic, message.attempts
                )
                report.failed += 1
                continue
            message.attempts += 1
            message.delivered_at = now()
            message.save(update_fields=["attempts", "delivered_at"])
            report.delivered += 1
    return report
