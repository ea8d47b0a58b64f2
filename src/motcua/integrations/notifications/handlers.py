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


def _officer_link(name: str, fallback: str, **kwargs: str) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return _link(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return _link(fallback)


def send_deadline_watch(message: OutboxMessage) -> None:
    """The daily deadline-watch notice to one officer (``dossiers.watch.notify_at_risk``): the dossiers of
    theirs that are overdue or due within one working day without an apology yet. No e-mail address, no mail."""
    from datetime import datetime

    from motcua.accounts.models import User

    officer = User.objects.filter(pk=message.payload["officer_id"], is_active=True).first()
    if officer is None:
        return
    address = officer.email or (officer.username if "@" in officer.username else "")
    if not address:
        return
    day = message.payload["day"]
    shown_day = f"{day[8:10]}/{day[5:7]}/{day[0:4]}"
    labels = {
        "overdue": ("QUÁ HẠN", "overdue"),
        "due_today": ("đến hạn hôm nay", "due today"),
        "due_soon": ("đến hạn ngày làm việc tiếp theo", "due next working day"),
    }
    lines = []
    for item in message.payload["dossiers"]:
        due = to_vn(datetime.fromisoformat(item["due_at"])).strftime("%d/%m/%Y %H:%M")
        vi, en = labels.get(item["mark"], (item["mark"], item["mark"]))
        link = _officer_link("backoffice:workspace", "/nghiep-vu/", code=item["code"])
        lines.append(f"- {item['code']} ({item['procedure']}): {vi} / {en}, hạn / due {due} — {link}")
    total = int(message.payload["total"])
    if total > len(lines):
        lines.append(f"… và {total - len(lines)} hồ sơ khác / and {total - len(lines)} more")
    body = (
        f"Kính gửi {officer.full_name or officer.username},\n\n"
        "Các hồ sơ dưới đây đã quá hạn hoặc đến hạn trong 1 ngày làm việc mà chưa có văn bản xin lỗi, "
        "gia hạn (Mẫu 04):\n"
        "The dossiers below are overdue, or due within one working day with no apology and extension "
        "(Form 04) yet:\n\n"
    )
    body += "\n".join(lines)
    body += (
        "\n\nTheo dõi hạn giải quyết / deadline watch: "
        f"{_officer_link('backoffice:deadline_watch', '/nghiep-vu/')}\n"
    )
    send_mail(
        subject=(
            f"[motcua] {total} hồ sơ cần chú ý về thời hạn ngày {shown_day} / "
            f"{total} dossier(s) at risk of being late"
        ),
        message=body,
        from_email=None,
        recipient_list=[address],
    )
