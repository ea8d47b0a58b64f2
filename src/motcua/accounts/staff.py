"""Second factor for staff sign-in (xác thực 2 bước): a time-based one-time code (TOTP, RFC 6238) from an
authenticator app, kept as django-otp's ``TOTPDevice``.

Enrolment: ``enrol_totp`` makes an unconfirmed device (its secret shown once as a QR code and as text);
``confirm_totp`` confirms it with a first code. Sign-in: ``check_totp`` / ``verify_totp``. A code is good
once (django-otp keeps the last time step used, so a replayed code is refused) and wrong codes slow the
next attempts down exponentially (django-otp throttling: 1, 2, 4, 8… seconds). ``reset_totp`` removes a
person's devices so they enrol again (a lost phone); another person with the right to do it must ask.
"""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.accounts.models import Membership, Role, User
from motcua.accounts.selectors import has_role_over
from motcua.core import audit
from motcua.core.clock import now
from motcua.core.errors import DomainError, NotFound, PermissionDenied

DEVICE_NAME = "Ứng dụng xác thực"
DEFAULT_ISSUER = "motcua"
#: Who may reset another officer's second factor besides a superuser: a leader over all their agencies.
RESET_ROLES = {Role.AGENCY_LEADER, Role.CENTRE_DIRECTOR}
_CODE = re.compile(r"^\d{6}$")


def issuer() -> str:
    return str(getattr(settings, "OTP_TOTP_ISSUER", "") or DEFAULT_ISSUER).replace(":", "")


def totp_device(user: User, *, confirmed: bool | None = True) -> Any:
    """The person's TOTP device (the newest), confirmed or not as asked; None when there is none."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def secret_of(device: Any) -> str:
    """The secret in base32, in groups of four, for typing into an app that cannot scan the QR code."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def otpauth_uri(device: Any) -> str:
    """The ``otpauth://totp/…`` address an authenticator app scans (Key Uri Format)."""
    issuer_name = issuer()
    label = f"{issuer_name}:{device.user.get_username()}"
    params = {
        "secret": b32encode(device.bin_key).decode().rstrip("="),
        "issuer": issuer_name,
        "algorithm": "SHA1",
        "digits": device.digits,
        "period": device.step,
    }
    return f"otpauth://totp/{quote(label)}?{urlencode(params, quote_via=quote)}"


def qr_svg(uri: str, *, title: str = "Mã QR để thêm vào ứng dụng xác thực") -> str:
    """The QR code of ``uri`` as inline SVG (no external request, prints and zooms cleanly)."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, border=4, title=title, svgclass="qr"))


def enrol_totp(user: User) -> tuple[Any, str]:
    """An unconfirmed TOTP device for ``user`` and its ``otpauth://`` URI.

    Reloading the enrolment page shows the same secret (the unconfirmed device is reused). Refused when
    the person already has a confirmed device: it must be reset first.
    """
    if has_totp(user):
        raise DomainError(
            "otp_already_enrolled",
            "Tài khoản đã có ứng dụng xác thực. Muốn đổi điện thoại, hãy đề nghị lãnh đạo đặt lại.",
            "This account already has an authenticator app. To change phones, ask a leader to reset it.",
        )
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device, otpauth_uri(device)


def normalise_code(raw: str) -> str:
    """``"123 456"`` → ``"123456"``; anything but six digits is refused before any device is tried."""
    code = re.sub(r"[\s-]", "", raw or "")
    if not _CODE.match(code):
        raise DomainError(
            "otp_code_format",
            "Vui lòng nhập mã gồm 6 chữ số đang hiện trên ứng dụng xác thực.",
            "Enter the 6-digit code your authenticator app shows now.",
            field="code",
        )
    return code


def wait_seconds(device: Any) -> int:
    """Seconds to wait before the next attempt after wrong codes (0: may try now)."""
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, int((data["locked_until"] - now()).total_seconds() + 0.999))


def _throttled(seconds: int) -> DomainError:
    return DomainError(
        "otp_throttled",
        f"Bạn đã nhập sai mã nhiều lần. Vui lòng đợi {seconds} giây rồi thử lại.",
        f"Too many wrong codes. Wait {seconds} seconds and try again.",
        field="code",
        status=429,
    )


def _check(user: User, device: Any, token: str) -> Any:
    code = normalise_code(token)
    seconds = wait_seconds(device)
    if seconds:
        raise _throttled(seconds)
    return verify_token(user, device.persistent_id, code)


def check_totp(user: User, token: str) -> Any:
    """The confirmed device that accepts ``token`` now, or None (wrong, expired or already used code).

    Raises ``DomainError`` when the code is not six digits (``otp_code_format``), when the person has
    no device (``otp_not_enrolled``) or must wait after wrong codes (``otp_throttled``, status 429).
    """
    device = totp_device(user)
    if device is None:
        raise DomainError(
            "otp_not_enrolled",
            "Tài khoản chưa đăng ký ứng dụng xác thực.",
            "This account has no authenticator app yet.",
            field="code",
        )
    return _check(user, device, token)


def verify_totp(user: User, token: str) -> bool:
    """True when ``token`` is a valid, unused code of the person's confirmed device."""
    try:
        return check_totp(user, token) is not None
    except DomainError:
        return False


def confirm_totp(user: User, token: str) -> Any:
    """Confirm the enrolment with a first code from the app; returns the device, now confirmed.

    Raises ``DomainError`` ``otp_invalid`` for a wrong code (and the errors of ``check_totp``).
    """
    device = totp_device(user, confirmed=False)
    if device is None:
        raise DomainError(
            "otp_not_enrolling",
            "Không có đăng ký ứng dụng xác thực nào đang chờ xác nhận. Vui lòng tải lại trang.",
            "No authenticator enrolment is waiting for confirmation. Reload the page.",
            field="code",
        )
    verified = _check(user, device, token)  # its own transaction: a wrong code's throttling stays
    if verified is None:
        raise DomainError(
            "otp_invalid",
            "Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã đang hiện trên ứng dụng.",
            "The code is wrong or has expired. Enter the code the app shows now.",
            field="code",
        )
    with transaction.atomic():
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=verified.pk).delete()
    return verified


def may_reset(by: User, user: User) -> bool:
    """A superuser, or a leader (agency leader, centre director) over every agency of ``user``."""
    if not by.is_authenticated or by.pk == user.pk:
        return False
    if by.is_superuser:
        return True
    agencies = [m.agency for m in Membership.objects.filter(user=user).select_related("agency")]
    return bool(agencies) and all(has_role_over(by, agency, RESET_ROLES) for agency in agencies)


def reset_totp(user: User, *, by: User, request: HttpRequest | None = None) -> int:
    """Remove the person's authenticator devices (a lost or changed phone): they enrol again at their
    next sign-in, and every session they verified with the old device stops being verified.
    Returns how many devices were removed; the reset is in the audit log."""
    if by.pk == user.pk:
        raise PermissionDenied(
            "otp_reset_self",
            "Không thể tự đặt lại xác thực 2 bước của chính mình; hãy đề nghị người có thẩm quyền.",
            "You cannot reset your own second factor; ask someone entitled to do it.",
        )
    if not may_reset(by, user):
        raise NotFound(
            "officer_not_found",
            "Không tìm thấy cán bộ này trong phạm vi bạn quản lý.",
            "No such officer within what you manage.",
        )
    with transaction.atomic():
        removed, _ = TOTPDevice.objects.filter(user=user).delete()
        audit.record(
            request,
            action=audit.AuditAction.OTP_RESET,
            actor=by,
            obj=user,
            object_label=user.get_username(),
            detail={"devices_removed": removed},
        )
    return int(removed)


def officer_ids_within(paths: list[str]) -> QuerySet[Membership, Any]:
    """The ids of the officers holding a role in one of the agency subtrees ``paths`` (a subquery)."""
    if not paths:
        return Membership.objects.none().values("user_id")
    within = Q()
    for path in paths:
        within |= Q(agency__path__startswith=path)
    return Membership.objects.filter(within).values("user_id")
