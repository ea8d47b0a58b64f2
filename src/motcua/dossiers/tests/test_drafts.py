"""Online submission (``dossiers.drafts``): a draft that keeps every answer, resumes on another device, lists
what is still missing, and is filed once through ``services.submit``.

Answers are made up per field type from the procedure's own form schema, so the tests follow the schema
file rather than a copy of it.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from motcua.accounts.models import User, UserKind
from motcua.catalogue.forms import FormField, validate_page
from motcua.catalogue.models import OnlineMode, Procedure, ProcedureOffering
from motcua.catalogue.selectors import form_schema_for
from motcua.core import outbox_topics
from motcua.core.clock import now, to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OutboxMessage
from motcua.documents import services as documents
from motcua.documents.models import DocumentSource, StoredFile
from motcua.documents.tests.samples import image_bytes
from motcua.dossiers import drafts, services
from motcua.dossiers.constants import Action, DeliveryMethod, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import AttachmentPurpose, Dossier, DossierAttachment, DossierDraft, DossierEvent

BIRTH_REGISTRATION = "1.001193"
MARITAL_STATUS = "1.004873"  # its form pre-fills the applicant's name and ID number
ACCOUNT = {
    "full_name": "Lê Thị Hồng",
    "citizen_id_number": "037195004321",
    "phone": "0987654321",
    "email": "hong.le@example.vn",
}


@pytest.fixture(autouse=True)
def private_folders(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.FILE_STORAGE_DIR = tmp_path / "var" / "files"
    settings.STATIC_ROOT = tmp_path
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = settings.SIGNING_CHAIN_FILE = None


@pytest.fixture
def citizen(demo_world: DemoWorld) -> User:
    return User.objects.create(username=ACCOUNT["email"], kind=UserKind.CITIZEN, **ACCOUNT)


@pytest.fixture
def other_citizen(demo_world: DemoWorld) -> User:
    return demo_world.citizens[1]


def _procedure(code: str = BIRTH_REGISTRATION) -> Procedure:
    return Procedure.objects.get(national_code=code)


def _today() -> date:
    return to_vn(now()).date()


def valid_answer(field: FormField) -> str:
    """What a careful citizen types into ``field``: a valid answer of its type within its bounds."""
    today = _today()
    if field.type == "date":
        answer = today - timedelta(days=30)
        if isinstance(field.min, str) and field.min != "today":
            answer = max(answer, date.fromisoformat(field.min))
        if isinstance(field.max, str) and field.max != "today":
            answer = min(answer, date.fromisoformat(field.max))
        return answer.strftime("%d/%m/%Y")
    if field.type == "year":
        low = field.min if isinstance(field.min, int) else 1900
        high = field.max if isinstance(field.max, int) else today.year
        return str(max(low, min(1990, high)))
    if field.type == "number":
        low = field.min if isinstance(field.min, int) else 1
        return str(max(low, 1) if not isinstance(field.max, int) else min(max(low, 1), field.max))
    if field.type in ("choice", "select"):
        return field.choices[0].value
    return {
        "checkbox": "on",
        "citizen_id": "037090001234",
        "phone": "0912345678",
        "email": "an@example.vn",
        "textarea": "Đề nghị cấp giấy tờ theo quy định.",
    }.get(field.type, "Nguyễn Văn Bé")


def _save_page(draft: DossierDraft, section: str, step: str, page: Any, raw: dict[str, str]) -> None:
    cleaned, errors = validate_page(page, raw, today=_today())
    assert not errors, errors
    drafts.save_answers(draft, section=section, values=cleaned, step=step)


def fill_everything(draft: DossierDraft, *, delivery: str = DeliveryMethod.ONLINE) -> DossierDraft:
    """Choose the first agency and answer every page validly, as the steps of the portal would."""
    drafts.choose_agency(draft, drafts.online_agencies(draft.procedure)[0])
    applicant = {f.name: valid_answer(f) for f in drafts.APPLICANT_PAGE.fields}
    applicant.update(full_name=ACCOUNT["full_name"], id_number=ACCOUNT["citizen_id_number"])
    applicant["address"] = "Số 5, thôn Đông, xã Gia Viễn, tỉnh Ninh Bình"
    _save_page(draft, "applicant", "applicant", drafts.APPLICANT_PAGE, applicant)
    for page in drafts.schema_of(draft).pages:
        _save_page(draft, "form", f"q-{page.id}", page, {f.name: valid_answer(f) for f in page.fields})
    address = "Số 5, thôn Đông" if delivery == DeliveryMethod.POST else ""
    _save_page(draft, "delivery", "delivery", drafts.DELIVERY_PAGE, {"method": delivery, "address": address})
    draft.refresh_from_db()
    return draft


def _upload(owner: User, name: str = "giay-chung-sinh.png") -> StoredFile:
    return documents.store_upload(image_bytes("PNG"), name=name, owner=owner)


# --- Starting ------------------------------------------------------------------------------------------


def test_a_draft_starts_from_the_account_and_prefills_the_form(citizen: User) -> None:
    procedure = _procedure(MARITAL_STATUS)
    draft = drafts.start_draft(owner=citizen, procedure=procedure)
    assert draft.owner == citizen
    assert draft.dossier_id is None
    assert draft.receiving_agency_id is None
    assert draft.schema_version == form_schema_for(procedure).version
    assert draft.answers["applicant"] == {
        "full_name": citizen.full_name,
        "id_number": citizen.citizen_id_number,
        "phone": citizen.phone,
        "email": citizen.email,
        "address": "",
    }
    account = {
        "applicant.full_name": citizen.full_name,
        "applicant.id_number": citizen.citizen_id_number,
        "applicant.phone": citizen.phone,
        "applicant.email": citizen.email,
        "applicant.address": "",
    }
    prefilled = {
        f.name: account[f.prefill] for p in form_schema_for(procedure).pages for f in p.fields if f.prefill
    }
    assert prefilled  # this procedure's form asks again for details the account has
    assert draft.answers["form"] == prefilled


def test_a_procedure_not_offered_online_cannot_be_started(citizen: User) -> None:
    offline = Procedure.objects.exclude(
        id__in=ProcedureOffering.objects.exclude(online_mode=OnlineMode.NONE).values("procedure_id")
    ).first()
    assert offline is not None
    with pytest.raises(DomainError) as caught:
        drafts.start_draft(owner=citizen, procedure=offline)
    assert caught.value.code == "procedure_not_online"
    assert not DossierDraft.objects.filter(owner=citizen).exists()


def test_officers_cannot_start_drafts(demo_world: DemoWorld) -> None:
    officer = demo_world.officers["motcua.xa"]
    with pytest.raises(DomainError) as caught:
        drafts.start_draft(owner=officer, procedure=_procedure())
    assert caught.value.code == "officers_use_counter"
    assert not DossierDraft.objects.filter(owner=officer).exists()


def test_an_officer_applying_on_the_portal_gets_the_page_for_citizens(demo_world: DemoWorld) -> None:
    officer = demo_world.officers["motcua.xa"]
    client = Client()
    client.force_login(officer)
    response = client.post(f"/thu-tuc/{BIRTH_REGISTRATION}/nop-truc-tuyen/")
    assert response.status_code == 403
    assert not DossierDraft.objects.filter(owner=officer).exists()


def test_only_agencies_offering_it_online_can_be_chosen(citizen: User, demo_world: DemoWorld) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    offered = drafts.online_agencies(draft.procedure)
    assert set(offered) == {
        o.agency
        for o in ProcedureOffering.objects.filter(procedure=draft.procedure).exclude(
            online_mode=OnlineMode.NONE
        )
    }
    assert demo_world.centre not in offered
    with pytest.raises(DomainError) as caught:
        drafts.choose_agency(draft, demo_world.centre)
    assert caught.value.field == "agency"
    draft.refresh_from_db()
    assert draft.receiving_agency_id is None
    drafts.choose_agency(draft, offered[-1])
    draft.refresh_from_db()
    assert draft.receiving_agency == offered[-1]


# --- Saving and resuming -------------------------------------------------------------------------------


def test_answers_are_merged_section_by_section(citizen: User) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    drafts.save_answers(draft, section="form", values={"child_full_name": "Lê Văn Bé"}, step="q-child")
    drafts.save_answers(draft, section="form", values={"child_sex": "male"}, step="q-child")
    drafts.save_answers(draft, section="applicant", values={"address": "Thôn Đông"}, step="applicant")
    fresh = drafts.draft_for(citizen, draft.token)
    assert fresh.answers["form"] == {"child_full_name": "Lê Văn Bé", "child_sex": "male"}
    assert fresh.answers["applicant"]["address"] == "Thôn Đông"
    assert fresh.answers["applicant"]["full_name"] == citizen.full_name  # untouched by the merge
    assert fresh.last_step == "applicant"
    with pytest.raises(ValueError, match="files"):
        drafts.save_answers(draft, section="files", values={})


def test_a_draft_resumes_on_another_device(citizen: User) -> None:
    phone, laptop = Client(), Client()
    phone.force_login(citizen)
    laptop.force_login(citizen)
    assert phone.session.session_key != laptop.session.session_key

    response = phone.post(f"/thu-tuc/{BIRTH_REGISTRATION}/nop-truc-tuyen/")
    assert response.status_code == 302
    draft = DossierDraft.objects.get(owner=citizen)
    agency = drafts.online_agencies(draft.procedure)[1]
    phone.post(f"/ho-so-nhap/{draft.token}/agency/", {"agency": agency.code})
    page = drafts.schema_of(draft).pages[0]
    typed = {f.name: valid_answer(f) for f in page.fields}
    typed[page.fields[0].name] = "Lê Hoàng Minh Khôi"
    response = phone.post(f"/ho-so-nhap/{draft.token}/q-{page.id}/", typed)
    assert response.status_code == 302

    # on the laptop, another session of the same person: the draft is listed and the answers are there
    listing = laptop.get("/ho-so-cua-toi/").content.decode()
    assert f"/ho-so-nhap/{draft.token}/check/" in listing
    step = laptop.get(f"/ho-so-nhap/{draft.token}/q-{page.id}/").content.decode()
    assert 'value="Lê Hoàng Minh Khôi"' in step
    check = laptop.get(f"/ho-so-nhap/{draft.token}/check/").content.decode()
    assert "Lê Hoàng Minh Khôi" in check
    assert agency.name in check
    assert drafts.draft_for(citizen, draft.token).receiving_agency == agency

    # and what the laptop saves, the phone reads
    laptop.post(f"/ho-so-nhap/{draft.token}/applicant/", {"address": "Xóm Bến, xã Gia Viễn", "autosave": "1"})
    assert "Xóm Bến, xã Gia Viễn" in phone.get(f"/ho-so-nhap/{draft.token}/applicant/").content.decode()


def test_autosave_keeps_even_wrong_answers_as_typed(citizen: User) -> None:
    client = Client()
    client.force_login(citizen)
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    page = drafts.schema_of(draft).pages[0]
    date_field = next(f for f in page.fields if f.type == "date")
    response = client.post(
        f"/ho-so-nhap/{draft.token}/q-{page.id}/", {date_field.name: "31/02/2025", "autosave": "1"}
    )
    assert response.status_code == 204
    draft.refresh_from_db()
    assert draft.answers["form"][date_field.name] == "31/02/2025"
    assert any(p.field == date_field.name for p in drafts.problems(draft))


def test_someone_elses_draft_is_not_found(citizen: User, other_citizen: User) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    for token in (draft.token, str(draft.token), "not-a-token", uuid.uuid4()):
        with pytest.raises(NotFound):
            drafts.draft_for(other_citizen, token)
    assert drafts.draft_for(citizen, str(draft.token)) == draft
    assert drafts.drafts_of(other_citizen) == []
    assert drafts.drafts_of(citizen) == [draft]


# --- What is missing -----------------------------------------------------------------------------------


def test_problems_lists_every_missing_item_with_its_step(citizen: User) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    schema = drafts.schema_of(draft)
    prefilled = draft.answers["applicant"]
    expected = {("agency", "agency")}
    expected |= {
        ("applicant", f.name)
        for f in drafts.APPLICANT_PAGE.fields
        if f.required and not prefilled.get(f.name)
    }
    expected |= {(f"q-{p.id}", f.name) for p in schema.pages for f in p.fields if f.required}
    expected |= {("delivery", f.name) for f in drafts.DELIVERY_PAGE.fields if f.required}
    found = drafts.problems(draft)
    assert {(p.step, p.field) for p in found} == expected
    assert len(found) == len(expected)  # each once
    assert ("applicant", "address") in expected  # the account has no address to prefill
    steps = ["agency", "applicant", *[f"q-{p.id}" for p in schema.pages], "delivery"]
    assert [p.step for p in found] == sorted(
        (p.step for p in found), key=steps.index
    )  # in the order of the steps
    for problem in found:
        assert problem.error.message_vi.strip()
        assert problem.error.message_en.strip()


def test_problems_shrink_to_nothing_as_the_draft_is_filled(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    assert drafts.problems(draft) == []
    # a wrong answer saved as typed is a problem on its own step
    page = drafts.schema_of(draft).pages[0]
    date_field = next(f for f in page.fields if f.type == "date")
    drafts.save_answers(draft, section="form", values={date_field.name: "31/02/2025"})
    assert [(p.step, p.field) for p in drafts.problems(draft)] == [(f"q-{page.id}", date_field.name)]


def test_delivery_by_post_needs_an_address(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    drafts.save_answers(draft, section="delivery", values={"method": DeliveryMethod.POST, "address": ""})
    assert [(p.step, p.field) for p in drafts.problems(draft)] == [("delivery", "address")]
    drafts.save_answers(draft, section="delivery", values={"address": "Số 5, thôn Đông"})
    assert drafts.problems(draft) == []


# --- Files ---------------------------------------------------------------------------------------------


def test_files_are_attached_to_a_required_document_and_can_be_removed(citizen: User) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    requirement = draft.procedure.documents.order_by("id").first()
    assert requirement is not None
    first, second = _upload(citizen), _upload(citizen, "to-khai.png")
    drafts.attach(draft, stored_file=first, requirement_id=requirement.id, label=requirement.name)
    drafts.attach(draft, stored_file=second, requirement_id=None, label="Giấy tờ khác")
    draft.refresh_from_db()
    assert [f["token"] for f in draft.answers["files"][str(requirement.id)]] == [str(first.token)]
    assert [f["token"] for f in draft.answers["files"]["other"]] == [str(second.token)]
    drafts.detach(draft, token=str(first.token))
    draft.refresh_from_db()
    assert set(draft.answers["files"]) == {"other"}


def test_someone_elses_file_cannot_be_attached(citizen: User, other_citizen: User) -> None:
    draft = drafts.start_draft(owner=citizen, procedure=_procedure())
    theirs = _upload(other_citizen)
    with pytest.raises(NotFound):
        drafts.attach(draft, stored_file=theirs, requirement_id=None, label="Giấy tờ khác")
    draft.refresh_from_db()
    assert draft.answers["files"] == {}


# --- Submitting ----------------------------------------------------------------------------------------


def test_submit_files_an_online_dossier_through_the_service(
    citizen: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    real_submit = services.submit

    def spy(**kwargs: Any) -> Dossier:
        calls.append(kwargs)
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "submit", spy)
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    requirement = draft.procedure.documents.order_by("id").first()
    assert requirement is not None
    uploaded = _upload(citizen)
    kept = _upload(citizen, "ket-qua-cu.png")
    documents.add_to_store(owner=citizen, title="Kết quả cũ", stored_file=kept, source=DocumentSource.UPLOAD)
    drafts.attach(draft, stored_file=uploaded, requirement_id=requirement.id, label="Giấy chứng sinh")
    drafts.attach(draft, stored_file=kept, requirement_id=None, label="Kết quả cũ", reused=True)
    draft.refresh_from_db()

    dossier = drafts.submit_draft(draft, actor=citizen)

    assert len(calls) == 1  # one call of the only way a dossier is filed
    dossier.refresh_from_db()
    assert dossier.channel == "online"
    assert dossier.status == Status.SUBMITTED
    assert dossier.code
    assert dossier.applicant == citizen
    assert dossier.receiving_agency == draft.receiving_agency == dossier.competent_agency
    applicant = draft.answers["applicant"]
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        applicant["full_name"],
        applicant["id_number"],
        applicant["phone"],
    )
    assert (dossier.applicant_email, dossier.applicant_address) == (applicant["email"], applicant["address"])
    assert dossier.form_data == {"schema_version": draft.schema_version, "answers": draft.answers["form"]}
    assert dossier.delivery_method == DeliveryMethod.ONLINE
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True)) == [
        Action.SUBMIT
    ]
    attachments = {
        (a.stored_file_id, a.requirement_id, a.purpose, a.reused, a.label, a.added_by_id)
        for a in DossierAttachment.objects.filter(dossier=dossier)
    }
    assert attachments == {
        (uploaded.id, requirement.id, AttachmentPurpose.SUBMISSION, False, "Giấy chứng sinh", citizen.id),
        (kept.id, None, AttachmentPurpose.SUBMISSION, True, "Kết quả cũ", citizen.id),
    }
    receipt = OutboxMessage.objects.get(topic=outbox_topics.NOTIFY_RECEIPT)
    assert receipt.key == dossier.code
    assert receipt.payload == {"dossier_id": dossier.id, "code": dossier.code}
    assert receipt.delivered_at is None
    draft.refresh_from_db()
    assert draft.dossier == dossier
    assert drafts.drafts_of(citizen) == []


def test_submit_by_post_keeps_the_delivery_address(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()), delivery="post")
    dossier = drafts.submit_draft(draft, actor=citizen)
    assert dossier.delivery_method == DeliveryMethod.POST
    assert dossier.delivery_address == draft.answers["delivery"]["address"]


def test_an_incomplete_draft_is_refused_with_its_first_problem(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    drafts.save_answers(draft, section="delivery", values={"method": ""})
    first = drafts.problems(draft)[0]
    dossiers, messages = Dossier.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(DomainError) as caught:
        drafts.submit_draft(draft, actor=citizen)
    assert caught.value.code == "draft_incomplete"
    assert caught.value.field == first.field == "method"
    assert first.error.message_vi in caught.value.message_vi
    assert first.error.message_en in caught.value.message_en
    assert (Dossier.objects.count(), OutboxMessage.objects.count()) == (dossiers, messages)
    draft.refresh_from_db()
    assert draft.dossier_id is None


def test_someone_elses_draft_cannot_be_submitted(citizen: User, other_citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    dossiers = Dossier.objects.count()
    with pytest.raises(NotFound):
        drafts.submit_draft(draft, actor=other_citizen)
    assert Dossier.objects.count() == dossiers
    draft.refresh_from_db()
    assert draft.dossier_id is None


def test_a_file_slipped_into_the_answers_is_not_filed_unless_it_is_the_applicants(
    citizen: User, other_citizen: User
) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    theirs = _upload(other_citizen)
    draft.answers = {**draft.answers, "files": {"other": [{"token": str(theirs.token), "label": "x"}]}}
    draft.save(update_fields=["answers"])
    dossier = drafts.submit_draft(draft, actor=citizen)
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()


def test_a_draft_is_submitted_only_once(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    first = drafts.submit_draft(draft, actor=citizen)
    dossiers, messages = Dossier.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(DomainError) as caught:
        drafts.submit_draft(draft, actor=citizen)
    assert caught.value.code == "draft_already_submitted"
    assert (Dossier.objects.count(), OutboxMessage.objects.count()) == (dossiers, messages)
    draft.refresh_from_db()
    assert draft.dossier == first
    # nor changed after it was filed
    for change in (
        lambda: drafts.save_answers(draft, section="form", values={"child_full_name": "Khác"}),
        lambda: drafts.attach(draft, stored_file=_upload(citizen), requirement_id=None, label="Muộn"),
        lambda: drafts.choose_agency(draft, drafts.online_agencies(draft.procedure)[0]),
    ):
        with pytest.raises(DomainError) as caught:
            change()
        assert caught.value.code == "draft_already_submitted"


def test_the_submitted_draft_is_no_longer_reachable_as_a_draft_page(citizen: User) -> None:
    draft = fill_everything(drafts.start_draft(owner=citizen, procedure=_procedure()))
    client = Client()
    client.force_login(citizen)
    response = client.post(f"/ho-so-nhap/{draft.token}/check/")
    assert response.status_code == 302
    dossier = Dossier.objects.get(applicant=citizen)
    assert response["Location"] == f"/ho-so-cua-toi/{dossier.code}/?moi=1"
    assert client.post(f"/ho-so-nhap/{draft.token}/check/").status_code == 404
    assert Dossier.objects.filter(applicant=citizen).count() == 1
