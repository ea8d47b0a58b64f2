"""Citizen accounts: registration with an e-mail address or a phone number and a password."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from motcua.accounts.identifiers import parse_login
from motcua.accounts.models import User, UserKind
from motcua.accounts.validators import validate_citizen_id
from motcua.core.errors import DomainError

_PASSWORD_MESSAGES = {
    "password_too_short": (
        "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.",
        "The password is too short: use at least 8 characters.",
    ),
    "password_too_common": (
        "Mật khẩu quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.",
        "The password is too common and easy to guess; choose another one.",
    ),
    "password_entirely_numeric": (
        "Mật khẩu không được chỉ gồm chữ số; hãy thêm chữ cái.",
        "The password cannot be only digits; add some letters.",
    ),
    "password_too_similar": (
        "Mật khẩu quá giống thông tin tài khoản; hãy chọn mật khẩu khác.",
        "The password is too similar to your account details; choose another one.",
    ),
}


def check_password_strength(password: str, *, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        code = next((e.code for e in error.error_list if e.code in _PASSWORD_MESSAGES), "password_too_short")
        vi, en = _PASSWORD_MESSAGES[code or "password_too_short"]
        raise DomainError("weak_password", vi, en, field="password") from error


@transaction.atomic
def register_citizen(
    *, login: str, password: str, full_name: str, citizen_id_number: str = "", phone: str = ""
) -> User:
    """Create a citizen account. ``login`` is an e-mail address or a phone number and becomes the username."""
    kind, username = parse_login(login)
    name = " ".join(full_name.split())
    if not name or len(name) > 200:
        raise DomainError(
            "full_name_required",
            "Vui lòng nhập họ và tên (tối đa 200 ký tự).",
            "Please enter your full name (at most 200 characters).",
            field="full_name",
        )
    id_number = validate_citizen_id(citizen_id_number) if citizen_id_number.strip() else ""
    candidate = User(username=username, full_name=name, kind=UserKind.CITIZEN)
    check_password_strength(password, user=candidate)
    if User.objects.filter(username=username).exists():
        raise DomainError(
            "login_taken",
            "Đã có tài khoản với thông tin này. Hãy đăng nhập, hoặc dùng chức năng quên mật khẩu.",
            "An account already exists with this address or number. Sign in instead.",
            field="login",
        )
    user = User(
        username=username,
        full_name=name,
        kind=UserKind.CITIZEN,
        email=username if kind == "email" else "",
        phone=username if kind == "phone" else phone.strip(),
        citizen_id_number=id_number,
    )
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # a concurrent registration won the race
        raise DomainError(
            "login_taken",
            "Đã có tài khoản với thông tin này. Hãy đăng nhập.",
            "An account already exists with this address or number. Sign in instead.",
            field="login",
        ) from error
    return user
