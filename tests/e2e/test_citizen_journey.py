"""A new citizen's whole journey through the portal in headless Chromium, on a phone, with and without
JavaScript: search without diacritics → procedure page → register → fill and submit a birth registration
with an attachment → see the code → officers act through the service layer → answer the supplement
request online → download the signed result → rate the service. Every page is checked with axe-core,
screenshotted at phone width and weighed (≤ 50 KB compressed, user files excluded)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from PIL import Image
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer
from tests.e2e.helpers import PAGE_BUDGET_BYTES, check_accessibility, page_weight, screenshot

from motcua.catalogue.forms import FormPage
from motcua.catalogue.models import Procedure
from motcua.catalogue.selectors import form_schema_for
from motcua.documents.selectors import verify_issued
from motcua.dossiers import results, services
from motcua.dossiers.constants import Status
from motcua.dossiers.models import Dossier, Evaluation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIRTH_REGISTRATION = "1.001193"


def _scan(text: str) -> bytes:
    """A small scanned document, as a phone camera would give it (JPEG), or as a PDF."""
    image = Image.new("RGB", (600, 800), "white")
    buffer = io.BytesIO()
    image.save(buffer, "PDF" if text.endswith(".pdf") else "JPEG")
    return buffer.getvalue()


class Journey:
    """Visits pages, and on each one: axe-core, a phone screenshot, and (when public) its weight."""

    def __init__(self, page: Page, base: str, label: str) -> None:
        self.page, self.base, self.label, self.count = page, base, label, 0
        self.weights: dict[str, int] = {}

    def check(self, name: str, *, weigh: bool = True) -> None:
        self.count += 1
        check_accessibility(self.page, context=f"{self.label}: {name}")
        screenshot(self.page, f"citizen-{self.label}-{self.count:02d}-{name}")
        if weigh:
            cookies = {c["name"]: c["value"] for c in self.page.context.cookies()}
            weight = page_weight(self.page.url, cookies=cookies)
            self.weights[name] = weight.total_compressed_bytes
            assert weight.total_compressed_bytes <= PAGE_BUDGET_BYTES, (
                f"{name} weighs {weight.total_compressed_bytes} B compressed (budget {PAGE_BUDGET_BYTES} B)"
            )

    def continue_(self) -> None:
        self.page.get_by_role("button", name=re.compile("Lưu và tiếp tục|Tiếp tục")).first.click()

    def assert_no_errors(self, where: str) -> None:
        summary = self.page.locator("#error-summary")
        if summary.count():
            pytest.fail(f"{where}: the page refused the answers: {summary.inner_text()}")


def _fill_page(page: Page, form_page: FormPage) -> None:
    """Answer one page of the form schema the way a person would, by the controls' ids and labels."""
    for field in form_page.fields:
        control = page.locator(f"#f-{field.name}")
        if field.type in ("choice",) or (field.type == "select" and len(field.choices) <= 6):
            control.check()
        elif field.type == "select":
            control.select_option(field.choices[0].value)
        elif field.type == "checkbox":
            control.check()
        elif field.prefill and control.input_value():
            continue
        elif field.type == "date":
            control.fill("2026-11-02")
        elif field.type == "year":
            control.fill("1995")
        elif field.type == "number":
            control.fill("1")
        elif field.type == "citizen_id":
            control.fill("037195001234")
        elif field.type == "phone":
            control.fill("0987654321")
        elif field.type == "email":
            control.fill("me@example.vn")
        elif "nationality" in field.name:
            control.fill("Việt Nam")
        elif "name" in field.name:
            control.fill("NGUYỄN VĂN BÌNH")
        else:
            control.fill("Tổ 3, phường Phủ Lý, tỉnh Ninh Bình")


def _walk(page: Page, live_server: LiveServer, demo_world: Any, label: str) -> dict[str, int]:
    base = live_server.url
    journey = Journey(page, base, label)
    commune = demo_world.communes[0]

    # 1. Home and search without diacritics, with a typo.
    page.goto(base + "/")
    journey.check("home")
    page.get_by_label("Tên thủ tục").fill("dang ky khai snh")
    page.get_by_role("button", name="Tìm").click()
    expect(page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True)).to_be_visible()
    expect(page.get_by_text("dự kiến trả").first).to_be_visible()
    journey.check("search")

    # 2. Procedure page.
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    journey.check("procedure")

    # 3. Apply online → sign in → register.
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page).to_have_url(re.compile("/dang-nhap/"))
    journey.check("login")
    page.get_by_role("link", name="Đăng ký").click()
    journey.check("register")
    email = f"binh.{label}@example.vn"
    page.get_by_label("Họ và tên").fill("Trần Thị Bình")
    page.get_by_label("Thư điện tử hoặc số điện thoại").fill(email)
    page.get_by_label("Số định danh cá nhân").fill("037195001234")
    page.get_by_label("Mật khẩu", exact=True).fill("khai-sinh-cho-con")
    page.get_by_label("Nhập lại mật khẩu").fill("a-different-one")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#error-summary")).to_be_visible()  # the mismatch is explained, the rest kept
    expect(page.get_by_label("Họ và tên")).to_have_value("Trần Thị Bình")
    journey.check("register-error")
    page.get_by_label("Mật khẩu", exact=True).fill("khai-sinh-cho-con")
    page.get_by_label("Nhập lại mật khẩu").fill("khai-sinh-cho-con")
    page.get_by_role("button", name="Tạo tài khoản").click()

    # 4. Before you start → the step-by-step form.
    expect(page.get_by_role("heading", name="Trước khi bắt đầu")).to_be_visible()
    journey.check("start")
    page.get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_role("heading", name="Bạn nộp hồ sơ ở đâu?")).to_be_visible()
    journey.check("agency")
    page.get_by_label(commune.name, exact=True).check()
    journey.continue_()

    expect(page.get_by_label("Họ và tên")).to_have_value("Trần Thị Bình")  # prefilled from the account
    page.get_by_label("Số định danh cá nhân").fill("12345")  # a mistake first
    page.get_by_label("Số điện thoại").fill("0987654321")
    page.get_by_label("Địa chỉ liên hệ").fill("Tổ 3, phường Phủ Lý, tỉnh Ninh Bình")
    journey.continue_()
    expect(page.locator("#e-id_number")).to_contain_text("12 chữ số")
    expect(page.get_by_label("Địa chỉ liên hệ")).to_have_value("Tổ 3, phường Phủ Lý, tỉnh Ninh Bình")
    journey.check("applicant-error")
    page.get_by_label("Số định danh cá nhân").fill("037195001234")
    journey.continue_()

    schema = form_schema_for(Procedure.objects.get(national_code=BIRTH_REGISTRATION))
    for form_page in schema.pages:
        expect(page.get_by_role("heading", level=1)).to_have_text(form_page.title_vi)
        _fill_page(page, form_page)
        journey.check(f"form-{form_page.id}")
        journey.continue_()
        journey.assert_no_errors(form_page.id)

    expect(page.get_by_role("heading", name="Cách nhận kết quả")).to_be_visible()
    page.get_by_label("Trực tuyến: tải bản điện tử có chữ ký số").check()
    journey.check("delivery")
    journey.continue_()

    # 5. Attach a scan of the hospital's birth certificate (a JPEG from a phone camera).
    expect(page.get_by_role("heading", name="Giấy tờ kèm theo")).to_be_visible()
    journey.check("files")
    first_file = page.locator("input[type=file]").first
    first_file.set_input_files(
        {"name": "giay-chung-sinh.jpg", "mimeType": "image/jpeg", "buffer": _scan("x.jpg")}
    )
    page.get_by_role("button", name=re.compile("^Tải lên")).first.click()
    expect(page.get_by_role("button", name=re.compile("^Bỏ")).first).to_be_visible()
    page.get_by_role("button", name="Tiếp tục").click()

    # 6. Check your answers → submit → the code and the expected date.
    expect(page.get_by_role("heading", name="Kiểm tra thông tin trước khi nộp")).to_be_visible()
    journey.check("check")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    panel = page.locator(".panel")
    expect(panel).to_contain_text("Mã hồ sơ của bạn")
    code = panel.locator("strong").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.SUBMITTED
    assert dossier.channel == "online"
    assert dossier.applicant_email == email
    assert dossier.attachments.count() == 1
    journey.check("submitted")

    # Public tracking by code shows the status and nothing personal.
    page.goto(f"{base}/tra-cuu/?ma={code}")
    expect(page.get_by_text("Đã nộp, chờ cán bộ kiểm tra")).to_be_visible()
    assert "Trần Thị Bình" not in page.content()
    assert "037195001234" not in page.content()
    journey.check("track")

    # 7. The commune's one-stop officer asks for a supplement (through the service layer).
    counter = demo_world.officers["motcua.xa"]
    services.request_supplement(
        dossier,
        actor=counter,
        missing=[{"document": "Giấy chứng sinh", "reason": "Ảnh chụp bị mờ, không đọc được số giấy"}],
    )
    page.goto(f"{base}/ho-so-cua-toi/{code}/")
    expect(page.get_by_role("heading", name="Cần bổ sung giấy tờ")).to_be_visible()
    expect(page.get_by_text("Ảnh chụp bị mờ").first).to_be_visible()
    journey.check("supplement-requested")
    page.get_by_label(re.compile("Tệp bổ sung")).set_input_files(
        {"name": "giay-chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": _scan("x.pdf")}
    )
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_text("Đã bổ sung, chờ kiểm tra lại")).to_be_visible()
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_RECEIVED

    # 8. Officers accept, process, approve, resolve with a signed result and return it online.
    specialist = demo_world.officers["chuyenvien.xa"]
    leader = demo_world.officers["chutich.xa"]
    dossier = services.accept(dossier, actor=counter)
    dossier = services.assign(dossier, actor=leader, assignee=specialist)
    dossier = services.process(dossier, actor=specialist, opinion="Đủ điều kiện đăng ký khai sinh")
    dossier = services.approve(dossier, actor=leader)
    dossier = results.resolve_with_result(
        dossier,
        actor=specialist,
        title="Giấy khai sinh (bản điện tử)",
        paragraphs=["Họ, chữ đệm và tên: NGUYỄN VĂN BÌNH", "Ngày sinh: 02/11/2026"],
        signer_title="Chủ tịch Ủy ban nhân dân",
    )
    dossier = results.return_online(dossier, actor=counter)
    assert dossier.status == Status.RETURNED

    # 9. Download the result and check it is the signed document we issued.
    page.goto(f"{base}/ho-so-cua-toi/{code}/")
    expect(page.get_by_text("Đã trả kết quả").first).to_be_visible()
    journey.check("returned")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Tải kết quả")).click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    assert verify_issued(dossier.result_code, pdf).authentic

    # 10. Rate the service.
    page.get_by_role("link", name="Đánh giá việc giải quyết").click()
    journey.check("rating")
    page.get_by_role("button", name="Gửi đánh giá").click()  # nothing chosen: told what to do
    expect(page.locator("#error-summary")).to_be_visible()
    page.get_by_label("Rất hài lòng").check()
    page.get_by_label("Đúng hẹn").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá")).to_be_visible()
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert evaluation.satisfaction == "very_satisfied"
    assert get_user_model().objects.get(username=email).dossiers.count() == 1
    return journey.weights


@pytest.mark.parametrize("page_fixture", ["phone_page", "nojs_phone_page"])
def test_a_new_citizen_files_a_birth_registration_and_gets_the_result(
    live_server: LiveServer, page_fixture: str, request: pytest.FixtureRequest, demo_world: Any
) -> None:
    page: Page = request.getfixturevalue(page_fixture)
    weights = _walk(page, live_server, demo_world, "js" if page_fixture == "phone_page" else "nojs")
    assert weights, "pages were weighed"
    assert max(weights.values()) <= PAGE_BUDGET_BYTES
