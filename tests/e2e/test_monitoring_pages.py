"""The monitoring pages in headless Chromium: a commune leader signs in with the second factor, opens the
dashboard, changes the period, follows a number to the list of the dossiers behind it and downloads the Excel
report; anyone opens the public transparency page, in Vietnamese and in English, with and without JavaScript.
Every page is checked with axe-core and screenshotted."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.helpers import PAGE_BUDGET_BYTES, check_accessibility, page_weight, screenshot

from motcua.catalogue.models import Channel
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import Cast, Ticker, applicant_of, build_cast, drive, vn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "motcua-demo"  # the demo officers' password (dossiers.demo), as in test_back_office.py


def sign_in(page: Page, base: str, officer: Any) -> None:
    """Password, then the TOTP code of a confirmed device (the steps of test_back_office.Desk)."""
    device = TOTPDevice.objects.create(user=officer, name="điện thoại", confirmed=True)
    page.goto(base + "/nghiep-vu/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Tiếp tục").click()
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.get_by_label(re.compile("Mã xác thực")).fill(f"{code:06d}")
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("heading", name="Việc của tôi")).to_be_visible()


def march_dossiers(cast: Cast) -> list[Dossier]:
    """Commune A, March 2026: two dossiers received online, one at the counter."""
    made = [
        drive(cast, "returned", Ticker(vn(2026, 3, 2, 8, 30))),
        drive(cast, "processing", Ticker(vn(2026, 3, 9, 8, 30))),
    ]
    counter = services.submit(
        actor=cast.counter,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        channel=Channel.IN_PERSON,
        applicant=applicant_of(cast.other_citizen),
        delivery_method=DeliveryMethod.COUNTER,
        at=vn(2026, 3, 4, 9),
    )
    made.append(services.accept(counter, actor=cast.counter, at=vn(2026, 3, 4, 10)))
    return made


def test_a_leader_reads_the_dashboard_drills_down_and_downloads_the_report(
    live_server: LiveServer, browser: Browser, demo_world: Any, tmp_path: Path
) -> None:
    cast = build_cast(demo_world)
    made = march_dossiers(cast)
    base = live_server.url
    context = browser.new_context(
        viewport={"width": 1024, "height": 900}, locale="vi-VN", accept_downloads=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    sign_in(page, base, cast.leader)

    page.goto(base + "/nghiep-vu/thong-ke/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thống kê, theo dõi chỉ tiêu")
    expect(page.locator("p.lead")).to_contain_text(cast.commune.name)
    check_accessibility(page, context="dashboard, this year")
    screenshot(page, "monitoring-01-dashboard")

    # The period: March 2026.
    page.get_by_label("Kỳ báo cáo").select_option("month")
    page.get_by_label("Năm (cho tháng, quý, năm)").select_option("2026")
    page.get_by_label("Tháng", exact=True).select_option("3")
    page.get_by_role("button", name="Xem", exact=True).click()
    expect(page.locator("p.lead")).to_contain_text("Tháng 03/2026")
    received = page.locator("dl.rows dd").first.get_by_role("link").first
    expect(received).to_have_text("3")
    expect(page.locator('svg#trend-chart[role="img"]')).to_be_visible()
    check_accessibility(page, context="dashboard, March 2026")
    screenshot(page, "monitoring-02-dashboard-march")

    # A number leads to the dossiers behind it.
    received.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hồ sơ tiếp nhận")
    expect(page.locator("#total")).to_have_text("3")
    for dossier in made:
        expect(page.get_by_role("link", name=str(dossier.code))).to_be_visible()
    check_accessibility(page, context="drill-down list")
    screenshot(page, "monitoring-03-dossiers")
    page.get_by_role("link", name=str(made[0].code)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(str(made[0].code))

    # The Excel report of the same agency and period.
    page.go_back()
    page.get_by_role("link", name="Quay lại trang thống kê").click()
    expect(page.locator("p.lead")).to_contain_text("Tháng 03/2026")
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Tải báo cáo Excel").click()
    download = waiting.value
    assert download.suggested_filename.endswith(".xlsx")
    assert cast.commune.code in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_public_page_opens_without_sign_in_in_vietnamese_and_english(
    live_server: LiveServer, phone_page: Page, nojs_phone_page: Page, demo_world: Any, javascript: bool
) -> None:
    cast = build_cast(demo_world)
    made = march_dossiers(cast)
    page = phone_page if javascript else nojs_phone_page
    tag = "js" if javascript else "nojs"
    page.goto(live_server.url + "/cong-khai/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Công khai kết quả giải quyết thủ tục hành chính"
    )
    expect(page.locator("#units-caption")).to_be_visible()
    check_accessibility(page, context=f"public page, nation ({tag})")
    screenshot(page, f"transparency-01-nation-{tag}")
    if javascript:
        weight = page_weight(live_server.url + "/cong-khai/")
        assert weight.total_compressed_bytes <= PAGE_BUDGET_BYTES, weight.report()

    page.goto(live_server.url + f"/cong-khai/{cast.commune.code}/")
    expect(page.locator("p.lead")).to_have_text(cast.commune.name)
    content = page.content()
    for dossier in made:
        assert str(dossier.code) not in content
        assert dossier.applicant_name not in content
    check_accessibility(page, context=f"public page, commune ({tag})")
    screenshot(page, f"transparency-02-commune-{tag}")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Public results of administrative procedures")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_accessibility(page, context=f"public page in English ({tag})")
    screenshot(page, f"transparency-03-commune-en-{tag}")
