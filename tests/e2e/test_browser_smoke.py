"""The browser-test infrastructure proven on pages that exist: the portal sign-in, on a phone, with and
without JavaScript; and the helpers proven to catch what they are meant to catch."""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.middleware.gzip import GZipMiddleware
from playwright.sync_api import Page, Request
from pytest_django.live_server_helper import LiveServer
from tests.e2e.helpers import (
    PAGE_BUDGET_BYTES,
    PHONE,
    check_accessibility,
    keyboard_reachable,
    page_weight,
    run_axe,
    screenshot,
    scripting_enabled,
)

from motcua.accounts.models import User
from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld

pytestmark = pytest.mark.browser

SIGN_IN = "/dang-nhap/"  # the citizen portal's sign-in (the admin now needs a second factor first)


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize("page_fixture", ["phone_page", "nojs_phone_page"])
def test_the_sign_in_page_opens_on_a_phone(
    live_server: LiveServer, page_fixture: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(page_fixture)
    javascript = page_fixture == "phone_page"

    response = page.goto(live_server.url + SIGN_IN)

    assert response is not None
    assert response.status == 200
    assert scripting_enabled(page) is javascript
    assert page.locator("#f-login").is_visible()
    assert page.locator("#f-password").is_visible()
    assert keyboard_reachable(page, "#f-password")
    assert run_axe(page) == []
    path = screenshot(page, f"sign-in-{'js' if javascript else 'nojs'}")
    assert path.is_file()
    width, height = _png_size(path)
    assert width == PHONE["width"] * 2  # the phone's width at its 2× density: nothing wider than the screen
    assert height >= PHONE["height"] * 2 - 2


def test_page_weight_counts_what_chromium_downloads(live_server: LiveServer, phone_page: Page) -> None:
    downloaded: dict[str, Request] = {}
    origin = urlsplit(live_server.url).netloc

    def record(finished: Request) -> None:
        if urlsplit(finished.url).netloc == origin:
            downloaded.setdefault(finished.url, finished)

    phone_page.on("requestfinished", record)
    phone_page.goto(live_server.url + SIGN_IN)
    phone_page.wait_for_load_state("networkidle")

    weight = page_weight(live_server.url + SIGN_IN)
    print(weight.report())

    measured = {resource.url: resource for resource in weight.resources}
    browser_files = {url: r for url, r in downloaded.items() if urlsplit(url).path != "/favicon.ico"}
    assert set(browser_files) <= set(measured), "page_weight missed files the browser downloaded"
    for url, finished in browser_files.items():
        on_the_wire = finished.sizes()["responseBodySize"]
        resource = measured[url]
        if resource.kind == "document":
            # Same page with a fresh CSRF token, gzipped with up to 100 random bytes (Django's BREACH counter).
            assert resource.content_encoding == "gzip"
            assert abs(resource.wire_bytes - on_the_wire) <= GZipMiddleware.max_random_bytes + 64, url
        else:
            assert resource.wire_bytes == on_the_wire, url
    assert weight.total_wire_bytes == sum(r.wire_bytes for r in weight.resources)
    assert 0 < weight.total_compressed_bytes <= weight.total_wire_bytes


_BROKEN_PAGE = """<!doctype html><html lang="vi"><head><title>Thử</title></head>
<body><main><h1>Thử</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<button id="reachable">Gửi</button><button id="unreachable" tabindex="-1">Ẩn</button></main></body></html>"""


@pytest.mark.parametrize("page_fixture", ["phone_page", "nojs_phone_page"])
def test_check_accessibility_fails_with_a_readable_list(
    page_fixture: str, request: pytest.FixtureRequest
) -> None:
    page: Page = request.getfixturevalue(page_fixture)
    page.set_content(_BROKEN_PAGE)

    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(page, context="a page with an image without text")

    message = str(failure.value)
    assert "image-alt" in message
    assert "[critical]" in message
    assert "at img" in message
    assert "a page with an image without text" in message


@pytest.mark.parametrize("page_fixture", ["phone_page", "nojs_phone_page"])
def test_check_accessibility_passes_a_clean_page(page_fixture: str, request: pytest.FixtureRequest) -> None:
    page: Page = request.getfixturevalue(page_fixture)
    page.set_content(_BROKEN_PAGE.replace("<img ", '<img alt="" '))

    check_accessibility(page, context="the same page with a decorative image")


def test_keyboard_reachable_tells_focusable_from_skipped(nojs_phone_page: Page) -> None:
    nojs_phone_page.set_content(_BROKEN_PAGE)

    assert keyboard_reachable(nojs_phone_page, "#reachable")
    assert not keyboard_reachable(nojs_phone_page, "#unreachable")


def test_a_form_posts_without_javascript_against_the_test_database(
    live_server: LiveServer, nojs_phone_page: Page, demo_world: DemoWorld
) -> None:
    # Given a demo citizen, created by the domain code in the test's own database
    assert demo_world.citizens  # the demo exists in the database the live server reads
    admin = User.objects.get(username="an.nguyen@example.vn")
    assert admin.last_login is None
    page = nojs_phone_page
    page.goto(live_server.url + SIGN_IN)

    # When they sign in with the plain HTML form (no JavaScript)
    page.fill("#f-login", admin.username)
    page.fill("#f-password", DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()

    # Then the server, on the same database, signed them in, and the test sees it too
    assert urlsplit(page.url).path == "/ho-so-cua-toi/"
    admin.refresh_from_db()
    assert admin.last_login is not None
    screenshot(page, "my-dossiers-nojs")


@pytest.mark.parametrize("page_fixture", ["phone_page", "nojs_phone_page"])
def test_portal_home_passes_the_citizen_page_checks(
    live_server: LiveServer, page_fixture: str, request: pytest.FixtureRequest, reference_data: None
) -> None:
    page: Page = request.getfixturevalue(page_fixture)
    javascript = page_fixture == "phone_page"

    response = page.goto(live_server.url + "/")

    assert response is not None
    assert response.status == 200
    check_accessibility(page, context=f"portal home ({'js' if javascript else 'no js'})")
    assert keyboard_reachable(page, "input[type=search]")
    screenshot(page, f"portal-home-{'js' if javascript else 'nojs'}")
    weight = page_weight(live_server.url + "/")
    assert weight.total_compressed_bytes <= PAGE_BUDGET_BYTES, weight.report()
    assert not weight.external, "files from other origins escape the weight budget"
