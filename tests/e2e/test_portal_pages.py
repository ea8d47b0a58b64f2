"""Every public citizen page in headless Chromium at phone width, in Vietnamese and in English, with and
without JavaScript: zero axe-core violations, a screenshot, ≤ 50 KB compressed; the language switch and the
search work from the keyboard; signing in through the national SSO (its simulator, started here) works in
a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.helpers import (
    PAGE_BUDGET_BYTES,
    check_accessibility,
    keyboard_reachable,
    page_weight,
    screenshot,
)

from motcua.catalogue.selectors import life_events
from motcua.integrations.sso.simulator import ClientRegistration, SsoSimulator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = [
    ("home", "/"),
    ("search", "/thu-tuc/?q=Dang%20ky%20ket%20hon"),
    ("search-empty", "/thu-tuc/?q="),
    ("procedure-birth", "/thu-tuc/1.001193/"),
    ("procedure-construction", "/thu-tuc/1.005126/"),
    ("fields", "/linh-vuc/"),
    ("agencies", "/co-quan/"),
    ("track", "/tra-cuu/"),
    ("track-unknown", "/tra-cuu/?ma=KHONG-CO"),
    ("login", "/dang-nhap/"),
    ("register", "/dang-ky/"),
    ("verify", "/xac-thuc/"),
    ("verify-unknown", "/xac-thuc/KHONG-CO-KQ1/"),
    ("not-found", "/khong-co-trang-nay/"),
]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_public_pages_are_accessible_small_and_readable_on_a_phone(
    live_server: LiveServer, nojs_phone_page: Page, demo_world: Any, language: str
) -> None:
    page = nojs_phone_page
    if language == "en":
        page.goto(live_server.url + "/")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    events = [(f"event-{e.slug}", f"/su-kien/{e.slug}/") for e in life_events()]
    for name, path in [*PUBLIC_PAGES, *events]:
        page.goto(live_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        check_accessibility(page, context=f"{name} ({language})")
        screenshot(page, f"public-{language}-{name}")
        if name in ("not-found", "verify-unknown"):
            continue  # answered 404 on purpose; the weighing helper wants a 200
        cookies = {c["name"]: c["value"] for c in page.context.cookies()}
        weight = page_weight(page.url, cookies=cookies)
        assert weight.total_compressed_bytes <= PAGE_BUDGET_BYTES, (
            f"{name}: {weight.total_compressed_bytes} B"
        )


def test_the_language_switch_keeps_the_page_and_english_reads_english(
    live_server: LiveServer, nojs_phone_page: Page, reference_data: None
) -> None:
    page = nojs_phone_page
    page.goto(live_server.url + "/thu-tuc/1.001193/")
    expect(page.get_by_role("heading", name="Thời hạn và phí, lệ phí")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile("/thu-tuc/1.001193/$"))
    expect(page.get_by_role("heading", name="Time limit and fees")).to_be_visible()
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", name="Thời hạn và phí, lệ phí")).to_be_visible()


def test_search_works_with_the_keyboard_alone(
    live_server: LiveServer, phone_page: Page, reference_data: None
) -> None:
    page = phone_page
    page.goto(live_server.url + "/")
    assert keyboard_reachable(page, "#q")
    assert keyboard_reachable(page, "form[role=search] button")
    page.locator("#q").focus()
    page.keyboard.type("cap ban sao trich luc ho tich")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Kết quả")
    first = page.locator(".results a").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/thu-tuc/" in page.url


@pytest.fixture
def sso(live_server: LiveServer, settings: Any) -> Iterator[SsoSimulator]:
    callback = f"{live_server.url}/oidc/callback/"
    clients = {"motcua-portal": ClientRegistration("motcua-portal-secret", (callback,), "motcua")}
    with SsoSimulator("127.0.0.1", 0, clients) as simulator:
        settings.OIDC_ISSUER = simulator.issuer
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{simulator.issuer}/oauth2/authorize"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{simulator.issuer}/oauth2/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{simulator.issuer}/oauth2/userinfo"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{simulator.issuer}/oauth2/jwks"
        settings.OIDC_RP_CLIENT_ID = "motcua-portal"
        settings.OIDC_RP_CLIENT_SECRET = "motcua-portal-secret"
        yield simulator


def test_a_citizen_signs_in_with_the_national_identity(
    live_server: LiveServer, nojs_phone_page: Page, sso: SsoSimulator, reference_data: None
) -> None:
    page = nojs_phone_page
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_role("link", name=re.compile("VNeID")).click()
    expect(page).to_have_url(re.compile(re.escape(sso.issuer)))
    screenshot(page, "sso-simulator-chooser")
    page.get_by_role("button", name=re.compile("Nguyễn Thị Lan")).first.click()
    expect(page.get_by_role("heading", name="Hồ sơ của tôi")).to_be_visible()
    check_accessibility(page, context="my dossiers after SSO sign-in")
    user = get_user_model().objects.get(full_name="Nguyễn Thị Lan")
    assert len(user.citizen_id_number) == 12
    assert not user.has_usable_password()


def test_refusing_consent_at_the_sso_says_so_and_offers_to_retry(
    live_server: LiveServer, nojs_phone_page: Page, sso: SsoSimulator, reference_data: None
) -> None:
    page = nojs_phone_page
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_role("link", name=re.compile("VNeID")).click()
    page.get_by_role("button", name=re.compile("Từ chối")).click()
    expect(page.get_by_role("alert")).to_contain_text("không thành công hoặc đã bị huỷ")
    check_accessibility(page, context="login after refused SSO")
