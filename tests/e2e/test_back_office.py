"""Officers at work in headless Chromium: a receiving officer, a specialist and a leader sign in with their
second factor and take dossiers through a counter intake, a supplement request, an inter-agency transfer, a late
dossier with apology and extension, an approval and a return. Every page is checked with axe-core and
screenshotted; the database is checked after each step."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.helpers import check_accessibility, screenshot

from motcua.catalogue.selectors import form_schema_for
from motcua.dossiers import services
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import build_cast, drive

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "motcua-demo"


class Desk:
    """One officer's browser, signed in with password and TOTP code."""

    def __init__(self, browser: Browser, base: str, officer: Any, label: str) -> None:
        self.context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="vi-VN")
        self.page: Page = self.context.new_page()
        self.base, self.label, self.count = base, label, 0
        device = TOTPDevice.objects.create(user=officer, name="điện thoại", confirmed=True)
        self.page.goto(base + "/nghiep-vu/")
        self.page.get_by_label("Tên đăng nhập").fill(officer.username)
        self.page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        self.page.get_by_role("button", name="Tiếp tục").click()
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.page.get_by_label(re.compile("Mã xác thực")).fill(f"{code:06d}")
        self.page.get_by_role("button", name="Đăng nhập", exact=True).click()
        expect(self.page.get_by_role("heading", name="Việc của tôi")).to_be_visible()

    def check(self, name: str) -> None:
        self.count += 1
        check_accessibility(self.page, context=f"{self.label}: {name}")
        screenshot(self.page, f"backoffice-{self.label}-{self.count:02d}-{name}")

    def open(self, dossier: Dossier) -> None:
        self.page.goto(f"{self.base}/nghiep-vu/ho-so/{dossier.code}/")
        expect(self.page.get_by_role("heading", level=1)).to_have_text(str(dossier.code))

    def act(self, title: str, fill: dict[str, str] | None = None) -> None:
        details = self.page.locator("details", has=self.page.locator("summary", has_text=title))
        details.locator("summary").click()
        for label, value in (fill or {}).items():
            control = details.get_by_label(label, exact=True).first
            if control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(label=value) if not re.fullmatch(
                    r"[\w.]+", value
                ) else control.select_option(value)
            else:
                control.fill(value)
        details.get_by_role("button").click()
        expect(self.page.locator(".notice").first).to_be_visible()

    def close(self) -> None:
        self.context.close()


def _state(dossier: Dossier) -> str:
    dossier.refresh_from_db()
    return str(dossier.status)


def test_officers_work_a_day_at_the_one_stop_office(
    live_server: LiveServer, browser: Browser, demo_world: Any
) -> None:
    cast = build_cast(demo_world)
    base = live_server.url
    counter = Desk(browser, base, cast.counter, "counter")
    counter.check("home")

    # 1. Counter intake for a person who walked in: the same form schema as the portal, accepted on the spot.
    counter.page.get_by_role("link", name="Tiếp nhận hồ sơ tại quầy").click()
    counter.page.get_by_label("Tên hoặc mã thủ tục").fill("dang ky thuong tru")
    counter.page.get_by_role("button", name="Tìm").click()
    counter.page.get_by_role("link", name=re.compile(cast.procedure.national_code)).first.click()
    counter.check("intake")
    counter.page.locator("#f-a_full_name").fill("Lê Thị Hoa")
    counter.page.locator("#f-a_id_number").fill("037185004321")
    counter.page.locator("#f-a_phone").fill("0987000111")
    counter.page.locator("#f-a_address").fill("Thôn 2, phường Phủ Lý")
    for page in form_schema_for(cast.procedure).pages:
        for field in page.fields:
            if not field.required:
                continue
            control = counter.page.locator(f"#f-{field.name}")
            if field.type in ("choice", "checkbox") or (field.type == "select" and len(field.choices) <= 6):
                control.check()
            elif field.type == "select":
                control.select_option(field.choices[0].value)
            elif field.type == "date":
                control.fill("2026-03-01")
            elif field.type in ("year", "number"):
                control.fill("1985")
            elif field.type == "citizen_id":
                control.fill("037185004321")
            else:
                control.fill("Thôn 2, phường Phủ Lý")
    counter.page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(counter.page.get_by_role("heading", level=1)).to_have_text(re.compile(r"H37-\d{6}-\d{4}"))
    walked_in = Dossier.objects.get(applicant_name="Lê Thị Hoa")
    assert walked_in.status == Status.ACCEPTED
    assert walked_in.channel == "in_person"
    counter.check("intake-accepted")
    counter.page.get_by_role("link", name=re.compile("Mẫu 01")).click()
    counter.page.go_back()

    # 2. An online dossier is incomplete: one supplement request listing everything missing.
    online = drive(cast, "submitted")
    counter.open(online)
    counter.check("online-dossier")
    counter.act(
        "Yêu cầu bổ sung (Mẫu 02)", {"Giấy tờ 1": "Giấy tờ chứng minh chỗ ở hợp pháp", "Lý do 1": "Chưa nộp"}
    )
    assert _state(online) == Status.SUPPLEMENT_REQUESTED
    services.supplement(online, actor=cast.citizen, note="Đã bổ sung")
    counter.open(online)
    counter.act("Tiếp nhận (cấp Giấy tiếp nhận – Mẫu 01)")
    assert _state(online) == Status.ACCEPTED

    # 3. The leader assigns it; the specialist transfers part of the work to the finance department.
    leader = Desk(browser, base, cast.leader, "leader")
    leader.open(online)
    leader.act("Phân công xử lý", {"Chuyên viên": cast.specialist.username})
    specialist = Desk(browser, base, cast.specialist, "specialist")
    specialist.page.goto(base + "/nghiep-vu/")
    specialist.check("home")
    specialist.open(online)
    specialist.act(
        "Chuyển liên thông",
        {
            "Cơ quan 1": cast.leg_agency.code,
            "Số ngày làm việc": "2",
            "Phần việc": "Xác nhận nghĩa vụ tài chính",
        },
    )
    assert _state(online) == Status.TRANSFERRED
    leg_officer = Desk(browser, base, cast.leg_specialist, "finance")
    leg_officer.open(online)
    leg_officer.act("Hoàn thành phần việc liên thông")
    assert _state(online) == Status.PROCESSING
    specialist.open(online)
    specialist.check("after-transfer")

    # 4. Running late: apology and a new date (Form 04), confirmed by the counter.
    online.refresh_from_db()
    assert online.due_at is not None
    new_day = (online.due_at + timedelta(days=7)).date().isoformat()
    specialist.act("Xin lỗi và hẹn lại (Mẫu 04)", {"Lý do": "Chờ kết quả xác minh", "Ngày hẹn mới": new_day})
    assert _state(online) == Status.EXTENSION_REQUESTED
    counter.open(online)
    counter.act("Cập nhật ngày hẹn mới")
    online.refresh_from_db()
    assert online.extended_due_at is not None

    # 5. Appraisal, approval by the leader, resolution with a signed result, return online.
    specialist.open(online)
    specialist.act("Thẩm định, trình duyệt", {"Ý kiến thẩm định": "Đủ điều kiện đăng ký thường trú"})
    leader.open(online)
    leader.check("approval")
    leader.act("Phê duyệt")
    assert _state(online) == Status.APPROVED
    specialist.open(online)
    specialist.act(
        "Có kết quả (ký và phát hành bản điện tử)",
        {
            "Tên kết quả": "Thông báo đăng ký thường trú",
            "Nội dung kết quả (mỗi dòng một đoạn)": "Đã đăng ký thường trú.",
        },
    )
    counter.open(online)
    counter.act("Trả kết quả", {"Hình thức trả": "online"})
    assert _state(online) == Status.RETURNED
    counter.check("returned")

    # 6. The leader reads the audit log of the subtree.
    leader.page.goto(base + "/nghiep-vu/nhat-ky/")
    expect(leader.page.get_by_text(str(online.code)).first).to_be_visible()
    leader.check("audit-log")
    for desk in (counter, leader, specialist, leg_officer):
        desk.close()
