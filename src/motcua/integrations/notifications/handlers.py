"""Notifications to applicants, by e-mail (Django's mail backend: SMTP in production, console in development).

Texts are in Vietnamese then English and carry no more personal data than the addressee already has:
the dossier code, the procedure, dates and a link. SMS/Zalo adapters (integrations.md §4) are not built yet.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail

from motcua.core.clock import now, to_vn
from motcua.core.models import OutboxMessage
from motcua.dossiers.citizen import plain_status
from motcua.dossiers.constants import Status
from motcua.dossiers.deadlines import expected_due
from motcua.dossiers.models import Dossier

# Status changes a citizen is told about (the others are internal steps).
NOTIFIED = {
    Status.ACCEPTED,
    Status.REJECTED,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_PAYMENT,
    Status.EXTENSION_REQUESTED,
    Status.REFUSED,
    Status.STOPPED,
    Status.RESOLVED,
    Status.RETURNED,
}


def _link(path: str) -> str:
    return f"{str(settings.PUBLIC_BASE_URL).rstrip('/')}{path}"


def send_receipt(message: OutboxMessage) -> None:
    dossier = Dossier.objects.select_related("procedure", "receiving_agency").get(
        pk=message.payload["dossier_id"]
    )
    if not dossier.applicant_email:
        return
    due = dossier.due_at or expected_due(
        dossier.procedure, dossier.channel, dossier.system_received_at or now()
    )
    due_text = to_vn(due).strftime("%d/%m/%Y") if due else "—"
    send_mail(
        subject=f"[motcua] Đã nhận hồ sơ {dossier.code} / Dossier {dossier.code} received",
        message=(
            f"{dossier.receiving_agency.name} đã nhận hồ sơ của bạn.\n"
            f"Mã hồ sơ: {dossier.code}\nThủ tục: {dossier.procedure.name}\n"
            f"Ngày hẹn trả dự kiến: {due_text} (tính từ khi hồ sơ được tiếp nhận đầy đủ)\n"
            f"Giấy tiếp nhận và theo dõi hồ sơ: {_link(f'/ho-so-cua-toi/{dossier.code}/')}\n\n"
            f"Your dossier was received. Code: {dossier.code}. Expected return date: {due_text}.\n"
            f"Track it: {_link(f'/tra-cuu/?ma={dossier.code}')}\n"
        ),
        from_email=None,
        recipient_list=[dossier.applicant_email],
    )


def send_status_change(message: OutboxMessage) -> None:
    if message.payload.get("to") not in NOTIFIED:
        return
    dossier = Dossier.objects.select_related("procedure").get(pk=message.payload["dossier_id"])
    if not dossier.applicant_email:
        return
    status = Status(message.payload["to"])
    send_mail(
        subject=f"[motcua] Hồ sơ {dossier.code}: {plain_status(status)}",
        message=(
            f"Hồ sơ {dossier.code} ({dossier.procedure.name}): {plain_status(status)}.\n"
            f"Xem chi tiết: {_link(f'/ho-so-cua-toi/{dossier.code}/')}\n\n"
            f"Dossier {dossier.code}: {status.label.split(' / ')[-1]}.\n"
        ),
        from_email=None,
        recipient_list=[dossier.applicant_email],
    )
