"""The published contract: ``/api/v1/openapi.json`` is OpenAPI 3.1 and documents every error answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.dossiers.constants import Action

from .conftest import API

ERROR_STATUSES = ("400", "401", "403", "404", "409", "422")
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
ERROR_REF = "#/components/schemas/ErrorOut"

#: Route (below /api/v1/dossiers/{code}) of every dossier action of the workflow except ``submit``,
#: which is ``POST /api/v1/dossiers``.
ACTION_ROUTES = {
    Action.ACCEPT: "accept",
    Action.REJECT: "reject",
    Action.REQUEST_SUPPLEMENT: "request-supplement",
    Action.SUPPLEMENT: "supplement",
    Action.COMPETENT_RECEIVE: "competent-receive",
    Action.ASSIGN: "assign",
    Action.PROCESS: "process",
    Action.CONSULT: "consult",
    Action.CONSULTATION_DONE: "consultation-done",
    Action.TRANSFER: "transfer",
    Action.COMPLETE_LEG: "legs/{leg_id}/complete",
    Action.PAUSE: "pause",
    Action.RESUME: "resume",
    Action.REQUEST_PAYMENT: "request-payment",
    Action.CONFIRM_PAYMENT: "confirm-payment",
    Action.REQUEST_EXTENSION: "request-extension",
    Action.CONFIRM_EXTENSION: "confirm-extension",
    Action.APPROVE: "approve",
    Action.REFUSE: "refuse",
    Action.STOP: "stop",
    Action.RESOLVE: "resolve",
    Action.RETURN_RESULT: "return",
    Action.WITHDRAW: "withdraw",
}


def openapi(client: Client) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def dossier_action_paths(document: dict[str, Any]) -> set[str]:
    """Paths of the POST operations under /api/v1/dossiers/{code}/..."""
    prefix = f"{API}/dossiers/{{code}}/"
    return {path for path, method, _ in operations(document) if path.startswith(prefix) and method == "post"}


def test_the_document_is_openapi_3_1(client: Client) -> None:
    # Given the running API
    # When the client fetches the published document
    document = openapi(client)

    # Then it is OpenAPI 3.1.x with the API's title and at least the public and dossier routes
    assert document["openapi"].startswith("3.1."), document["openapi"]
    assert document["info"]["title"] == "motcua API"
    for path in (
        "/auth/token",
        "/procedures",
        "/procedures/{code}",
        "/agencies",
        "/calendar/due-date",
        "/dossiers",
        "/dossiers/{code}",
    ):
        assert f"{API}{path}" in document["paths"], path


def test_every_operation_declares_the_error_answers_with_error_out(client: Client) -> None:
    # Given the published document
    document = openapi(client)
    ops = operations(document)
    assert len(ops) >= 30  # 7 public/reading routes + submit + 23 actions

    # Then ErrorOut is {code, detail, field}
    error_out = document["components"]["schemas"]["ErrorOut"]
    assert set(error_out["properties"]) == {"code", "detail", "field"}
    assert set(error_out["required"]) == {"code", "detail"}

    # And every operation declares 400/401/403/404/409/422 answering an ErrorOut as JSON
    missing = []
    for path, method, operation in ops:
        for status in ERROR_STATUSES:
            answer = operation["responses"].get(status)
            schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != ERROR_REF:
                missing.append(f"{method.upper()} {path} {status}")
    assert missing == []


def test_the_document_lists_every_dossier_action_route(client: Client) -> None:
    # Given the workflow's actions (every one but "submit" has its own route)
    assert set(ACTION_ROUTES) == set(Action) - {Action.SUBMIT}
    expected = {f"{API}/dossiers/{{code}}/{route}" for route in ACTION_ROUTES.values()}

    # When the client reads the document
    document = openapi(client)

    # Then exactly those action routes are published, each as a POST that needs authentication
    assert dossier_action_paths(document) == expected
    for path in expected:
        assert document["paths"][path]["post"].get("security"), path


@pytest.mark.parametrize("path", ["/auth/token", "/dossiers"])
def test_request_bodies_are_documented(client: Client, path: str) -> None:
    # Given the published document
    document = openapi(client)

    # Then the body-taking POST routes document a JSON request body
    body = document["paths"][f"{API}{path}"]["post"]["requestBody"]
    assert "application/json" in body["content"]
