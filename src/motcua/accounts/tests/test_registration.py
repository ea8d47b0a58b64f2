"""Citizen accounts: registering with an e-mail or a phone number, signing in with either spelling, and the
sign-in page's protections (lockout after repeated failures, CSRF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import get_default_password_validators
from django.test import Client, RequestFactory

from motcua.accounts.backends import EmailOrPhoneBackend
from motcua.accounts.models import User, UserKind
from motcua.accounts.services import register_citizen
from motcua.core.errors import DomainError

pytestmark = pytest.mark.django_db

PASSWORD = "xuan-ha-thu-dong-2026"
LOGIN_URL = "/dang-nhap/"
ID_NUMBER = "037090001234"


@pytest.fixture(autouse=True)
def static_root(settings: Any, tmp_path: Path) -> None:
    settings.STATIC_ROOT = tmp_path  # an existing folder: the pages are served without collected files


def _register(**overrides: str) -> User:
    values = {"login": "an.nguyen@example.vn", "password": PASSWORD, "full_name": "Nguyễn Văn An"}
    values.update(overrides)
    return register_citizen(**values)


def _refused(**overrides: str) -> DomainError:
    before = User.objects.count()
    with pytest.raises(DomainError) as caught:
        _register(**overrides)
    assert User.objects.count() == before  # nothing half-created
    error = caught.value
    assert error.message_vi.strip()
    assert error.message_en.strip()
    assert error.message_vi != error.message_en
    return error


# --- register_citizen -----------------------------------------------------------------------------------


def test_register_with_an_e_mail_address() -> None:
    user = _register(
        login="  AN.Nguyen@Example.VN ", full_name="  Nguyễn   Văn  An ", citizen_id_number=ID_NUMBER
    )
    user.refresh_from_db()
    assert user.username == "an.nguyen@example.vn"
    assert user.email == "an.nguyen@example.vn"
    assert user.phone == ""
    assert user.full_name == "Nguyễn Văn An"
    assert user.kind == UserKind.CITIZEN
    assert not user.is_officer
    assert user.citizen_id_number == ID_NUMBER
    assert user.check_password(PASSWORD)
    assert PASSWORD not in user.password


@pytest.mark.parametrize(
    "typed", ["+84 912 345 678", "0912 345 678", "0912.345.678", "84912345678", "(091) 2345-678"]
)
def test_register_with_a_phone_number_in_any_usual_spelling(typed: str) -> None:
    user = _register(login=typed)
    assert user.username == "0912345678"
    assert user.phone == "0912345678"
    assert user.email == ""


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("an.nguyen@example.vn", "AN.NGUYEN@EXAMPLE.VN"),
        ("an.nguyen@example.vn", " An.Nguyen@example.vn"),
        ("0912345678", "+84 912 345 678"),
    ],
)
def test_the_same_login_cannot_register_twice(first: str, again: str) -> None:
    _register(login=first)
    error = _refused(login=again, full_name="Người Khác")
    assert error.code == "login_taken"
    assert error.field == "login"


@pytest.mark.parametrize("typed", ["", "an.nguyen", "an@example", "12345", "091234567a"])
def test_a_login_that_is_neither_an_e_mail_nor_a_phone_is_refused(typed: str) -> None:
    assert _refused(login=typed).field == "login"


def _min_length() -> int:
    return next(v.min_length for v in get_default_password_validators() if hasattr(v, "min_length"))


@pytest.mark.parametrize(
    ("password", "hint_en"),
    [
        ("ab1", None),  # too short: the message names the minimum length
        ("password123", "common"),
        ("83920174652", "digits"),
        ("an.nguyen@example", "similar"),
    ],
    ids=["short", "common", "numeric", "like-the-login"],
)
def test_weak_passwords_are_refused_with_a_reason_and_a_fix(password: str, hint_en: str | None) -> None:
    error = _refused(password=password)
    assert error.code == "weak_password"
    assert error.field == "password"
    if hint_en is None:
        assert len(password) < _min_length()
        assert str(_min_length()) in error.message_vi
        assert str(_min_length()) in error.message_en
    else:
        assert hint_en in error.message_en


def test_each_weakness_gets_its_own_message() -> None:
    messages = {
        _refused(password=p).message_en for p in ("ab1", "password123", "83920174652", "an.nguyen@example")
    }
    assert len(messages) == 4


@pytest.mark.parametrize("id_number", ["12345", "03709000123A", "0370900012345", "037 090 001 23"])
def test_an_invalid_citizen_id_number_is_refused(id_number: str) -> None:
    error = _refused(citizen_id_number=id_number)
    assert error.code == "invalid_citizen_id"
    assert error.field == "citizen_id_number"


@pytest.mark.parametrize("name", ["", "   ", "A" * 201])
def test_a_full_name_is_required(name: str) -> None:
    assert _refused(full_name=name).field == "full_name"


# --- Signing in with either spelling --------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["an.nguyen@example.vn", "AN.Nguyen@Example.vn", " an.nguyen@example.vn "])
def test_the_backend_finds_an_e_mail_account_however_it_is_typed(typed: str) -> None:
    user = _register()
    request = RequestFactory().post(LOGIN_URL)
    assert EmailOrPhoneBackend().authenticate(request, username=typed, password=PASSWORD) == user
    assert EmailOrPhoneBackend().authenticate(request, username=typed, password=PASSWORD + "x") is None


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "+84912345678", "+84 912-345-678"])
def test_the_backend_finds_a_phone_account_however_it_is_typed(typed: str) -> None:
    user = _register(login="0912345678")
    request = RequestFactory().post(LOGIN_URL)
    assert EmailOrPhoneBackend().authenticate(request, username=typed, password=PASSWORD) == user
    assert EmailOrPhoneBackend().authenticate(request, username=None, password=PASSWORD) is None


def _sign_in(client: Client, login: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN_URL, {"login": login, "password": password, **extra})


@pytest.mark.parametrize("typed", ["AN.NGUYEN@example.vn", "0912 345 678"])
def test_the_sign_in_page_accepts_either_spelling(typed: str) -> None:
    user = _register(login="an.nguyen@example.vn" if "@" in typed else "0912345678")
    client = Client()
    response = _sign_in(client, typed, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/"
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_password_shows_the_error_next_to_the_field_and_keeps_the_login() -> None:
    _register()
    client = Client()
    response = _sign_in(client, "an.nguyen@example.vn", "not-the-password")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="e-login"' in page
    assert 'href="#f-login"' in page  # the error summary leads to the field
    assert 'value="an.nguyen@example.vn"' in page
    assert "_auth_user_id" not in client.session


def test_sign_in_refuses_a_next_address_on_another_site() -> None:
    _register()
    response = _sign_in(Client(), "an.nguyen@example.vn", PASSWORD, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == "/ho-so-cua-toi/"


# --- Lockout and CSRF -----------------------------------------------------------------------------------


def test_the_sign_in_locks_after_the_failure_limit() -> None:
    _register()
    limit = int(settings.AXES_FAILURE_LIMIT)
    assert limit >= 2
    client = Client()
    for attempt in range(1, limit):
        response = _sign_in(client, "an.nguyen@example.vn", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert 'id="e-login"' in response.content.decode()
    response = _sign_in(client, "an.nguyen@example.vn", f"wrong-{limit}")
    assert response.status_code == 429
    # locked: even the right password is refused, with the locked page, and nobody is signed in
    response = _sign_in(client, "an.nguyen@example.vn", PASSWORD)
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another account from the same address is not locked by someone else's failures
    other = _register(login="0912345678", full_name="Trần Thị Bình")
    response = _sign_in(Client(), "0912345678", PASSWORD)
    assert response.status_code == 302
    assert other.pk


def test_spelling_the_login_differently_does_not_escape_the_lockout() -> None:
    _register(login="0912345678")
    limit = int(settings.AXES_FAILURE_LIMIT)
    spellings = [
        "0912345678",
        "0912 345 678",
        "+84912345678",
        "0912.345.678",
        "+84 912 345 678",
        "84912345678",
    ]
    client = Client()
    statuses = [
        _sign_in(client, spellings[i % len(spellings)], f"wrong-{i}").status_code for i in range(limit)
    ]
    assert statuses[-1] == 429
    assert _sign_in(client, "0912345678", PASSWORD).status_code == 429


def test_the_locked_page_is_the_same_for_an_account_that_does_not_exist() -> None:
    limit = int(settings.AXES_FAILURE_LIMIT)
    client = Client()
    for attempt in range(limit):
        response = _sign_in(client, "nobody@example.vn", f"wrong-{attempt}")
    assert response.status_code == 429
    assert "Tạm khoá đăng nhập" in response.content.decode()


def test_the_sign_in_post_needs_the_csrf_token() -> None:
    user = _register()
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "an.nguyen@example.vn", PASSWORD)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    # with the token of the form, the same request succeeds
    client.get(LOGIN_URL)
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = _sign_in(client, "an.nguyen@example.vn", PASSWORD, csrfmiddlewaretoken=token)
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_the_registration_post_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/dang-ky/",
        {
            "full_name": "Nguyễn Văn An",
            "login": "an.nguyen@example.vn",
            "password": PASSWORD,
            "password_again": PASSWORD,
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="an.nguyen@example.vn").exists()
