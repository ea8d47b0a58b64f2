"""Signing in to motcua through the national SSO: the Django test client against the DVCQG SSO simulator.

The relying party is ``motcua.accounts.oidc`` behind mozilla-django-oidc's ``/oidc/authenticate/`` and
``/oidc/callback/``; the person's part goes through the simulator's page like a browser
(``browser.open_page`` / ``press``), over real HTTP on localhost. (This journey lives here, not in
``accounts/tests``, because domain code, tests included, may not import ``integrations``.)
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import Client
from django.urls import include, path

from motcua.accounts.models import ExternalAccountType, ExternalIdentity, User, UserKind
from motcua.accounts.selectors import verified_identity
from motcua.integrations.sso.simulator import DEFAULT_PERSONAS, ClientRegistration, Persona, SsoSimulator
from motcua.integrations.sso.tests.browser import open_page

SettingsWrapper = Any  # pytest-django's settings fixture (its type is private)

CLIENT_ID = "motcua-portal"
CLIENT_SECRET = "motcua-portal-secret"
CALLBACK = "http://testserver/oidc/callback/"
FAILURE_URL = "/dang-nhap/?sso=failed"
VNEID = "VNeID"
DVCQG = "Cổng DVCQG"


def whoami(request: HttpRequest) -> JsonResponse:
    user = request.user
    return JsonResponse({"id": user.pk if user.is_authenticated else None})


urlpatterns = [
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("whoami/", whoami),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def persona(name: str) -> Persona:
    return next(p for p in DEFAULT_PERSONAS if p.full_name == name)


LAN = persona("Nguyễn Thị Lan")
HA = persona("Phạm Thu Hà")
NAM = persona("Lê Hoàng Nam")


@pytest.fixture(scope="module")
def sso() -> Iterator[SsoSimulator]:
    clients = {CLIENT_ID: ClientRegistration(CLIENT_SECRET, (CALLBACK,), "motcua")}
    with SsoSimulator("127.0.0.1", 0, clients) as simulator:
        yield simulator


@pytest.fixture(autouse=True)
def rp_settings(settings: SettingsWrapper, sso: SsoSimulator) -> SettingsWrapper:
    settings.OIDC_ISSUER = sso.issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{sso.issuer}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{sso.issuer}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{sso.issuer}/oauth2/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{sso.issuer}/oauth2/jwks"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.LOGIN_REDIRECT_URL = "/whoami/"
    settings.LOGIN_REDIRECT_URL_FAILURE = FAILURE_URL
    return settings


def start(client: Client) -> str:
    """Press "sign in with the national SSO": the authorization URL the browser is sent to."""
    response = client.get("/oidc/authenticate/")
    assert response.status_code == 302
    return str(response["Location"])


def callback_path(location: str) -> str:
    assert location.startswith(CALLBACK + "?"), location
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def choose(client: Client, name: str, provider: str) -> str:
    """At the SSO, press the persona's button under ``provider``: the callback path with code and state."""
    page = open_page(start(client))
    assert page.status == 200
    response = page.press(page.button(name, provider))
    assert response.status_code == 302
    return callback_path(response.headers["Location"])


def sign_in(client: Client, name: str, provider: str = VNEID) -> HttpResponse:
    return client.get(choose(client, name, provider))


def signed_in_id(client: Client) -> int | None:
    user_id: int | None = client.get("/whoami/").json()["id"]
    return user_id


def sso_user(p: Persona, sso: SsoSimulator) -> User:
    return User.objects.get(username=f"sso+{urlsplit(sso.issuer).netloc.replace(':', '-')}+{p.id_number}")


# --- the journey ------------------------------------------------------------------------------------------------


def test_first_sign_in_creates_a_citizen_account_from_the_claims(client: Client, sso: SsoSimulator) -> None:
    response = sign_in(client, LAN.full_name, VNEID)
    assert response.status_code == 302
    assert response["Location"] == "/whoami/"

    user = sso_user(LAN, sso)
    assert signed_in_id(client) == user.pk
    assert user.kind == UserKind.CITIZEN
    assert not user.has_usable_password()
    assert user.full_name == LAN.full_name
    assert user.email == LAN.email
    assert user.phone == LAN.phone
    assert user.citizen_id_number == LAN.id_number

    identity = ExternalIdentity.objects.get(user=user)
    assert identity.issuer == sso.issuer
    assert identity.id_number == LAN.id_number
    assert identity.subject == LAN.subject("vneid")
    assert identity.assurance_level == 2
    assert identity.account_type == ExternalAccountType.CITIZEN
    assert identity.first_seen_at == identity.last_seen_at
    assert verified_identity(user) == identity


def test_second_sign_in_finds_the_same_account_even_under_another_subject(
    client: Client, sso: SsoSimulator
) -> None:
    sign_in(client, LAN.full_name, VNEID)
    user = sso_user(LAN, sso)
    first_seen = ExternalIdentity.objects.get(user=user).last_seen_at
    # Meanwhile the citizen changed the e-mail here, and someone edited the name.
    User.objects.filter(pk=user.pk).update(email="lan.moi@example.vn", full_name="Tên khác")

    other_browser = Client()
    response = sign_in(other_browser, LAN.full_name, DVCQG)  # the DVCQG account: another sub, level 1

    assert response["Location"] == "/whoami/"
    assert signed_in_id(other_browser) == user.pk
    assert User.objects.filter(citizen_id_number=LAN.id_number).count() == 1
    identity = ExternalIdentity.objects.get()
    assert identity.subject == LAN.subject("dvcqg")
    assert identity.assurance_level == 1
    assert identity.last_seen_at >= first_seen
    user.refresh_from_db()
    assert user.full_name == LAN.full_name  # the SSO is authoritative for the name
    assert user.email == "lan.moi@example.vn"  # contact details the citizen changed are kept


def test_deny_consent_goes_to_the_failure_page_and_creates_nobody(client: Client) -> None:
    page = open_page(start(client))
    response = client.get(callback_path(page.press(page.button("Từ chối")).headers["Location"]))
    assert response.status_code == 302
    assert response["Location"] == FAILURE_URL
    assert signed_in_id(client) is None
    assert not User.objects.exists()


def test_a_replayed_code_is_refused(
    client: Client, sso: SsoSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    stolen = choose(client, LAN.full_name, VNEID)
    client.get(stolen)
    old_code = parse_qs(urlsplit(stolen).query)["code"][0]

    attacker = Client()
    fresh_state = parse_qs(urlsplit(start(attacker)).query)["state"][0]
    with caplog.at_level(logging.WARNING, logger="motcua.accounts.oidc"):
        response = attacker.get(f"/oidc/callback/?code={old_code}&state={fresh_state}")

    assert response["Location"] == FAILURE_URL
    assert signed_in_id(attacker) is None
    assert "invalid_grant" in caplog.text  # the SSO refused the code, not some other check
    assert User.objects.count() == 1


def test_a_persona_without_an_identification_number_is_refused(client: Client) -> None:
    response = sign_in(client, HA.full_name, DVCQG)
    assert response["Location"] == FAILURE_URL
    assert signed_in_id(client) is None
    assert not User.objects.exists()
    assert not ExternalIdentity.objects.exists()


def test_an_officer_with_the_same_id_number_is_not_taken_over(client: Client, sso: SsoSimulator) -> None:
    officer = User.objects.create_user(
        "lan.officer@so-tu-phap.gov.vn",
        email=LAN.email,
        password="officer-password-123",
        kind=UserKind.OFFICER,
        full_name="Cán bộ Lan",
        citizen_id_number=LAN.id_number,
    )
    sign_in(client, LAN.full_name, VNEID)

    citizen = sso_user(LAN, sso)
    assert citizen.pk != officer.pk
    assert signed_in_id(client) == citizen.pk
    officer.refresh_from_db()
    assert officer.full_name == "Cán bộ Lan"
    assert officer.has_usable_password()
    assert verified_identity(officer) is None


def test_an_account_that_became_an_officer_cannot_sign_in_through_the_sso(
    client: Client, sso: SsoSimulator
) -> None:
    sign_in(client, LAN.full_name, VNEID)
    user = sso_user(LAN, sso)
    User.objects.filter(pk=user.pk).update(kind=UserKind.OFFICER)

    assert signed_in_id(client) is None  # the running session ends too
    response = sign_in(Client(), LAN.full_name, VNEID)
    assert response["Location"] == FAILURE_URL


def test_a_business_account_signs_in_its_representative(client: Client, sso: SsoSimulator) -> None:
    sign_in(client, NAM.full_name, DVCQG)
    user = sso_user(NAM, sso)
    assert signed_in_id(client) == user.pk
    identity = verified_identity(user)
    assert identity is not None
    assert identity.account_type == ExternalAccountType.ORGANISATION
    assert user.full_name == NAM.full_name


def test_sign_in_logs_nothing_personal(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        sign_in(client, LAN.full_name, VNEID)
        sign_in(Client(), HA.full_name, DVCQG)  # refused
    assert caplog.records  # something was logged
    for secret in (LAN.full_name, LAN.id_number, LAN.email, LAN.phone, LAN.subject("vneid"), HA.full_name):
        assert secret
        assert secret not in caplog.text
    assert HA.old_id_number
    assert HA.old_id_number not in caplog.text


def test_refused_sso_sign_ins_do_not_lock_out_the_address(client: Client, settings: SettingsWrapper) -> None:
    """Citizens behind one address (a counter, a carrier's NAT) are not locked out by others' refusals."""
    settings.AXES_WHITELIST_CALLABLE = "motcua.accounts.oidc.exempt_from_lockout"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        assert sign_in(Client(), HA.full_name, DVCQG)["Location"] == FAILURE_URL
    assert sign_in(client, LAN.full_name, VNEID)["Location"] == "/whoami/"
