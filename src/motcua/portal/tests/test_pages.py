"""The citizen portal through Django's test client: the pages a citizen opens, in the order they open them.

The demo province (``dossiers.demo.build_world``) offers the 25 common procedures online; officers act
through the service layer, as the back office would. Expectations come from the catalogue, the form schemas,
the calendar and the services, never from a copy of a page.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import translation
from django.utils.html import escape

from motcua.accounts.models import User
from motcua.calendar.services import load_calendar
from motcua.catalogue.forms import FormField, validate_page
from motcua.catalogue.models import Channel, Field, Procedure, ProcedureChannel
from motcua.catalogue.selectors import life_events
from motcua.core.clock import VN_TZ, now, to_vn
from motcua.core.errors import DomainError
from motcua.documents import selectors as document_selectors
from motcua.documents import services as documents
from motcua.documents import uploads
from motcua.documents.models import IssuedDocument, StoredFile
from motcua.documents.tests.samples import image_bytes, pdf_bytes
from motcua.dossiers import citizen, drafts, results, services
from motcua.dossiers.constants import Status
from motcua.dossiers.demo import DEMO_PASSWORD, DemoWorld
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierAttachment, DossierDraft, Evaluation
from motcua.dossiers.tests.factories import MISSING, Cast, Ticker, build_cast, drive, vn
from motcua.portal import urls as portal_urls
from motcua.portal import views

BIRTH_REGISTRATION = "1.001193"
RESIDENCE = "1.004222"


@pytest.fixture(autouse=True)
def private_folders(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.FILE_STORAGE_DIR = tmp_path / "var" / "files"
    settings.STATIC_ROOT = tmp_path
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = settings.SIGNING_CHAIN_FILE = None
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"


@pytest.fixture
def cast(demo_world: DemoWorld) -> Cast:
    return build_cast(demo_world)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    return str(response.content.decode())


def input_value(page: str, name: str) -> str | None:
    """The value shown in the text input called ``name`` (None if there is no such input)."""
    tag = re.search(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def valid_answer(field: FormField) -> str:
    """A valid answer of the field's type within its bounds, as a careful citizen would type it."""
    today = to_vn(now()).date()
    if field.type == "date":
        answer = today - timedelta(days=30)
        if isinstance(field.min, str) and field.min != "today":
            answer = max(answer, date.fromisoformat(field.min))
        return answer.strftime("%d/%m/%Y")
    if field.type == "year":
        return "1990"
    if field.type == "number":
        return str(field.min if isinstance(field.min, int) else 1)
    if field.type in ("choice", "select"):
        return field.choices[0].value
    return {
        "checkbox": "on",
        "citizen_id": "037090001234",
        "phone": "0912345678",
        "email": "an@example.vn",
        "textarea": "Đề nghị cấp giấy tờ theo quy định.",
    }.get(field.type, "Nguyễn Văn Bé")


def _birth() -> Procedure:
    return Procedure.objects.get(national_code=BIRTH_REGISTRATION)


def _upload(owner: User, name: str = "giay-to.png") -> StoredFile:
    return documents.store_upload(image_bytes("PNG"), name=name, owner=owner)


def returned_with_result(cast: Cast) -> Dossier:
    """A dossier of the cast's citizen, resolved with a signed result and returned online."""
    clock = Ticker(vn(2026, 3, 2, 8, 30))
    dossier = drive(cast, "approved", clock)
    dossier = results.resolve_with_result(
        dossier,
        actor=cast.specialist,
        title="Xác nhận đăng ký thường trú",
        paragraphs=["Đã đăng ký thường trú tại thôn Đông."],
        at=clock(),
    )
    return results.return_online(dossier, actor=cast.counter, at=clock())


# --- Public pages in both languages ------------------------------------------------------------------


def _public_pages(world: DemoWorld) -> list[str]:
    field = Field.objects.order_by("id").first()
    assert field is not None
    return [
        "/",
        "/thu-tuc/?q=dang+ky+khai+sinh",
        f"/thu-tuc/{BIRTH_REGISTRATION}/",
        f"/su-kien/{life_events()[0].slug}/",
        "/linh-vuc/",
        f"/linh-vuc/{field.id}/",
        "/co-quan/",
        f"/co-quan/{world.communes[0].code}/",
        "/tra-cuu/",
        "/tra-cuu/?ma=khong-co-ma-nay",
        "/xac-thuc/",
        "/dang-nhap/",
        "/dang-ky/",
    ]


def test_every_public_page_answers_in_vietnamese_then_in_english(demo_world: DemoWorld) -> None:
    client = Client()
    pages = _public_pages(demo_world)
    for path in pages:
        page = html(client.get(path))
        assert '<html lang="vi">' in page, path
        assert "Tra cứu hồ sơ" in page, path
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    for path in pages:
        page = html(client.get(path))
        assert '<html lang="en">' in page, path
        assert "Track a dossier" in page, path
        assert "Tra cứu hồ sơ" not in page, path
    event = life_events()[0]
    assert escape(event.title_en) in html(client.get(f"/su-kien/{event.slug}/"))
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert escape(event.title_vi) in html(client.get(f"/su-kien/{event.slug}/"))


def test_unknown_pages_answer_404_with_the_portal_page(demo_world: DemoWorld) -> None:
    client = Client()
    for path in ("/thu-tuc/9.999999/", "/su-kien/khong-co/", "/linh-vuc/999999/", "/co-quan/000.00.00.X00/"):
        response = client.get(path)
        assert response.status_code == 404, path


def result_items(page: str) -> list[str]:
    """The items of the list of results, in the order shown."""
    block = re.search(r'<ul class="results">(.*?)</ul>', page, flags=re.S)
    assert block is not None
    return [item for item in block.group(1).split("<li>") if "/thu-tuc/" in item]


def _nth_working_day_after(start: date, count: int) -> date:
    calendar = load_calendar()
    day = start
    while count:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count -= 1
    return day


def test_search_shows_the_expected_return_date_and_the_fee(
    demo_world: DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monday = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
    monkeypatch.setattr(views, "now", lambda: monday)
    online = ProcedureChannel.objects.get(procedure__national_code=RESIDENCE, channel=Channel.ONLINE)
    assert online.time_unit == "working_days"
    assert online.time_limit is not None
    assert online.fee_amount is not None
    page = html(Client().get("/thu-tuc/", {"q": "dang ky thuong tru"}))
    rows = result_items(page)
    row = next(r for r in rows if f'href="/thu-tuc/{RESIDENCE}/"' in r)
    expected = _nth_working_day_after(monday.date(), int(online.time_limit))
    assert expected.strftime("%d/%m/%Y") in row
    assert f"{int(online.fee_amount):,}".replace(",", ".") in row
    assert rows.index(row) == 0  # the exact name comes first


def test_search_without_diacritics_and_with_a_typo_leads_to_the_procedure(demo_world: DemoWorld) -> None:
    page = html(Client().get("/thu-tuc/", {"q": "dang ky khai snh"}))
    assert f'href="/thu-tuc/{BIRTH_REGISTRATION}/"' in result_items(page)[0]
    page = html(Client().get("/thu-tuc/", {"q": ""}))
    assert 'id="e-q"' in page


# --- The whole online submission through the pages --------------------------------------------------


def _follow_step(client: Client, response: Any) -> str:
    assert response.status_code == 302, response.content[:2000]
    return str(response["Location"])


def test_a_new_citizen_submits_a_birth_registration_through_the_pages(demo_world: DemoWorld) -> None:
    client = Client()
    procedure_page = html(client.get(f"/thu-tuc/{BIRTH_REGISTRATION}/"))
    apply_url = f"/thu-tuc/{BIRTH_REGISTRATION}/nop-truc-tuyen/"
    assert f'"{apply_url}"' in procedure_page
    for offering in demo_world.offerings:
        if offering.procedure.national_code == BIRTH_REGISTRATION:
            assert escape(offering.agency.name) in procedure_page

    # not signed in yet: the portal asks to sign in, and the way to register keeps where we were going
    location = _follow_step(client, client.get(apply_url))
    assert location == f"/dang-nhap/?next={apply_url}"
    login_page = html(client.get(location))
    register_link = re.search(r'href="(/dang-ky/\?next=[^"]+)"', login_page)
    assert register_link is not None
    html(client.get(register_link.group(1).replace("&amp;", "&")))
    location = _follow_step(
        client,
        client.post(
            "/dang-ky/",
            {
                "full_name": "Đinh Thị Lan",
                "login": "+84 987 654 321",
                "citizen_id_number": "037195004321",
                "password": "ninh-binh-que-toi",
                "password_again": "ninh-binh-que-toi",
                "next": apply_url,
            },
        ),
    )
    assert location == apply_url
    me = User.objects.get(username="0987654321")

    # signed up, back where we were going: start the form
    start_page = html(client.get(location))
    assert 'method="post"' in start_page
    assert not DossierDraft.objects.filter(owner=me).exists()  # a GET starts nothing
    location = _follow_step(client, client.post(apply_url))
    draft = DossierDraft.objects.get(owner=me)
    schema = drafts.schema_of(draft)
    steps = ["agency", "applicant", *[f"q-{p.id}" for p in schema.pages], "delivery", "files", "check"]
    assert location == f"/ho-so-nhap/{draft.token}/agency/"
    agency = drafts.online_agencies(draft.procedure)[0]
    page = html(client.get(location))
    assert escape(agency.name) in page
    location = _follow_step(client, client.post(location, {"agency": agency.code}))
    assert location == f"/ho-so-nhap/{draft.token}/applicant/"

    page = html(client.get(location))
    assert input_value(page, "full_name") == "Đinh Thị Lan"  # taken from the account
    assert input_value(page, "id_number") == "037195004321"
    applicant = {f.name: valid_answer(f) for f in drafts.APPLICANT_PAGE.fields}
    applicant.update(full_name="Đinh Thị Lan", id_number="037195004321", address="Thôn Đông, xã Gia Viễn")
    location = _follow_step(client, client.post(location, applicant))
    for position, page_def in enumerate(schema.pages):
        step = f"q-{page_def.id}"
        assert location == f"/ho-so-nhap/{draft.token}/{step}/"
        page = html(client.get(location))
        for field in page_def.fields:
            assert f'name="{field.name}"' in page
        answers = {f.name: valid_answer(f) for f in page_def.fields}
        if position == 0:
            answers[page_def.fields[0].name] = "Đinh Gia Bảo"
        location = _follow_step(client, client.post(location, answers))
    assert location == f"/ho-so-nhap/{draft.token}/delivery/"
    location = _follow_step(client, client.post(location, {"method": "online"}))
    assert location == f"/ho-so-nhap/{draft.token}/files/"

    requirement = draft.procedure.documents.order_by("id").first()
    assert requirement is not None
    upload = SimpleUploadedFile("giay-chung-sinh.pdf", pdf_bytes("Giấy chứng sinh"), "application/pdf")
    back = _follow_step(
        client, client.post(location, {"action": "upload", "requirement": requirement.id, "file": upload})
    )
    assert back == location
    assert escape(requirement.name[:30]) in html(client.get(location))
    location = _follow_step(client, client.post(location, {"action": "continue"}))
    assert location == f"/ho-so-nhap/{draft.token}/check/"

    check = html(client.get(location))
    assert "Đinh Gia Bảo" in check
    assert escape(agency.name) in check
    assert 'role="alert"' not in check  # nothing missing
    assert f"{len(steps)} / {len(steps)}" in check
    location = _follow_step(client, client.post(location))
    dossier = Dossier.objects.get(applicant=me)
    assert location == f"/ho-so-cua-toi/{dossier.code}/?moi=1"
    page = html(client.get(location))
    assert f"<strong>{dossier.code}</strong>" in page
    assert dossier.channel == Channel.ONLINE
    assert dossier.status == Status.SUBMITTED
    assert dossier.form_data["answers"][schema.pages[0].fields[0].name] == "Đinh Gia Bảo"
    attachment = DossierAttachment.objects.get(dossier=dossier)
    assert (attachment.requirement_id, attachment.purpose) == (requirement.id, AttachmentPurpose.SUBMISSION)
    assert str(dossier.code) in html(client.get("/ho-so-cua-toi/"))
    receipt = client.get(f"/ho-so-cua-toi/{dossier.code}/giay-tiep-nhan.pdf")
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"


def test_errors_are_shown_next_to_the_field_and_in_the_summary_keeping_what_was_typed(cast: Cast) -> None:
    client = signed_in(cast.citizen)
    draft = drafts.start_draft(owner=cast.citizen, procedure=_birth())
    page_def = drafts.schema_of(draft).pages[0]
    date_field = next(f for f in page_def.fields if f.type == "date")
    required_text = next(f for f in page_def.fields if f.type == "text" and f.required)
    kept_field = next(f for f in page_def.fields if f.type == "text" and f.name != required_text.name)
    typed = {date_field.name: "31/02/2025", required_text.name: "", kept_field.name: "Bệnh viện Sản Nhi"}
    url = f"/ho-so-nhap/{draft.token}/q-{page_def.id}/"
    _, expected = validate_page(page_def, typed, today=to_vn(now()).date())
    assert set(expected) >= {date_field.name, required_text.name}

    page = html(client.post(url, typed))
    assert 'id="error-summary"' in page
    for name, error in expected.items():
        assert f'href="#f-{name}"' in page  # the summary leads to the field
        assert f'id="e-{name}"' in page  # and the message sits next to it
        assert escape(error.message_vi) in page
    assert input_value(page, date_field.name) == "31/02/2025"
    assert input_value(page, kept_field.name) == "Bệnh viện Sản Nhi"
    assert "<title>Lỗi: " in page
    draft.refresh_from_db()
    assert draft.answers["form"][date_field.name] == "31/02/2025"  # kept, even though it is wrong
    assert draft.answers["form"][kept_field.name] == "Bệnh viện Sản Nhi"

    client.post("/i18n/setlang/", {"language": "en", "next": url})
    page = html(client.post(url, typed))
    for error in expected.values():
        assert escape(error.message_en) in page


def test_after_a_session_expiry_the_typed_answers_are_kept_once_signed_in_again(cast: Cast) -> None:
    draft = drafts.start_draft(owner=cast.citizen, procedure=_birth())
    page_def = drafts.schema_of(draft).pages[0]
    typed = {f.name: valid_answer(f) for f in page_def.fields}
    typed[page_def.fields[0].name] = "Nguyễn Hoàng Phúc"
    url = f"/ho-so-nhap/{draft.token}/q-{page_def.id}/"

    expired = Client()  # the session is gone: the same person, no sign-in any more
    response = expired.post(url, typed)
    assert response.status_code == 302
    assert response["Location"] == f"/dang-nhap/?next={url}"
    draft.refresh_from_db()
    assert draft.answers["form"] == {}  # nothing written for an anonymous request
    login_page = html(expired.get(response["Location"]))
    assert "Phiên làm việc đã hết hạn" in login_page

    response = expired.post(
        "/dang-nhap/", {"login": cast.citizen.username, "password": DEMO_PASSWORD, "next": url}
    )
    assert response.status_code == 302
    assert response["Location"] == url
    page = html(expired.get(url))
    assert input_value(page, page_def.fields[0].name) == "Nguyễn Hoàng Phúc"
    draft.refresh_from_db()
    cleaned, errors = validate_page(page_def, typed, today=to_vn(now()).date())
    assert errors == {}
    assert draft.answers["form"] == cleaned
    # replayed once only
    assert "portal_pending_post" not in expired.session


def test_a_draft_step_of_an_unknown_step_or_token_is_404(cast: Cast) -> None:
    draft = drafts.start_draft(owner=cast.citizen, procedure=_birth())
    client = signed_in(cast.citizen)
    assert client.get(f"/ho-so-nhap/{draft.token}/q-khong-co/").status_code == 404
    assert client.get("/ho-so-nhap/khong-phai-ma/check/").status_code == 404


# --- Nobody sees another citizen's things ------------------------------------------------------------


def _routes(prefix: str) -> list[URLPattern]:
    patterns = [p for p in portal_urls.urlpatterns if isinstance(p, URLPattern)]
    found = [p for p in patterns if str(p.pattern).startswith(prefix)]
    assert found
    return found


def test_a_citizen_gets_404_for_every_url_of_another_citizens_dossier(cast: Cast) -> None:
    dossier = returned_with_result(cast)
    own_file = _upload(cast.citizen)
    DossierAttachment.objects.create(
        dossier=dossier, stored_file=own_file, label="Tờ khai", purpose=AttachmentPurpose.SUBMISSION
    )
    result = results.result_attachment(dossier)
    assert result is not None
    owner, stranger = signed_in(cast.citizen), signed_in(cast.other_citizen)
    urls = []
    for route in _routes("ho-so-cua-toi/<str:code>"):
        kwargs: dict[str, str] = {"code": str(dossier.code)}
        if "<str:token>" in str(route.pattern):
            kwargs["token"] = str(own_file.token)
        urls.append(reverse(f"portal:{route.name}", kwargs=kwargs))
    urls.append(
        reverse("portal:dossier_file", kwargs={"code": dossier.code, "token": str(result.stored_file.token)})
    )
    assert len(urls) >= 7
    issued_before = IssuedDocument.objects.count()
    for url in urls:
        assert stranger.get(url).status_code == 404, url
        assert (
            stranger.post(url, {"reason": "Không cần nữa", "satisfaction": "satisfied"}).status_code == 404
        ), url
    assert IssuedDocument.objects.count() == issued_before  # not even a receipt was issued for the stranger
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert not Evaluation.objects.exists()
    for url in urls:  # the same addresses work for the applicant, so the 404s are about who asks
        assert owner.get(url).status_code in (200, 302), url


def test_a_citizen_gets_404_for_another_citizens_draft(cast: Cast) -> None:
    draft = drafts.start_draft(owner=cast.citizen, procedure=_birth())
    stranger = signed_in(cast.other_citizen)
    steps = [
        "agency",
        "applicant",
        *[f"q-{p.id}" for p in drafts.schema_of(draft).pages],
        "delivery",
        "files",
        "check",
    ]
    for step in steps:
        url = f"/ho-so-nhap/{draft.token}/{step}/"
        assert stranger.get(url).status_code == 404, url
        assert (
            stranger.post(url, {"address": "x", "method": "online", "action": "continue"}).status_code == 404
        )
    assert stranger.post(f"/ho-so-nhap/{draft.token}/xoa/").status_code == 404
    draft.refresh_from_db()
    assert draft.answers["applicant"]["address"] == ""
    assert signed_in(cast.citizen).get(f"/ho-so-nhap/{draft.token}/check/").status_code == 200
    assert signed_in(cast.citizen).post(f"/ho-so-nhap/{draft.token}/xoa/").status_code == 302
    assert not DossierDraft.objects.filter(pk=draft.pk).exists()


def test_a_citizen_cannot_reuse_a_file_from_another_citizens_store(cast: Cast) -> None:
    dossier = returned_with_result(cast)  # the result is in the first citizen's store
    theirs = document_selectors.store_of(cast.citizen).get()
    draft = drafts.start_draft(owner=cast.other_citizen, procedure=_birth())
    response = signed_in(cast.other_citizen).post(
        f"/ho-so-nhap/{draft.token}/files/", {"action": "reuse", "document": str(theirs.stored_file.token)}
    )
    assert 'id="e-file"' in html(response)
    draft.refresh_from_db()
    assert draft.answers["files"] == {}
    assert dossier.applicant == cast.citizen


def test_officers_get_the_page_for_citizens(cast: Cast) -> None:
    dossier = drive(cast, "submitted")
    officer = signed_in(cast.counter)
    for url in (
        "/ho-so-cua-toi/",
        f"/ho-so-cua-toi/{dossier.code}/",
        f"/ho-so-cua-toi/{dossier.code}/ket-qua.pdf",
    ):
        response = officer.get(url)
        assert response.status_code == 403, url
        assert "Trang này dành cho công dân" in response.content.decode()
    assert officer.post(f"/thu-tuc/{BIRTH_REGISTRATION}/nop-truc-tuyen/").status_code == 403
    assert not DossierDraft.objects.filter(owner=cast.counter).exists()


# --- Tracking ------------------------------------------------------------------------------------------


def test_public_tracking_shows_the_status_but_no_personal_data(cast: Cast) -> None:
    dossier = services.submit(
        actor=cast.citizen,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        channel=Channel.ONLINE,
        applicant=services.Applicant(
            "Phạm Thị Thu Trang", "036188012345", "0977123456", "trang@example.vn", "Số 12 phố Lương Văn Tụy"
        ),
        at=vn(2026, 3, 2, 9, 0),
    )
    dossier = services.accept(dossier, actor=cast.counter, at=vn(2026, 3, 2, 10, 0))
    page = html(Client().get("/tra-cuu/", {"ma": str(dossier.code)}))
    assert str(dossier.code) in page
    with translation.override("vi"):
        assert escape(citizen.plain_status(dossier.status)) in page
    assert escape(dossier.procedure.name) in page
    assert dossier.due_at is not None
    assert to_vn(dossier.due_at).strftime("%d/%m/%Y") in page
    for personal in ("Phạm Thị Thu Trang", "036188012345", "0977123456", "trang@example.vn", "Lương Văn Tụy"):
        assert personal not in page
        assert escape(personal) not in page
    page = html(Client().get("/tra-cuu/", {"ma": "000.00.00.H37-260302-9999"}))
    assert 'id="e-ma"' in page


# --- After submission ---------------------------------------------------------------------------------


def test_a_file_that_is_not_pdf_jpeg_or_png_is_refused_on_the_files_step(cast: Cast) -> None:
    draft = drafts.start_draft(owner=cast.citizen, procedure=_birth())
    requirement = draft.procedure.documents.order_by("id").first()
    assert requirement is not None
    content = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
    with pytest.raises(DomainError) as expected:
        uploads.detect(content)
    files_before = StoredFile.objects.count()
    client = signed_in(cast.citizen)
    fake = SimpleUploadedFile("giay-chung-sinh.pdf", content, content_type="application/pdf")
    page = html(
        client.post(
            f"/ho-so-nhap/{draft.token}/files/",
            {"action": "upload", "requirement": requirement.id, "file": fake},
        )
    )
    assert 'id="error-summary"' in page
    assert 'href="#f-file"' in page
    assert 'id="e-file"' in page
    assert escape(expected.value.message_vi) in page
    assert StoredFile.objects.count() == files_before
    draft.refresh_from_db()
    assert draft.answers["files"] == {}


def test_a_supplement_request_is_answered_on_the_dossier_page(cast: Cast) -> None:
    dossier = drive(cast, "supplement_requested")
    client = signed_in(cast.citizen)
    url = f"/ho-so-cua-toi/{dossier.code}/"
    page = html(client.get(url))
    for item in MISSING:
        assert escape(item["document"]) in page
        assert escape(item["reason"]) in page

    bad = SimpleUploadedFile("ban-chup.pdf", b"not a pdf at all", "application/pdf")
    page = html(client.post(url, {"file": bad}))
    assert 'id="e-file"' in page
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED

    good = [
        SimpleUploadedFile("cho-o-1.png", image_bytes("PNG"), "image/png"),
        SimpleUploadedFile("cho-o-2.jpg", image_bytes("JPEG"), "image/jpeg"),
    ]
    response = client.post(url, {"file": good, "note": "Gửi bản rõ nét"})
    assert response.status_code == 302
    assert response["Location"] == url
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_RECEIVED
    sent = DossierAttachment.objects.filter(dossier=dossier, purpose=AttachmentPurpose.SUPPLEMENT)
    assert sent.count() == 2
    assert {a.stored_file.owner_id for a in sent} == {cast.citizen.id}
    page = html(client.get(url))
    with translation.override("vi"):
        assert escape(citizen.plain_status(Status.SUPPLEMENT_RECEIVED)) in page
    assert 'name="file"' not in page  # nothing more to send


def test_the_result_is_downloaded_after_it_is_returned(cast: Cast) -> None:
    client = signed_in(cast.citizen)
    approved = drive(cast, "approved")
    assert client.get(f"/ho-so-cua-toi/{approved.code}/ket-qua.pdf").status_code == 404
    dossier = returned_with_result(cast)
    page = html(client.get(f"/ho-so-cua-toi/{dossier.code}/"))
    assert f"/ho-so-cua-toi/{dossier.code}/ket-qua.pdf" in page
    response = client.get(f"/ho-so-cua-toi/{dossier.code}/ket-qua.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    body = response.getvalue()
    issued = IssuedDocument.objects.get(code=dossier.result_code)
    assert hashlib.sha256(body).hexdigest() == issued.sha256
    assert document_selectors.verify_issued(dossier.result_code, body).authentic


def test_the_rating_page(cast: Cast) -> None:
    dossier = returned_with_result(cast)
    client = signed_in(cast.citizen)
    url = f"/ho-so-cua-toi/{dossier.code}/danh-gia/"
    assert url in html(client.get(f"/ho-so-cua-toi/{dossier.code}/"))
    _, schema = citizen.questionnaire()
    page = html(client.get(url))
    fields = [f for p in schema.pages for f in p.fields]
    with translation.override("vi"):
        for field in fields:
            assert escape(field.label_vi) in page
    required = [f for f in fields if f.required]
    page = html(client.post(url, {}))
    for field in required:
        assert f'href="#f-{field.name}"' in page
    answers = {f.name: f.choices[0].value for f in fields if f.choices}
    response = client.post(url, answers)
    assert response.status_code == 302
    assert response["Location"] == f"/ho-so-cua-toi/{dossier.code}/"
    evaluation = Evaluation.objects.get(dossier=dossier)
    assert evaluation.satisfaction == answers["satisfaction"]
    again = client.get(url)  # rated once: the page sends back to the dossier
    assert again.status_code == 302
    assert url not in html(client.get(f"/ho-so-cua-toi/{dossier.code}/"))


def test_the_verification_page_tells_the_issued_file_from_a_modified_one(cast: Cast) -> None:
    dossier = returned_with_result(cast)
    issued = IssuedDocument.objects.get(code=dossier.result_code)
    original = documents.open_stored(issued.stored_file)
    url = f"/xac-thuc/{dossier.result_code}/"
    anyone = Client()
    page = html(anyone.get(url))
    assert escape(issued.title) in page
    assert escape(issued.issuer_name) in page

    authentic = document_selectors.verify_issued(dossier.result_code, original)
    assert authentic.authentic
    page = html(anyone.post(url, {"file": SimpleUploadedFile("kq.pdf", original, "application/pdf")}))
    assert 'class="notice ok"' in page
    assert escape(authentic.message_vi) in page

    modified = original.replace(b"/Type /Page", b"/Type /Page ", 1)
    assert modified != original
    different = document_selectors.verify_issued(dossier.result_code, modified)
    assert not different.authentic
    page = html(anyone.post(url, {"file": SimpleUploadedFile("kq.pdf", modified, "application/pdf")}))
    assert 'class="notice warn"' in page
    assert escape(different.message_vi) in page
    assert escape(authentic.message_vi) not in page

    assert anyone.get("/xac-thuc/000.00.00.H37-260302-9999-KQ1/").status_code == 404
    assert anyone.get("/xac-thuc/", {"ma": dossier.result_code})["Location"] == url
