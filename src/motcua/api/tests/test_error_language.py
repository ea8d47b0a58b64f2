"""Error answers speak the language of ``Accept-Language``: Vietnamese by default, English on request."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from .conftest import API, assert_error, post_json

ENGLISH = ["en", "en-US,en;q=0.9", "en-GB"]
VIETNAMESE = [None, "vi", "vi-VN,vi;q=0.9,en;q=0.5", "fr"]  # None: no header; fr: unsupported → default


def with_language(language: str | None) -> dict[str, str] | None:
    return {"Accept-Language": language} if language else None


@pytest.mark.parametrize("language", ENGLISH)
def test_not_found_in_english(client: Client, reference_data: None, language: str) -> None:
    # When an English-speaking client reads an unknown procedure
    response = client.get(f"{API}/procedures/9.999999", headers=with_language(language))

    # Then the same code, with the English message
    body = assert_error(response, 404, "procedure_not_found", "code")
    assert body["detail"] == "No procedure has the code 9.999999."


@pytest.mark.parametrize("language", VIETNAMESE)
def test_not_found_in_vietnamese(client: Client, reference_data: None, language: str | None) -> None:
    # When a client reads an unknown procedure in Vietnamese (or without saying)
    response = client.get(f"{API}/procedures/9.999999", headers=with_language(language))

    # Then the Vietnamese message
    body = assert_error(response, 404, "procedure_not_found", "code")
    assert body["detail"] == "Không tìm thấy thủ tục có mã 9.999999."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Please type the name or code of a procedure."),
        ("vi", "Vui lòng nhập tên hoặc mã thủ tục cần tìm."),
        (None, "Vui lòng nhập tên hoặc mã thủ tục cần tìm."),
    ],
)
def test_bad_request_follows_the_language(
    client: Client, reference_data: None, language: str | None, expected: str
) -> None:
    # When the search query is empty
    response = client.get(f"{API}/procedures?q=", headers=with_language(language))

    # Then the 400 detail is in the language asked
    assert assert_error(response, 400, "search_query_empty", "q")["detail"] == expected


@pytest.mark.parametrize(
    ("language", "phrase"),
    [("en", "Invalid value for 'unit'"), ("vi", "Dữ liệu không hợp lệ ở trường 'unit'")],
)
def test_validation_errors_follow_the_language(
    client: Client, reference_data: None, language: str, phrase: str
) -> None:
    # When a query parameter fails validation
    response = client.get(
        f"{API}/calendar/due-date?received_at=2025-04-24T09:00:00%2B07:00&limit=5&unit=weeks",
        headers=with_language(language),
    )

    # Then the 422 detail names the field in the language asked
    assert phrase in assert_error(response, 422, "invalid_input", "unit")["detail"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Please sign in to continue."), ("vi", "Vui lòng đăng nhập để tiếp tục.")],
)
def test_authentication_errors_follow_the_language(
    client: Client, reference_data: None, language: str, expected: str
) -> None:
    # When an anonymous client lists dossiers
    response = client.get(f"{API}/dossiers", headers=with_language(language))

    # Then the 401 detail is in the language asked
    assert assert_error(response, 401, "not_authenticated", None)["detail"] == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Wrong username or password."), ("vi", "Tên đăng nhập hoặc mật khẩu không đúng.")],
)
def test_wrong_credentials_follow_the_language(
    client: Client, demo_world: Any, language: str, expected: str
) -> None:
    # When a client signs in with a wrong password
    response = post_json(
        client,
        "/auth/token",
        {"username": "motcua.xa", "password": "not-the-password"},
        with_language(language),
    )

    # Then the 401 detail is in the language asked
    assert assert_error(response, 401, "invalid_credentials")["detail"] == expected
