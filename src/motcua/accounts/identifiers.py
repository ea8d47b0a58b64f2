"""How people name themselves when they sign in: an e-mail address or a Vietnamese phone number."""

from __future__ import annotations

import re

from motcua.core.errors import DomainError

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^0\d{9,10}$")


_PHONE_LIKE = re.compile(r"^\+?[\d\s.()-]+$")


def normalise_login(value: str) -> str:
    """Lower-case e-mail; phone without spaces, dots or dashes and with +84 written as 0; anything else
    (an officer's username such as ``motcua.tinh``) as typed, trimmed."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    if not _PHONE_LIKE.match(value):
        return value
    digits = re.sub(r"[\s.()-]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits


def parse_login(value: str, *, field: str = "login") -> tuple[str, str]:
    """Return ``(kind, normalised)`` with kind ``email`` or ``phone``; refuse anything else."""
    normalised = normalise_login(value)
    if not normalised:
        raise DomainError(
            "login_required",
            "Vui lòng nhập địa chỉ thư điện tử hoặc số điện thoại.",
            "Please enter your e-mail address or phone number.",
            field=field,
        )
    if "@" in normalised:
        if not _EMAIL.match(normalised) or len(normalised) > 150:
            raise DomainError(
                "invalid_email",
                "Địa chỉ thư điện tử không hợp lệ (ví dụ ten@example.vn).",
                "The e-mail address is not valid (e.g. name@example.vn).",
                field=field,
            )
        return "email", normalised
    if not _PHONE.match(normalised):
        raise DomainError(
            "invalid_phone",
            "Số điện thoại không hợp lệ: nhập 10 chữ số, ví dụ 0912345678.",
            "The phone number is not valid: enter 10 digits, e.g. 0912345678.",
            field=field,
        )
    return "phone", normalised
