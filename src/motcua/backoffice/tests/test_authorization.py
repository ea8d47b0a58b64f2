"""An officer of one agency can neither see nor act on another agency's dossier — through ANY route.

The routes are enumerated from the URL resolver and from the API's OpenAPI document, not picked by hand:
every page or API route that names a dossier by its code is called, with GET and with POST, by an officer
who holds every role in another commune. Each must answer "not found" (or refuse the method), and the
dossier must not change. A new route is covered the day it is added.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from motcua.accounts.models import ApiToken, Role
from motcua.api.v1 import api
from motcua.backoffice.tests.helpers import verified_client
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import build_cast, drive, make_officer

pytestmark = pytest.mark.django_db

SAMPLE = {
    "token": "00000000-0000-0000-0000-000000000000",
    "action": "accept",
    "number": "01",
    "step": "check",
}


def _dossier_routes() -> list[str]:
    """Every page route with a ``code`` parameter, as a pattern string with ``{name}`` placeholders."""
    found: list[str] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if "api/" in str(entry.pattern):
                    continue  # the API is enumerated from its OpenAPI document below
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if "<str:code>" in route or "<code>" in route:
                    found.append(route)

    walk(get_resolver().url_patterns, "/")
    return found


def _fill(route: str, code: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        return code if name == "code" else SAMPLE.get(name, "x")

    return re.sub(r"<([^>]+)>", value, route).replace("^", "").replace("$", "")


def _api_routes() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    routes = []
    for path, operations in schema["paths"].items():
        if "{code}" in path:
            routes.extend((method.upper(), path) for method in operations)
    return routes


def _state(dossier: Dossier) -> tuple[Any, ...]:
    dossier.refresh_from_db()
    return (dossier.status, dossier.version, dossier.events.count(), dossier.attachments.count())


def test_the_enumeration_finds_the_routes() -> None:
    pages = _dossier_routes()
    assert any("nghiep-vu" in r for r in pages), pages
    assert any("ho-so-cua-toi" in r for r in pages), pages
    assert len(_api_routes()) >= 10


@pytest.mark.parametrize("route_kind", ["pages", "api"])
def test_an_officer_of_another_commune_cannot_see_or_act_on_a_dossier(
    demo_world: Any, route_kind: str
) -> None:
    cast = build_cast(demo_world)
    dossier = drive(cast, "processing")
    outsider = make_officer("ngoai.xa", cast.other_commune, *Role.values)
    before = _state(dossier)
    assert dossier.code is not None
    if route_kind == "pages":
        client = verified_client(outsider)
        for route in _dossier_routes():
            url = _fill(route, dossier.code)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (404, 405, 403), (
                    f"{method.upper()} {url} → {response.status_code}"
                )
                assert dossier.applicant_name.encode() not in response.content
    else:
        _, key = ApiToken.issue(outsider)
        client = Client(headers={"Authorization": f"Bearer {key}"})
        for method, path in _api_routes():
            url = "/api/v1" + path.replace("{code}", dossier.code)
            response = client.generic(method, url, data="{}", content_type="application/json")
            assert response.status_code in (404, 405, 403, 422), f"{method} {url} → {response.status_code}"
            assert dossier.applicant_name.encode() not in response.content
    assert _state(dossier) == before


def test_the_same_routes_work_for_the_competent_officer(demo_world: Any) -> None:
    """The control: the enumeration is not vacuous — the commune's own officer reads the workspace."""
    cast = build_cast(demo_world)
    dossier = drive(cast, "processing")
    assert dossier.code is not None
    client = verified_client(cast.specialist)
    response = client.get(f"/nghiep-vu/ho-so/{dossier.code}/")
    assert response.status_code == 200
    assert dossier.applicant_name.encode() in response.content
