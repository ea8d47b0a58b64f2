"""The outbox dispatcher (``integrations.outbox``) and the notification handlers behind it.

Dossiers are filed through the real services, and the receipt message is written as
``dossiers.drafts.submit_draft`` writes it (its tests pin that row); e-mails go to Django's in-memory backend.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from motcua.core import outbox_topics
from motcua.core.clock import now
from motcua.core.models import OutboxMessage, enqueue
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import Cast, build_cast, vn
from motcua.integrations import outbox
from motcua.integrations.notifications import handlers

ID_NUMBER = "036188012345"


@pytest.fixture(autouse=True)
def mail_settings(settings: Any, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"
    settings.VAR_DIR = tmp_path / "var"
    settings.FILE_STORAGE_DIR = tmp_path / "var" / "files"


@pytest.fixture
def cast(demo_world: Any) -> Cast:
    return build_cast(demo_world)


def _filed(cast: Cast, email: str = "thutrang.pham@example.vn") -> Dossier:
    """An online dossier with an e-mail address and its receipt message, as ``submit_draft`` leaves it."""
    dossier = services.submit(
        actor=cast.citizen,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        channel="online",
        applicant=services.Applicant(
            "Phạm Thị Thu Trang", ID_NUMBER, "0977123456", email, "Số 12 phố Lương Văn Tụy"
        ),
        at=vn(2026, 3, 2, 9, 0),
    )
    enqueue(outbox_topics.NOTIFY_RECEIPT, str(dossier.code), {"dossier_id": dossier.id, "code": dossier.code})
    return dossier


def _pending(topic: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(topic=topic, delivered_at__isnull=True))


def test_the_receipt_e_mail_carries_the_code_and_no_id_number(cast: Cast) -> None:
    dossier = _filed(cast)
    report = outbox.deliver_pending()
    assert report.failed == 0
    assert report.delivered >= 1
    receipts = [m for m in mail.outbox if str(dossier.code) in str(m.subject)]
    assert len(receipts) == 1
    sent = receipts[0]
    assert sent.to == [dossier.applicant_email]
    assert str(dossier.code) in sent.body
    assert f"/ho-so-cua-toi/{dossier.code}/" in sent.body
    assert dossier.receiving_agency.name in sent.body
    for personal in (ID_NUMBER, dossier.applicant_phone, dossier.applicant_address):
        assert personal not in sent.body
        assert personal not in sent.subject
    message = OutboxMessage.objects.get(topic=outbox_topics.NOTIFY_RECEIPT)
    assert message.delivered_at is not None
    assert message.attempts == 1
    assert message.last_error == ""


def test_no_e_mail_without_an_address_but_the_message_is_done(cast: Cast) -> None:
    _filed(cast, email="")
    outbox.deliver_pending()
    assert mail.outbox == []
    assert _pending(outbox_topics.NOTIFY_RECEIPT) == []


def test_status_changes_the_citizen_cares_about_are_e_mailed(cast: Cast) -> None:
    dossier = _filed(cast)
    outbox.deliver_pending()
    mail.outbox.clear()
    dossier = services.request_supplement(
        dossier,
        actor=cast.counter,
        missing=[{"document": "Giấy tờ chứng minh chỗ ở", "reason": "Ảnh mờ"}],
        at=vn(2026, 3, 2, 10, 0),
    )
    outbox.deliver_pending()
    assert [m.to for m in mail.outbox] == [[dossier.applicant_email]]
    assert str(dossier.code) in str(mail.outbox[0].subject)
    assert ID_NUMBER not in mail.outbox[0].body
    assert _pending(outbox_topics.DOSSIER_STATUS_CHANGED) == []  # every status change was handled


def test_a_failing_handler_leaves_the_message_pending_with_its_error_and_a_back_off(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    dossier = _filed(cast)

    def broken(message: OutboxMessage) -> None:
        raise ConnectionError("SMTP server unreachable")

    monkeypatch.setitem(outbox.HANDLERS, outbox_topics.NOTIFY_RECEIPT, broken)
    before = now()
    report = outbox.deliver_pending(topics=[outbox_topics.NOTIFY_RECEIPT])
    after = now()
    assert (report.delivered, report.failed) == (0, 1)
    message = OutboxMessage.objects.get(topic=outbox_topics.NOTIFY_RECEIPT)
    assert message.delivered_at is None
    assert message.attempts == 1
    assert "ConnectionError" in message.last_error
    assert "SMTP server unreachable" in message.last_error
    first_wait = message.available_at - before
    assert first_wait >= timedelta(seconds=30)  # not retried at once
    assert message.available_at <= after + outbox.MAX_BACKOFF

    # not due yet: a second run leaves it alone
    report = outbox.deliver_pending(topics=[outbox_topics.NOTIFY_RECEIPT])
    assert (report.delivered, report.failed) == (0, 0)
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1

    # due again and still failing: the wait grows, never beyond the maximum
    waits = [first_wait]
    for attempt in range(2, 14):
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=now() - timedelta(seconds=1))
        start = now()
        outbox.deliver_pending(topics=[outbox_topics.NOTIFY_RECEIPT])
        message.refresh_from_db()
        assert message.attempts == attempt
        waits.append(message.available_at - start)
    seconds = [round(w.total_seconds()) for w in waits]  # run time aside
    assert seconds == sorted(seconds)
    assert waits[-1] <= outbox.MAX_BACKOFF + timedelta(seconds=5)
    assert waits[-1] > waits[0]

    # the handler works again: delivered, with the real handler, once
    monkeypatch.setitem(outbox.HANDLERS, outbox_topics.NOTIFY_RECEIPT, handlers.send_receipt)
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=now() - timedelta(seconds=1))
    report = outbox.deliver_pending(topics=[outbox_topics.NOTIFY_RECEIPT])
    assert report.delivered == 1
    message.refresh_from_db()
    assert message.delivered_at is not None
    assert [m for m in mail.outbox if str(dossier.code) in str(m.subject)]


def test_a_failing_message_does_not_hold_up_the_others(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _filed(cast), _filed(cast, email="an.nguyen@example.vn")
    real = handlers.send_receipt

    def fails_for_first(message: OutboxMessage) -> None:
        if message.payload["dossier_id"] == first.id:
            raise RuntimeError("mailbox full")
        real(message)

    monkeypatch.setitem(outbox.HANDLERS, outbox_topics.NOTIFY_RECEIPT, fails_for_first)
    report = outbox.deliver_pending(topics=[outbox_topics.NOTIFY_RECEIPT])
    assert (report.delivered, report.failed) == (1, 1)
    assert [m.to for m in mail.outbox] == [["an.nguyen@example.vn"]]
    assert [m.payload["dossier_id"] for m in _pending(outbox_topics.NOTIFY_RECEIPT)] == [first.id]
    assert str(second.code) in str(mail.outbox[0].subject)


def test_topics_without_a_handler_are_left_untouched(cast: Cast) -> None:
    assert outbox_topics.DOSSIER_EVALUATED not in outbox.HANDLERS
    waiting = [
        enqueue(outbox_topics.DOSSIER_EVALUATED, "1", {"dossier_id": 1}),
        enqueue("national_portal.sync", "2", {"dossier_id": 2}),
    ]
    _filed(cast)
    outbox.deliver_pending()
    for message in waiting:
        fresh = OutboxMessage.objects.get(pk=message.pk)
        assert (fresh.delivered_at, fresh.attempts, fresh.last_error) == (None, 0, "")
        assert fresh.available_at == message.available_at


def test_each_message_is_delivered_once(cast: Cast) -> None:
    dossiers = [_filed(cast, email=f"nguoi{i}@example.vn") for i in range(3)]
    first = outbox.deliver_pending()
    sent = len(mail.outbox)
    assert sent == len(dossiers)  # one receipt each; the submissions are not status e-mails
    second = outbox.deliver_pending()
    assert second.delivered == 0
    assert len(mail.outbox) == sent
    assert first.delivered == OutboxMessage.objects.filter(delivered_at__isnull=False).count()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.applicant_email for d in dossiers)
    assert all(m.attempts == 1 for m in OutboxMessage.objects.filter(delivered_at__isnull=False))


def test_deliver_pending_stops_at_its_limit(cast: Cast) -> None:
    for i in range(3):
        _filed(cast, email=f"nguoi{i}@example.vn")
    report = outbox.deliver_pending(limit=2, topics=[outbox_topics.NOTIFY_RECEIPT])
    assert report.delivered == 2
    assert len(_pending(outbox_topics.NOTIFY_RECEIPT)) == 1
    assert len(mail.outbox) == 2
