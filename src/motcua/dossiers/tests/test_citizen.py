"""What a citizen sees of and does with their own dossier (``dossiers.citizen``) and the documents it produces
(``dossiers.results``): the plain timeline, public tracking without personal data, supplements sent online,
the rating, the signed receipt and result.

Dossiers are driven through the real services by the routes of ``factories`` (demo province, commune A).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from motcua.accounts.models import User
from motcua.core import outbox_topics
from motcua.core.clock import to_vn
from motcua.core.errors import DomainError, NotFound
from motcua.core.models import OutboxMessage
from motcua.documents import selectors as document_selectors
from motcua.documents import services as documents
from motcua.documents.models import DocumentSource, IssuedDocument, IssuedKind, StoredFile
from motcua.documents.tests.pdftext import text as pdf_text
from motcua.documents.tests.samples import image_bytes
from motcua.dossiers import citizen, results, services
from motcua.dossiers.constants import Action, DeliveryMethod, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import (
    AttachmentPurpose,
    Dossier,
    DossierAttachment,
    DossierEvent,
    Evaluation,
    EvaluationQuestionnaire,
)
from motcua.dossiers.tests.factories import MISSING, Cast, Ticker, build_cast, drive, vn

QUESTIONNAIRE = Path(__file__).resolve().parents[1] / "data" / "evaluation_questionnaire.json"
# Steps inside the agency that the citizen is not told about one by one (spec: the citizen's timeline)
INTERNAL = {Action.ASSIGN, Action.PROCESS, Action.CONSULT, Action.CONSULTATION_DONE, Action.COMPLETE_LEG}
# Decisions the citizen must be told the reasons of (Forms 02–05: supplement, refusal, apology, stop; pause)
EXPLAINED = {
    Action.REJECT,
    Action.REQUEST_SUPPLEMENT,
    Action.PAUSE,
    Action.REQUEST_EXTENSION,
    Action.REFUSE,
    Action.STOP,
    Action.WITHDRAW,
}


@pytest.fixture(autouse=True)
def private_folders(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.FILE_STORAGE_DIR = tmp_path / "var" / "files"
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = settings.SIGNING_CHAIN_FILE = None
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"


@pytest.fixture
def cast(demo_world: DemoWorld) -> Cast:
    return build_cast(demo_world)


def _events(dossier: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.filter(dossier=dossier).select_related("agency").order_by("sequence"))


def _upload(owner: User, name: str = "giay-to.png") -> StoredFile:
    return documents.store_upload(image_bytes("PNG"), name=name, owner=owner)


# --- Timeline ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route", ["returned", "consulting", "transferred", "refused", "paused", "stopped", "extension_requested"]
)
def test_the_timeline_tells_each_visible_event_and_hides_internal_steps(cast: Cast, route: str) -> None:
    dossier = drive(cast, route)
    events = _events(dossier)
    assert any(e.action in INTERNAL for e in events)  # there is something to hide on every route
    visible = [e for e in events if e.action not in INTERNAL]
    for language in ("vi", "en"):
        with translation.override(language):
            timeline = citizen.citizen_timeline(dossier)
        assert [entry.at for entry in timeline] == [e.at for e in visible]
        assert [entry.agency for entry in timeline] == [e.agency.name if e.agency else "" for e in visible]
        for entry, event in zip(timeline, visible, strict=True):
            assert entry.text.strip()
            if event.action in EXPLAINED:
                assert event.reason
                assert event.reason in entry.text  # the reason is told, as the officer wrote it
        hidden_words = [e.reason for e in events if e.action in INTERNAL and e.reason]
        for entry in timeline:
            assert not any(word in entry.text for word in hidden_words)
            assert cast.specialist.full_name not in entry.text
    with translation.override("vi"):
        vi = [entry.text for entry in citizen.citizen_timeline(dossier)]
    with translation.override("en"):
        en = [entry.text for entry in citizen.citizen_timeline(dossier)]
    assert all(a != b for a, b in zip(vi, en, strict=True))


@pytest.mark.parametrize("route", ["rejected", "withdrawn", "supplement_requested", "refused", "stopped"])
def test_the_timeline_tells_the_reason_of_each_decision(cast: Cast, route: str) -> None:
    dossier = drive(cast, route)
    decision = _events(dossier)[-1]
    assert decision.action in EXPLAINED
    assert decision.reason
    for language in ("vi", "en"):
        with translation.override(language):
            assert decision.reason in citizen.citizen_timeline(dossier)[-1].text


def test_the_timeline_shows_what_the_supplement_request_asks_for(cast: Cast) -> None:
    dossier = drive(cast, "supplement_requested")
    with translation.override("vi"):
        last = citizen.citizen_timeline(dossier)[-1]
    for item in MISSING:
        assert item["document"] in last.text
        assert item["reason"] in last.text


def test_plain_status_is_in_the_chosen_language_for_every_status() -> None:
    for status in Status:
        with translation.override("vi"):
            vi = citizen.plain_status(status)
        with translation.override("en"):
            en = citizen.plain_status(status)
        assert vi.strip()
        assert en.strip()
        assert vi != status.value
        assert en != status.value


# --- Public tracking -----------------------------------------------------------------------------------


def test_public_status_reveals_no_personal_data(cast: Cast) -> None:
    applicant = services.Applicant(
        full_name="Phạm Thị Thu Trang",
        id_number="036188012345",
        phone="0977123456",
        email="thutrang.pham@example.vn",
        address="Số 12 ngõ 3 phố Lương Văn Tụy, phường Hoa Lư",
    )
    clock = Ticker(vn(2026, 3, 2, 8, 30))
    dossier = services.submit(
        actor=cast.citizen,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        channel="online",
        applicant=applicant,
        delivery_method=DeliveryMethod.POST,
        delivery_address="Số 12 ngõ 3 phố Lương Văn Tụy",
        at=clock(),
    )
    status = citizen.public_status(f"  {dossier.code} ")
    shown = " | ".join(str(v) for v in dataclasses.asdict(status).values())
    for personal in (
        applicant.full_name,
        applicant.id_number,
        applicant.phone,
        applicant.email,
        applicant.address,
        "Lương Văn Tụy",
        cast.citizen.full_name,
    ):
        assert personal not in shown
    assert status.code == dossier.code
    assert status.procedure_name == cast.procedure.name
    assert status.agency_name == dossier.competent_agency.name
    assert status.status_text == citizen.plain_status(Status.SUBMITTED)
    assert dossier.submitted_at is not None
    assert status.submitted_on == to_vn(dossier.submitted_at).strftime("%d/%m/%Y")
    assert status.due_on == ""  # no appointment before acceptance
    assert not status.finished

    dossier = services.accept(dossier, actor=cast.counter, at=clock())
    status = citizen.public_status(str(dossier.code))
    assert dossier.due_at is not None
    assert status.due_on == to_vn(dossier.due_at).strftime("%d/%m/%Y")
    assert status.status_text == citizen.plain_status(Status.ACCEPTED)


@pytest.mark.django_db
def test_an_unknown_code_is_not_found() -> None:
    for code in ("000.00.00.H37-260302-9999", "", "   "):
        with pytest.raises(NotFound) as caught:
            citizen.public_status(code)
        assert caught.value.field == "code"


# --- Supplement online ---------------------------------------------------------------------------------


def test_the_applicant_supplements_online(cast: Cast) -> None:
    dossier = drive(cast, "supplement_requested")
    request = citizen.open_supplement_request(dossier)
    assert request is not None
    assert request.payload["missing"] == MISSING
    files = [
        ("Giấy tờ chứng minh chỗ ở hợp pháp", _upload(cast.citizen)),
        ("Bản chụp rõ", _upload(cast.citizen)),
    ]
    dossier = citizen.supplement_online(dossier, actor=cast.citizen, files=files, note="Gửi bản rõ nét")
    assert dossier.status == Status.SUPPLEMENT_RECEIVED
    assert citizen.open_supplement_request(dossier) is None
    attached = DossierAttachment.objects.filter(dossier=dossier).order_by("id")
    assert [(a.label, a.stored_file_id, a.purpose, a.added_by_id) for a in attached] == [
        (label, stored.id, AttachmentPurpose.SUPPLEMENT, cast.citizen.id) for label, stored in files
    ]
    last = _events(dossier)[-1]
    assert (last.action, last.actor_id, last.reason) == (Action.SUPPLEMENT, cast.citizen.id, "Gửi bản rõ nét")


def test_a_supplement_needs_files_of_the_applicant(cast: Cast) -> None:
    dossier = drive(cast, "supplement_requested")
    with pytest.raises(DomainError) as caught:
        citizen.supplement_online(dossier, actor=cast.citizen, files=[])
    assert caught.value.field == "file"
    theirs = _upload(cast.other_citizen)
    with pytest.raises(NotFound):
        citizen.supplement_online(
            dossier, actor=cast.citizen, files=[("x", _upload(cast.citizen)), ("y", theirs)]
        )
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()


def test_nothing_is_attached_when_no_supplement_was_asked(cast: Cast) -> None:
    dossier = drive(cast, "submitted")
    assert citizen.open_supplement_request(dossier) is None
    with pytest.raises(DomainError):
        citizen.supplement_online(dossier, actor=cast.citizen, files=[("x", _upload(cast.citizen))])
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert not DossierAttachment.objects.filter(dossier=dossier).exists()


# --- Evaluation ----------------------------------------------------------------------------------------


def _answers(definition: dict[str, Any]) -> dict[str, str]:
    """The first choice of every question of the questionnaire."""
    return {
        f["name"]: f["choices"][0]["value"]
        for p in definition["pages"]
        for f in p["fields"]
        if "choices" in f
    }


def test_the_packaged_questionnaire_is_recorded_on_first_use(db: None) -> None:
    packaged = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))
    assert not EvaluationQuestionnaire.objects.exists()
    version, schema = citizen.questionnaire()
    assert version == packaged["version"]
    record = EvaluationQuestionnaire.objects.get()
    assert (record.version, record.definition, record.active) == (packaged["version"], packaged, True)
    names = [f["name"] for p in packaged["pages"] for f in p["fields"]]
    assert list(schema.fields_by_name) == names
    assert citizen.questionnaire()[0] == version
    assert EvaluationQuestionnaire.objects.count() == 1


def test_only_a_returned_dossier_can_be_rated(cast: Cast) -> None:
    answers = _answers(json.loads(QUESTIONNAIRE.read_text(encoding="utf-8")))
    for route in ("submitted", "processing", "resolved"):
        dossier = drive(cast, route)
        assert not citizen.can_evaluate(dossier, cast.citizen)
        with pytest.raises(DomainError) as caught:
            citizen.evaluate(dossier, actor=cast.citizen, raw=answers)
        assert caught.value.code == "evaluation_too_early"
    assert not Evaluation.objects.exists()


def test_the_applicant_rates_a_returned_dossier_once(cast: Cast) -> None:
    packaged = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))
    answers = _answers(packaged)
    dossier = drive(cast, "returned")
    assert citizen.can_evaluate(dossier, cast.citizen)
    evaluation = citizen.evaluate(dossier, actor=cast.citizen, raw=answers)
    assert evaluation.dossier == dossier
    assert evaluation.questionnaire_version == packaged["version"]
    assert evaluation.satisfaction == answers["satisfaction"]
    assert evaluation.agency == dossier.competent_agency
    every_question = {f["name"] for p in packaged["pages"] for f in p["fields"]}
    assert set(evaluation.answers) == every_question
    assert {k: v for k, v in evaluation.answers.items() if k in answers} == answers
    message = OutboxMessage.objects.get(topic=outbox_topics.DOSSIER_EVALUATED)
    assert message.key == str(dossier.id)
    assert message.payload == {
        "dossier_id": dossier.id,
        "agency": dossier.competent_agency.code,
        "satisfaction": answers["satisfaction"],
    }
    assert not citizen.can_evaluate(dossier, cast.citizen)
    with pytest.raises(DomainError) as caught:
        citizen.evaluate(dossier, actor=cast.citizen, raw=answers)
    assert caught.value.code == "already_evaluated"
    assert Evaluation.objects.count() == 1
    assert OutboxMessage.objects.filter(topic=outbox_topics.DOSSIER_EVALUATED).count() == 1


def test_only_the_applicant_can_rate(cast: Cast) -> None:
    answers = _answers(json.loads(QUESTIONNAIRE.read_text(encoding="utf-8")))
    dossier = drive(cast, "returned")
    for someone in (cast.other_citizen, cast.counter, cast.leader):
        assert not citizen.can_evaluate(dossier, someone)
        with pytest.raises(NotFound):
            citizen.evaluate(dossier, actor=someone, raw=answers)
    assert not Evaluation.objects.exists()


def test_a_rating_without_a_required_answer_is_refused_on_that_question(cast: Cast) -> None:
    packaged = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))
    required = [f["name"] for p in packaged["pages"] for f in p["fields"] if f.get("required")]
    dossier = drive(cast, "returned")
    for name in required:
        answers = _answers(packaged)
        answers[name] = ""
        with pytest.raises(DomainError) as caught:
            citizen.evaluate(dossier, actor=cast.citizen, raw=answers)
        assert (caught.value.code, caught.value.field) == ("invalid_evaluation", name)
    answers = _answers(packaged)
    answers["satisfaction"] = "ecstatic"
    with pytest.raises(DomainError) as caught:
        citizen.evaluate(dossier, actor=cast.citizen, raw=answers)
    assert caught.value.field == "satisfaction"
    assert not Evaluation.objects.exists()
    assert not OutboxMessage.objects.filter(topic=outbox_topics.DOSSIER_EVALUATED).exists()


def test_an_administrator_changes_the_questions_by_adding_a_version(cast: Cast) -> None:
    packaged = json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))
    citizen.questionnaire()
    newer = copy.deepcopy(packaged)
    newer["version"] = packaged["version"] + 1
    newer["pages"][0]["fields"].append(
        {
            "name": "recommend",
            "type": "choice",
            "required": True,
            "label_vi": "Bạn có giới thiệu dịch vụ này không?",
            "label_en": "Would you recommend this service?",
            "choices": [
                {"value": "yes", "label_vi": "Có", "label_en": "Yes"},
                {"value": "no", "label_vi": "Không", "label_en": "No"},
            ],
        }
    )
    EvaluationQuestionnaire.objects.create(version=newer["version"], definition=newer)
    dossier = drive(cast, "returned")
    with pytest.raises(DomainError) as caught:
        citizen.evaluate(dossier, actor=cast.citizen, raw=_answers(packaged))
    assert caught.value.field == "recommend"
    evaluation = citizen.evaluate(dossier, actor=cast.citizen, raw=_answers(newer))
    assert evaluation.questionnaire_version == newer["version"]
    assert evaluation.answers["recommend"] == "yes"


# --- Receipt and result --------------------------------------------------------------------------------


def test_the_receipt_is_issued_once_and_verifies(cast: Cast) -> None:
    dossier = drive(cast, "submitted")
    receipt = results.receipt_for(dossier)
    again = results.receipt_for(dossier)
    assert again.pk == receipt.pk
    assert IssuedDocument.objects.filter(kind=IssuedKind.RECEIPT).count() == 1
    assert receipt.code.startswith(str(dossier.code))
    assert receipt.stored_file.owner == cast.citizen
    pdf = documents.open_stored(receipt.stored_file)
    shown = pdf_text(pdf)
    assert str(dossier.code) in shown
    assert dossier.applicant_name in shown
    assert dossier.procedure.name[:40] in shown
    # the appointment and the reception time are printed (Form 01), as the papers write dates
    assert dossier.system_received_at is not None
    received = to_vn(dossier.system_received_at)
    assert f"{received.hour:02d} giờ {received.minute:02d} phút" in shown
    assert shown.count(f"năm {received.year}") >= 2
    assert document_selectors.verify_issued(receipt.code, pdf).authentic


def test_the_receipt_lists_the_documents_filed(cast: Cast) -> None:
    dossier = drive(cast, "submitted")
    for label in ("Tờ khai thay đổi thông tin cư trú", "Giấy tờ chứng minh chỗ ở hợp pháp"):
        DossierAttachment.objects.create(
            dossier=dossier,
            stored_file=_upload(cast.citizen),
            label=label,
            purpose=AttachmentPurpose.SUBMISSION,
            added_by=cast.citizen,
        )
    shown = pdf_text(documents.open_stored(results.receipt_for(dossier).stored_file))
    assert "Tờ khai thay đổi thông tin cư trú" in shown
    assert "Giấy tờ chứng minh chỗ ở hợp pháp" in shown


def test_a_result_is_issued_signed_and_returned_into_the_citizens_store(cast: Cast) -> None:
    clock = Ticker(vn(2026, 3, 2, 8, 30))
    dossier = drive(cast, "approved", clock)
    title = "Xác nhận đăng ký thường trú"
    paragraphs = ["Ông Nguyễn Văn An đã được đăng ký thường trú tại thôn Đông.", "  "]
    dossier = results.resolve_with_result(
        dossier, actor=cast.specialist, title=title, paragraphs=paragraphs, at=clock()
    )
    assert dossier.status == Status.RESOLVED
    assert dossier.result_code
    issued = IssuedDocument.objects.get(code=dossier.result_code)
    assert issued.kind == IssuedKind.RESULT
    assert issued.title == title
    assert issued.stored_file.owner == cast.citizen
    attachment = results.result_attachment(dossier)
    assert attachment is not None
    assert (attachment.stored_file_id, attachment.purpose) == (
        issued.stored_file_id,
        AttachmentPurpose.RESULT,
    )

    pdf = documents.open_stored(issued.stored_file)
    check = document_selectors.verify_issued(dossier.result_code, pdf)
    assert check.authentic
    assert check.signature is not None
    assert check.signature.signed
    assert check.signature.intact
    assert check.signature.valid
    shown = pdf_text(pdf)
    assert paragraphs[0] in shown
    assert dossier.applicant_name in shown  # "Cấp cho": whom the result is issued to
    assert dossier.result_code in shown
    tampered = pdf.replace(b"/Type /Page", b"/Type /Page ", 1)
    assert tampered != pdf
    assert not document_selectors.verify_issued(dossier.result_code, tampered).authentic

    assert document_selectors.store_of(cast.citizen).count() == 0  # not yet returned
    assert results.downloadable_result(dossier, cast.citizen) == attachment
    dossier = results.return_online(dossier, actor=cast.counter, at=clock())
    assert dossier.status == Status.RETURNED
    entry = document_selectors.store_of(cast.citizen).get()
    assert (entry.stored_file_id, entry.source, entry.source_code) == (
        issued.stored_file_id,
        DocumentSource.RESULT,
        dossier.result_code,
    )
    assert results.downloadable_result(dossier, cast.citizen) == attachment
    with pytest.raises(NotFound):
        results.downloadable_result(dossier, cast.other_citizen)


def test_a_result_needs_a_title_and_content(cast: Cast) -> None:
    dossier = drive(cast, "approved")
    for title, paragraphs in (("", ["Nội dung"]), ("Kết quả", []), ("Kết quả", ["  ", ""])):
        with pytest.raises(DomainError) as caught:
            results.resolve_with_result(dossier, actor=cast.specialist, title=title, paragraphs=paragraphs)
        assert caught.value.field == "paragraphs"
    dossier.refresh_from_db()
    assert dossier.status == Status.APPROVED
    assert not IssuedDocument.objects.exists()


def test_no_result_to_download_before_it_exists(cast: Cast) -> None:
    dossier = drive(cast, "approved")
    with pytest.raises(NotFound):
        results.downloadable_result(dossier, cast.citizen)
