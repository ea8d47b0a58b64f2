"""Helpers for driving API v1 over HTTP with ``django.test.Client``, as a user of the API would.

People are the demo world's (``dossiers.demo.build_world``): they sign in with the demo password through
``POST /api/v1/auth/token`` and send the token as ``Authorization: Bearer``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from types import EllipsisType
from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld

API = "/api/v1"
CITIZEN = "an.nguyen@example.vn"
OTHER_CITIZEN = "0912345678"
BIRTH_REGISTRATION = "1.001193"
#: Province-level procedure handled by the Department of Agriculture and Environment (demo offering).
LAND_CHANGE_REGISTRATION = "1.013831"

Headers = dict[str, str]


def post_json(client: Client, path: str, body: Any, headers: Headers | None = None) -> Any:
    """POST ``body`` as JSON to ``/api/v1<path>``."""
    return client.post(
        f"{API}{path}", data=json.dumps(body), content_type="application/json", headers=headers
    )


def get(client: Client, path: str, headers: Headers | None = None, **params: Any) -> Any:
    return client.get(f"{API}{path}", data=params or None, headers=headers)


def issue_token(client: Client, username: str, password: str = DEMO_PASSWORD) -> str:
    response = post_json(client, "/auth/token", {"username": username, "password": password})
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def parse_dt(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"{value} has no time zone"
    return moment


def assert_error(
    response: Any, status: int, code: str, field: str | EllipsisType | None = ...
) -> dict[str, Any]:
    """The response is an API error ``{code, detail, field}`` with this status and code (and field)."""
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "detail", "field"}, body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str), body
    assert body["detail"].strip(), body
    if field is not ...:
        assert body["field"] == field, body
    return body


def birth_registration(world: DemoWorld, **overrides: Any) -> dict[str, Any]:
    """A valid online birth registration filed at the demo province's first commune."""
    body: dict[str, Any] = {
        "procedure_code": BIRTH_REGISTRATION,
        "receiving_agency_code": world.communes[0].code,
        "channel": "online",
        "applicant": {
            "full_name": "Nguyễn Văn An",
            "id_number": "037090001234",
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "address": "Thôn Đông, xã mẫu",
        },
        "form_data": {"child_name": "Nguyễn Minh Khang", "child_birth_date": "2026-11-01"},
        "delivery_method": "online",
    }
    body.update(overrides)
    return body


def land_change_registration(world: DemoWorld, **overrides: Any) -> dict[str, Any]:
    """A valid online land change registration filed at the provincial service centre for the department."""
    department = world.departments["Bộ Nông nghiệp và Môi trường"]
    body: dict[str, Any] = {
        "procedure_code": LAND_CHANGE_REGISTRATION,
        "receiving_agency_code": world.centre.code,
        "competent_agency_code": department.code,
        "channel": "online",
        "applicant": {"full_name": "Nguyễn Văn An", "id_number": "037090001234"},
        "delivery_method": "online",
    }
    body.update(overrides)
    return body


def act(client: Client, headers: Headers, code: str, action: str, body: Any = None) -> dict[str, Any]:
    """Perform ``action`` and return the dossier, asserting the API accepted it."""
    response = post_json(client, f"/dossiers/{code}/{action}", body if body is not None else {}, headers)
    assert response.status_code == 200, (action, response.content)
    dossier: dict[str, Any] = response.json()
    return dossier


def land_in_processing(client: Client, world: DemoWorld, auth: Callable[[str], Headers]) -> dict[str, Any]:
    """A province-level dossier filed at the service centre for the department, accepted and assigned."""
    department = world.departments["Bộ Nông nghiệp và Môi trường"]
    response = post_json(client, "/dossiers", land_change_registration(world), auth(CITIZEN))
    assert response.status_code == 201, response.content
    d = response.json()
    assert re.fullmatch(rf"{re.escape(world.centre.code)}-\d{{6}}-\d{{4}}", d["code"]), d["code"]
    assert (d["receiving_agency_code"], d["competent_agency_code"]) == (world.centre.code, department.code)
    d = act(client, auth("motcua.tinh"), d["code"], "accept", {})
    d = act(client, auth("truongphong.nnmt"), d["code"], "assign", {"assignee": "chuyenvien.nnmt"})
    assert d["status"] == "processing"
    return d


@pytest.fixture
def world(demo_world: DemoWorld) -> DemoWorld:
    return demo_world


@pytest.fixture
def auth(client: Client, world: DemoWorld) -> Callable[[str], Headers]:
    """``auth(username)``: bearer headers for a demo account (one token per account and test)."""
    tokens: dict[str, str] = {}

    def headers_for(username: str) -> Headers:
        if username not in tokens:
            tokens[username] = issue_token(client, username)
        return bearer(tokens[username])

    return headers_for


@pytest.fixture
def submitted(client: Client, world: DemoWorld, auth: Callable[[str], Headers]) -> dict[str, Any]:
    """A birth registration the first citizen submitted online (the 201 response body)."""
    response = post_json(client, "/dossiers", birth_registration(world), auth(CITIZEN))
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body
