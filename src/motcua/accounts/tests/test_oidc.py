"""The relying party's rules for signing in through the national SSO (``accounts.oidc``), without a provider.

ID tokens are signed here with a key of the test's own (a misbehaving provider); the claims are dicts.
The whole journey against the DVCQG SSO simulator is ``integrations/sso/tests/test_sign_in.py``.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from motcua.accounts.models import ExternalAccountType, ExternalIdentity, User, UserKind
from motcua.accounts.oidc import (
    CitizenOidcBackend,
    SignInRefused,
    SsoIdentity,
    assurance_level,
    exempt_from_lockout,
    identity_from_claims,
    sign_in_identity,
)
from motcua.accounts.selectors import verified_identity

SettingsWrapper = Any  # pytest-django's settings fixture (its type is private)

ISSUER = "https://xacthuc.dichvucong.gov.vn"
CLIENT_ID = "motcua-portal"
ID_NUMBER = "001190000101"


@pytest.fixture(autouse=True)
def rp_settings(settings: SettingsWrapper) -> SettingsWrapper:
    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{ISSUER}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{ISSUER}/oauth2/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{ISSUER}/oauth2/jwks"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    return settings


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any call to the provider fails the test (the backend catches network errors, not this)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the SSO was contacted")

    monkeypatch.setattr("mozilla_django_oidc.auth.requests.post", refuse)
    monkeypatch.setattr("mozilla_django_oidc.auth.requests.get", refuse)


def identity(**changes: Any) -> SsoIdentity:
    values: dict[str, Any] = {
        "issuer": ISSUER,
        "id_number": ID_NUMBER,
        "subject": "sub-vneid",
        "assurance_level": 2,
        "account_type": ExternalAccountType.CITIZEN,
        "full_name": "Nguyễn Thị Lan",
        "email": "lan@example.vn",
        "phone": "0912000101",
    }
    values.update(changes)
    return SsoIdentity(**values)


# --- who takes part ---------------------------------------------------------------------------------------------


def test_a_password_sign_in_never_reaches_the_sso(no_network: None) -> None:
    request = RequestFactory().get("/dang-nhap/?code=abc&state=def")
    assert CitizenOidcBackend().authenticate(request, username="0912000101", password="x", nonce=None) is None


def test_nothing_reaches_the_sso_when_it_is_switched_off(settings: SettingsWrapper, no_network: None) -> None:
    settings.OIDC_ISSUER = None
    request = RequestFactory().get("/oidc/callback/?code=abc&state=def")
    assert CitizenOidcBackend().authenticate(request, nonce="n-1", code_verifier=None) is None


def test_an_unreachable_sso_is_a_failed_sign_in_not_an_error(settings: SettingsWrapper) -> None:
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/oauth2/token"  # discard port: connection refused
    settings.OIDC_TIMEOUT = 2
    request = RequestFactory().get("/oidc/callback/?code=abc&state=def")
    assert CitizenOidcBackend().authenticate(request, nonce="n-1", code_verifier=None) is None


@pytest.mark.parametrize(
    ("credentials", "exempt"),
    [
        ({"nonce": "n-1", "code_verifier": None}, True),
        ({"username": None, "password": None, "nonce": "n-1", "code_verifier": None}, True),
        ({"username": "0912000101", "password": "********************"}, False),
        ({"username": "0912000101", "password": "********************", "nonce": "n-1"}, False),
        ({}, False),
    ],
    ids=["sso callback", "sso callback seen by axes", "password", "password with a nonce", "nothing"],
)
def test_only_sso_callbacks_are_exempt_from_lockout(credentials: dict[str, Any], exempt: bool) -> None:
    assert exempt_from_lockout(RequestFactory().get("/"), credentials) is exempt


# --- the account an identity signs in -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_identity_gets_a_new_citizen_account() -> None:
    user = sign_in_identity(identity())
    assert user.username == f"sso+xacthuc.dichvucong.gov.vn+{ID_NUMBER}"
    assert user.kind == UserKind.CITIZEN
    assert not user.has_usable_password()
    assert (user.full_name, user.email, user.phone, user.citizen_id_number) == (
        "Nguyễn Thị Lan",
        "lan@example.vn",
        "0912000101",
        ID_NUMBER,
    )
    found = verified_identity(user)
    assert found is not None
    assert (found.issuer, found.id_number, found.subject, found.assurance_level) == (
        ISSUER,
        ID_NUMBER,
        "sub-vneid",
        2,
    )


@pytest.mark.django_db
def test_the_same_number_at_the_same_issuer_is_the_same_account_whatever_the_subject() -> None:
    first = sign_in_identity(identity())
    User.objects.filter(pk=first.pk).update(full_name="Sửa tay", email="moi@example.vn", phone="")
    again = sign_in_identity(identity(subject="sub-dvcqg", assurance_level=1, phone="0988000000"))
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.full_name == "Nguyễn Thị Lan"  # authoritative
    assert again.email == "moi@example.vn"  # kept
    assert again.phone == "0988000000"  # filled because it was empty
    found = ExternalIdentity.objects.get()
    assert (found.subject, found.assurance_level) == ("sub-dvcqg", 1)


@pytest.mark.django_db
def test_the_same_number_at_another_issuer_is_another_account() -> None:
    first = sign_in_identity(identity())
    other = sign_in_identity(identity(issuer="https://sso.dancuquocgia.gov.vn"))
    assert other.pk != first.pk
    assert other.username == f"sso+sso.dancuquocgia.gov.vn+{ID_NUMBER}"


@pytest.mark.django_db
def test_an_officer_holding_the_number_is_not_taken_over() -> None:
    officer = User.objects.create_user(
        "can.bo@so-tu-phap.gov.vn",
        email="lan@example.vn",
        password="officer-password-123",
        kind=UserKind.OFFICER,
        citizen_id_number=ID_NUMBER,
    )
    user = sign_in_identity(identity())
    assert user.pk != officer.pk
    assert verified_identity(officer) is None


@pytest.mark.django_db
def test_a_password_account_holding_the_number_or_email_is_not_linked() -> None:
    account = User.objects.create_user(
        "lan@example.vn", email="lan@example.vn", password="citizen-password-123", citizen_id_number=ID_NUMBER
    )
    user = sign_in_identity(identity())
    assert user.pk != account.pk
    assert account.has_usable_password()
    assert verified_identity(account) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"kind": UserKind.OFFICER}, {"is_active": False}], ids=["became an officer", "deactivated"]
)
def test_an_identity_whose_account_is_no_longer_an_active_citizen_is_refused(change: dict[str, Any]) -> None:
    user = sign_in_identity(identity())
    User.objects.filter(pk=user.pk).update(**change)
    with pytest.raises(SignInRefused):
        sign_in_identity(identity())
    assert CitizenOidcBackend().get_user(user.pk) is None  # a running session ends as well


@pytest.mark.django_db
def test_a_taken_username_is_never_adopted() -> None:
    squatter = User.objects.create_user(f"sso+xacthuc.dichvucong.gov.vn+{ID_NUMBER}", password="x-123456789")
    with pytest.raises(SignInRefused):
        sign_in_identity(identity())
    assert verified_identity(squatter) is None
    assert not ExternalIdentity.objects.exists()


@pytest.mark.django_db
def test_verified_identity_is_none_for_a_password_account() -> None:
    user = User.objects.create_user("0912000999", password="citizen-password-123")
    assert verified_identity(user) is None


@pytest.mark.django_db
def test_verified_identity_is_the_latest_seen() -> None:
    user = sign_in_identity(identity())
    older = ExternalIdentity.objects.get()
    newer = ExternalIdentity.objects.create(
        user=user,
        issuer="https://sso.dancuquocgia.gov.vn",
        id_number=ID_NUMBER,
        subject="s",
        first_seen_at=older.last_seen_at,
        last_seen_at=older.last_seen_at + timedelta(minutes=1),
    )
    assert verified_identity(user) == newer


# --- ID token checks (a misbehaving provider, signed with our own key) ------------------------------------------


@pytest.fixture
def op_key(settings: SettingsWrapper) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings.OIDC_RP_IDP_SIGN_KEY = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key


def id_token(key: Any, issuer: str, *, algorithm: str = "RS256", **changes: Any) -> str:
    moment = int(time.time())
    claims = {
        "iss": issuer,
        "sub": "subject-1",
        "aud": CLIENT_ID,
        "azp": CLIENT_ID,
        "iat": moment,
        "exp": moment + 300,
        "nonce": "n-1",
    }
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


def test_a_well_formed_id_token_is_accepted(op_key: rsa.RSAPrivateKey) -> None:
    claims = CitizenOidcBackend().verify_token(id_token(op_key, ISSUER), nonce="n-1")
    assert claims["sub"] == "subject-1"


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "http://other-issuer.example"},
        {"aud": "another-client"},
        {"aud": [CLIENT_ID, "another-client"], "azp": None},
        {"azp": "another-client"},
        {"exp": int(time.time()) - 3600},
        {"iat": None},
        {"nonce": "n-other"},
    ],
    ids=["issuer", "audience", "several audiences without azp", "azp", "expired", "no iat", "nonce"],
)
def test_a_bad_id_token_is_refused(op_key: rsa.RSAPrivateKey, changes: dict[str, Any]) -> None:
    with pytest.raises(SuspiciousOperation):
        CitizenOidcBackend().verify_token(id_token(op_key, ISSUER, **changes), nonce="n-1")


def test_an_hmac_id_token_is_refused(settings: SettingsWrapper) -> None:
    """Algorithm confusion: a token MACed with a guessable secret never passes for RS256."""
    settings.OIDC_RP_IDP_SIGN_KEY = "shared"
    token = id_token("shared" * 6, ISSUER, algorithm="HS256")
    with pytest.raises(SignInRefused):
        CitizenOidcBackend().verify_token(token, nonce="n-1")


# --- claims ---------------------------------------------------------------------------------------------------


def claims(**changes: Any) -> dict[str, Any]:
    base = {"sub": "s-1", "SoDinhDanh": "001190000101", "HoVaTen": "Người Thử", "LoaiTaiKhoan": "1"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@pytest.mark.parametrize(
    "changes",
    [
        {"SoDinhDanh": None},
        {"SoDinhDanh": ""},
        {"SoDinhDanh": "00119000010"},
        {"SoDinhDanh": "00119000010A"},
        {"SoDinhDanh": 1190000101},
        {"sub": "s-2"},
        {"LoaiTaiKhoan": "9"},
    ],
    ids=["missing id", "empty id", "11 digits", "letter", "number type", "other sub", "unknown account type"],
)
def test_claims_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(SignInRefused):
        identity_from_claims("https://sso.example", claims(**changes), {"sub": "s-1"})


def test_claims_give_the_identity() -> None:
    found = identity_from_claims(
        "https://xacthuc.dichvucong.gov.vn",
        claims(ThuDienTu="not-an-email", SoDienThoai="0912 000 101", LoaiTaiKhoan=2),
        {"sub": "s-1"},
    )
    assert found.username == "sso+xacthuc.dichvucong.gov.vn+001190000101"
    assert found.email == ""
    assert found.phone == "0912000101"
    assert found.account_type == ExternalAccountType.ORGANISATION


@pytest.mark.parametrize(
    ("userinfo", "token", "level"),
    [
        ({"loAs": "LoA2"}, {}, 2),
        ({"loAs": ["LoA1", "LoA2"]}, {}, 2),
        ({"IAL": 2}, {}, 2),
        ({"IAL": "1"}, {"acr": "LoA2"}, 1),
        ({}, {"acr": "LoA2"}, 2),
        ({"loAs": "unknown"}, {}, 1),
        ({}, {}, 1),
    ],
)
def test_assurance_level(userinfo: dict[str, Any], token: dict[str, Any], level: int) -> None:
    assert assurance_level(userinfo, token) == level
