"""Signing in: bearer tokens from ``POST /api/v1/auth/token``, and the Django session."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from motcua.accounts.models import ApiToken
from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld

from .conftest import API, CITIZEN, Headers, assert_error, bearer, issue_token, parse_dt, post_json


def test_a_demo_account_gets_a_token(client: Client, world: DemoWorld) -> None:
    # Given a demo officer
    before = timezone.now()

    # When they exchange their password for a token
    response = post_json(client, "/auth/token", {"username": "motcua.xa", "password": DEMO_PASSWORD})

    # Then a token valid for API_TOKEN_TTL_HOURS comes back
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["token"]) >= 32
    expires_at = parse_dt(body["expires_at"])
    ttl = timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + ttl - timedelta(seconds=1) <= expires_at <= timezone.now() + ttl
    # And only its hash is stored
    assert not ApiToken.objects.filter(key_hash=body["token"]).exists()
    assert ApiToken.objects.filter(key_hash=ApiToken.hash(body["token"]), user__username="motcua.xa").exists()


@pytest.mark.parametrize(
    ("username", "password"),
    [("motcua.xa", "wrong-password"), ("nobody@example.vn", DEMO_PASSWORD), (CITIZEN, DEMO_PASSWORD.upper())],
)
def test_wrong_credentials_are_refused(
    client: Client, world: DemoWorld, username: str, password: str
) -> None:
    # When someone signs in with a wrong password or an unknown name
    response = post_json(client, "/auth/token", {"username": username, "password": password})

    # Then 401 invalid_credentials, the same for both (no hint which was wrong)
    assert_error(response, 401, "invalid_credentials", None)


@pytest.mark.parametrize("body", [{}, {"username": "motcua.xa"}, {"username": "", "password": "x"}])
def test_token_request_must_name_user_and_password(client: Client, world: DemoWorld, body: Any) -> None:
    # When a field is missing or empty
    response = post_json(client, "/auth/token", body)

    # Then 422 invalid_input
    assert_error(response, 422, "invalid_input")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/dossiers"),
        ("post", "/dossiers"),
        ("get", "/dossiers/{code}"),
        ("post", "/dossiers/{code}/accept"),
        ("post", "/dossiers/{code}/withdraw"),
    ],
)
def test_dossier_routes_need_authentication(
    client: Client, submitted: dict[str, Any], method: str, path: str
) -> None:
    # Given an existing dossier and an anonymous client
    url = f"{API}{path.format(code=submitted['code'])}"

    # When it reads or acts on dossiers without credentials
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, data="{}", content_type="application/json")

    # Then 401 not_authenticated
    assert_error(response, 401, "not_authenticated", None)


def test_a_bearer_token_authenticates(client: Client, world: DemoWorld) -> None:
    # Given a citizen's token
    token = issue_token(client, CITIZEN)

    # When they list their dossiers with it
    response = client.get(f"{API}/dossiers", headers=bearer(token))

    # Then they are let in (and have no dossier yet)
    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-token", "Bearer ", "Token {token}", "Basic {token}", "{token}"]
)
def test_a_malformed_or_unknown_token_is_refused(
    client: Client, world: DemoWorld, authorization: str
) -> None:
    # Given a real token sent with the wrong scheme, or a token that was never issued
    token = issue_token(client, CITIZEN)

    # When used
    response = client.get(f"{API}/dossiers", headers={"Authorization": authorization.format(token=token)})

    # Then 401
    assert_error(response, 401, "not_authenticated", None)


def test_an_expired_token_is_refused(client: Client, world: DemoWorld) -> None:
    # Given a token that worked
    token = issue_token(client, CITIZEN)
    assert client.get(f"{API}/dossiers", headers=bearer(token)).status_code == 200

    # When its expiry passes
    stored = ApiToken.objects.get(key_hash=ApiToken.hash(token))
    stored.expires_at = timezone.now() - timedelta(seconds=1)
    stored.save(update_fields=["expires_at"])

    # Then it is refused
    assert_error(client.get(f"{API}/dossiers", headers=bearer(token)), 401, "not_authenticated", None)


def test_a_token_of_a_deactivated_user_is_refused(client: Client, world: DemoWorld) -> None:
    # Given a token of an officer who is then deactivated
    token = issue_token(client, "motcua.xa")
    officer = world.officers["motcua.xa"]
    officer.is_active = False
    officer.save(update_fields=["is_active"])

    # When used
    response = client.get(f"{API}/dossiers", headers=bearer(token))

    # Then 401
    assert_error(response, 401, "not_authenticated", None)


def test_session_login_works_for_reading(
    client: Client, world: DemoWorld, submitted: dict[str, Any], auth: Callable[[str], Headers]
) -> None:
    # Given the citizen signed in to the site with a password (a Django session, no token)
    assert client.login(username=CITIZEN, password=DEMO_PASSWORD)

    # When they read their dossiers without an Authorization header
    listing = client.get(f"{API}/dossiers")
    detail = client.get(f"{API}/dossiers/{submitted['code']}")

    # Then the session authenticates them
    assert listing.status_code == 200, listing.content
    assert [d["code"] for d in listing.json()] == [submitted["code"]]
    assert detail.status_code == 200
    assert detail.json()["status"] == "submitted"


def test_force_login_session_works_for_reading(
    client: Client, world: DemoWorld, submitted: dict[str, Any]
) -> None:
    # Given the commune's receiving officer with a session
    client.force_login(world.officers["motcua.xa"])

    # When they read the commune's dossier
    response = client.get(f"{API}/dossiers/{submitted['code']}")

    # Then they see it
    assert response.status_code == 200
    assert response.json()["code"] == submitted["code"]


def test_a_session_cannot_act_without_the_csrf_token(world: DemoWorld, submitted: dict[str, Any]) -> None:
    # Given the citizen signed in with a session, in a browser-like client that enforces CSRF
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=CITIZEN, password=DEMO_PASSWORD)
    code = submitted["code"]

    # When a cross-site form (no CSRF token) makes their browser withdraw the dossier
    response = browser.post(
        f"{API}/dossiers/{code}/withdraw", data='{"reason": "CSRF"}', content_type="application/json"
    )

    # Then it is forbidden and the dossier is untouched
    assert response.status_code == 403
    assert browser.get(f"{API}/dossiers/{code}").json()["status"] == "submitted"


def test_the_csrf_refusal_has_the_error_shape(world: DemoWorld, submitted: dict[str, Any]) -> None:
    # Given a session client without the CSRF token
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=CITIZEN, password=DEMO_PASSWORD)

    # When it posts an action
    response = browser.post(
        f"{API}/dossiers/{submitted['code']}/withdraw",
        data='{"reason": "x"}',
        content_type="application/json",
    )

    # Then the 403 is {code, detail, field} like every other error
    assert response.status_code == 403
    assert set(response.json()) == {"code", "detail", "field"}
