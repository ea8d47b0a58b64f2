"""The one-stop forms 01–07 (``dossiers.paperwork``, Circular 03/2025/TT-VPCP Annex I) as printed PDFs.

Each dossier is driven through the real services (routes of ``factories``, demo province, commune A) to
the state that produces the form; the form is issued, read back from the signed PDF and checked for the
dossier code, the facts of the step (missing items, reasons, dates dd/mm/yyyy, legs) and the verification
URL; the signature verifies; issuing again returns the same document.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template

from motcua.catalogue.models import Channel
from motcua.core.clock import to_vn
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.documents import selectors as document_selectors
from motcua.documents import services as documents
from motcua.documents.models import IssuedDocument
from motcua.documents.pdf import verification_url
from motcua.documents.tests.pdftext import text as pdf_text
from motcua.dossiers import paperwork, services
from motcua.dossiers.constants import Action, DeliveryMethod, LegMode, Status, StopRequester
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierEvent, DossierLeg
from motcua.dossiers.tests.factories import (
    MISSING,
    MONDAY,
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    drive,
    file_online,
    other_province_officer,
    vn,
)

DAILY = timedelta(days=1)


@pytest.fixture(autouse=True)
def private_folders(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    settings.FILE_STORAGE_DIR = tmp_path / "var" / "files"
    settings.SIGNING_KEY_FILE = settings.SIGNING_CERT_FILE = settings.SIGNING_CHAIN_FILE = None
    settings.PUBLIC_BASE_URL = "https://dichvucong.example.gov.vn"


@pytest.fixture
def cast(demo_world: DemoWorld) -> Cast:
    return build_cast(demo_world)


def _pdf(document: IssuedDocument) -> bytes:
    return documents.open_stored(document.stored_file)


def _words(pdf: bytes) -> str:
    """The PDF's text with every run of whitespace (line and cell breaks included) as one space."""
    return " ".join(pdf_text(pdf).split())


def _day(moment: datetime | None) -> str:
    assert moment is not None
    return to_vn(moment).strftime("%d/%m/%Y")


def _last(dossier: Dossier, action: Action) -> DossierEvent:
    event = DossierEvent.objects.filter(dossier=dossier, action=action).order_by("-sequence").first()
    assert event is not None, f"no {action} event"
    return event


def _check_paper(dossier: Dossier, document: IssuedDocument, number: str, event: DossierEvent) -> str:
    """What every per-dossier form must show and be; returns its text for the form's own facts."""
    assert document.code == f"{dossier.code}-M{number}-{event.sequence}"
    pdf = _pdf(document)
    shown = _words(pdf)
    assert str(dossier.code) in shown
    assert paperwork.FORMS[number].title_vi.upper() in shown
    assert verification_url(document.code) in shown
    assert document_selectors.verify_issued(document.code, pdf).authentic
    return shown


# --- The registry is data ---------------------------------------------------------------------------------


def test_the_registry_is_the_data_file_and_every_template_exists() -> None:
    raw = json.loads(paperwork.FORMS_FILE.read_text(encoding="utf-8"))
    assert set(paperwork.FORMS) == {f"{n:02d}" for n in range(1, 8)}
    assert [item["number"] for item in raw["forms"]] == list(paperwork.FORMS)
    for item in raw["forms"]:
        form = paperwork.FORMS[item["number"]]
        assert (form.title_vi, form.title_en, form.template_name, form.legal_basis, form.builds_from) == (
            item["title_vi"],
            item["title_en"],
            item["template"],
            item["legal_basis"],
            item["builds_from"],
        )
        assert raw["circular"] in form.legal_basis
        assert get_template(form.template_name) is not None


def test_a_form_with_a_source_nobody_knows_is_refused_at_load(tmp_path: Path) -> None:
    bad = tmp_path / "forms.json"
    bad.write_text(
        json.dumps(
            {
                "forms": [
                    {
                        "number": "01",
                        "title_vi": "Phiếu",
                        "title_en": "Slip",
                        "template": "documents/pdf/forms/01_tiep_nhan_hen_tra.html",
                        "legal_basis": "-",
                        "builds_from": "teleport",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ImproperlyConfigured, match="teleport"):
        paperwork.load_forms(bad)


@pytest.mark.django_db
def test_a_new_circular_is_a_new_data_file_not_new_code(
    cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A later circular renumbers the stop notice as form 11: only the data file changes."""
    raw = json.loads(paperwork.FORMS_FILE.read_text(encoding="utf-8"))
    stop = next(item for item in raw["forms"] if item["builds_from"] == "stop")
    later = {
        "circular": "99/2027/TT-BTP",
        "forms": [{**stop, "number": "11", "legal_basis": "Mẫu số 11 Thông tư 99/2027/TT-BTP"}],
    }
    path = tmp_path / "forms_circular_99_2027.json"
    path.write_text(json.dumps(later, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(paperwork, "FORMS", paperwork.load_forms(path))

    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    dossier = services.stop(
        dossier, actor=cast.leader, requested_by=StopRequester.AGENCY, reason="Hồ sơ trùng lặp", at=clock()
    )
    issued = paperwork.issue_form(dossier, "11", actor=cast.leader)
    assert issued.code == f"{dossier.code}-M11-{_last(dossier, Action.STOP).sequence}"
    assert "Hồ sơ trùng lặp" in _words(_pdf(issued))
    with pytest.raises(DomainError) as caught:
        paperwork.issue_form(dossier, "05", actor=cast.leader)
    assert caught.value.code == "form_unknown"


# --- Form 01: receipt and appointment ---------------------------------------------------------------------


def test_form_01_prints_the_reception_and_the_appointment(cast: Cast) -> None:
    dossier = drive(cast, "accepted")
    assert dossier.accepted_at is not None
    assert dossier.due_at is not None
    issued = paperwork.issue_form(dossier, "01", actor=cast.counter)
    shown = _check_paper(dossier, issued, "01", _last(dossier, Action.ACCEPT))
    assert dossier.applicant_name in shown
    assert dossier.procedure.national_code in shown
    assert _day(dossier.accepted_at) in shown
    assert _day(dossier.due_at) in shown
    assert f"{to_vn(dossier.due_at):%H} giờ {to_vn(dossier.due_at):%M} phút" in shown
    assert str(cast.counter.full_name) in shown  # the receiving officer
    assert issued.kind == paperwork.FORMS["01"].issued_kind
    assert issued.stored_file.owner == cast.citizen  # a paper of the applicant's


def test_form_01_of_a_boundary_free_dossier_names_the_competent_agency_without_a_date(cast: Cast) -> None:
    dossier = drive(cast, "accepted_boundary_free")
    assert dossier.due_at is None  # the clock starts when the competent agency receives it
    shown = _check_paper(
        dossier,
        paperwork.issue_form(dossier, "01", actor=cast.counter),
        "01",
        _last(dossier, Action.ACCEPT),
    )
    assert cast.other_commune.name in shown
    assert _day(dossier.accepted_at) in shown


def test_issuing_the_same_step_twice_returns_the_same_document(cast: Cast) -> None:
    dossier = drive(cast, "accepted")
    first = paperwork.issue_form(dossier, "01", actor=cast.counter)
    again = paperwork.issue_form(dossier, "1", actor=cast.counter)
    assert (again.pk, again.code, again.sha256) == (first.pk, first.code, first.sha256)
    assert IssuedDocument.objects.filter(code__startswith=f"{dossier.code}-M01-").count() == 1


# --- Form 02: supplement request --------------------------------------------------------------------------


def test_form_02_lists_every_missing_item_with_its_reason_and_each_round_is_its_own_paper(cast: Cast) -> None:
    clock = Ticker(MONDAY, DAILY)
    dossier = drive(cast, "submitted", clock)
    missing = [
        {"document": "Tờ khai thay đổi thông tin cư trú", "reason": "Thiếu chữ ký của chủ hộ"},
        {"document": "Giấy tờ chứng minh chỗ ở hợp pháp", "reason": "Bản chụp bị mờ, không đọc được"},
    ]
    dossier = services.request_supplement(dossier, actor=cast.counter, missing=missing, at=clock())
    first_event = _last(dossier, Action.REQUEST_SUPPLEMENT)
    first = paperwork.issue_form(dossier, "02", actor=cast.counter)
    shown = _check_paper(dossier, first, "02", first_event)
    for item in missing:
        assert item["document"] in shown
        assert item["reason"] in shown
    assert _day(first_event.at) in shown
    assert dossier.applicant_name in shown

    dossier = services.supplement(dossier, actor=cast.citizen, note="Đã bổ sung", at=clock())
    dossier = services.request_supplement(dossier, actor=cast.counter, missing=MISSING[:1], at=clock())
    second_event = _last(dossier, Action.REQUEST_SUPPLEMENT)
    second = paperwork.issue_form(dossier, "02", actor=cast.counter)
    assert second.code != first.code
    shown = _check_paper(dossier, second, "02", second_event)
    assert MISSING[0]["reason"] in shown
    assert missing[0]["reason"] not in shown  # only what this round asks
    earlier = paperwork.issue_form(dossier, "02", actor=cast.counter, sequence=first_event.sequence)
    assert earlier.pk == first.pk


def test_form_02_after_acceptance_is_signed_by_the_competent_agency(cast: Cast) -> None:
    dossier = drive(cast, "supplement_requested_after_acceptance")
    issued = paperwork.issue_form(dossier, "02", actor=cast.specialist)
    shown = _check_paper(dossier, issued, "02", _last(dossier, Action.REQUEST_SUPPLEMENT))
    assert MISSING[0]["document"] in shown
    assert MISSING[0]["reason"] in shown
    assert str(cast.specialist.full_name) in shown
    assert issued.issuer_name == dossier.competent_agency.name


# --- Form 03: refusal -------------------------------------------------------------------------------------


def test_form_03_at_reception_gives_every_reason(cast: Cast) -> None:
    clock = Ticker(MONDAY)
    dossier = drive(cast, "submitted", clock)
    reasons = [
        "Thủ tục không thuộc thẩm quyền của cơ quan",
        "Người nộp không phải chủ hộ hoặc người được ủy quyền",
    ]
    dossier = services.reject(dossier, actor=cast.counter, reasons=reasons, at=clock())
    event = _last(dossier, Action.REJECT)
    shown = _check_paper(dossier, paperwork.issue_form(dossier, "03", actor=cast.counter), "03", event)
    for reason in reasons:
        assert reason in shown
    assert _day(event.at) in shown


def test_form_03_also_documents_a_refusal_after_appraisal(cast: Cast) -> None:
    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    reasons = ["Chỗ ở không đủ diện tích tối thiểu theo quy định của tỉnh"]
    dossier = services.refuse(dossier, actor=cast.leader, reasons=reasons, at=clock())
    issued = paperwork.issue_form(dossier, "03", actor=cast.leader)
    shown = _check_paper(dossier, issued, "03", _last(dossier, Action.REFUSE))
    assert reasons[0] in shown
    assert _day(dossier.accepted_at) in shown


# --- Form 04: apology and extension -----------------------------------------------------------------------


def test_form_04_gives_the_reason_the_missed_and_the_new_date(cast: Cast) -> None:
    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    with pytest.raises(DomainError) as caught:
        paperwork.issue_form(dossier, "04", actor=cast.specialist)
    assert (caught.value.code, caught.value.field) == ("form_source_missing", "number")
    assert caught.value.message_vi
    assert caught.value.message_en
    assert not IssuedDocument.objects.exists()

    assert dossier.due_at is not None
    missed = dossier.due_at
    new_date = missed + timedelta(days=7)
    reason = "Cần xác minh thực địa tại thôn Đông do mưa lũ chưa thể tiếp cận"
    dossier = services.request_extension(
        dossier, actor=cast.specialist, reason=reason, new_due_at=new_date, at=clock()
    )
    issued = paperwork.issue_form(dossier, "04", actor=cast.specialist)
    shown = _check_paper(dossier, issued, "04", _last(dossier, Action.REQUEST_EXTENSION))
    assert reason in shown
    assert _day(missed) in shown
    assert _day(new_date) in shown
    assert _day(dossier.accepted_at) in shown


# --- Form 05: stop ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("requested_by", [StopRequester.APPLICANT, StopRequester.AGENCY])
def test_form_05_says_who_asked_to_stop_and_why(cast: Cast, requested_by: StopRequester) -> None:
    clock = Ticker(MONDAY)
    dossier = drive(cast, "processing", clock)
    reason = "Người dân có đơn đề nghị dừng thực hiện thủ tục để chuyển nơi cư trú khác"
    decision = "Thông báo số 15/TB-UBND ngày 03/03/2026"
    dossier = services.stop(
        dossier, actor=cast.leader, requested_by=requested_by, reason=reason, decision=decision, at=clock()
    )
    event = _last(dossier, Action.STOP)
    shown = _check_paper(dossier, paperwork.issue_form(dossier, "05", actor=cast.leader), "05", event)
    assert reason in shown
    assert decision in shown
    assert requested_by.label.split(" / ")[0] in shown
    assert _day(event.at) in shown


# --- Form 06: processing control slip ---------------------------------------------------------------------


def _inter_agency_dossier(cast: Cast, clock: Ticker) -> Dossier:
    """Two legs in sequence (Sở Tài chính then Sở Xây dựng), both completed, then approved and returned."""
    dossier = drive(cast, "transferred_two_legs", clock)
    for officer in (cast.leg_specialist, cast.world.officers["chuyenvien.xaydung"]):
        leg = (
            DossierLeg.objects.filter(dossier=dossier, completed_at__isnull=True).order_by("position").first()
        )
        assert leg is not None
        dossier = services.complete_leg(dossier, leg, actor=officer, note="Đã có ý kiến", at=clock())
    dossier = services.process(dossier, actor=cast.specialist, opinion="Đủ điều kiện", at=clock())
    dossier = services.approve(dossier, actor=cast.leader, at=clock())
    dossier = services.resolve(dossier, actor=cast.specialist, at=clock())
    return services.return_result(dossier, actor=cast.counter, at=clock())


def test_form_06_shows_every_hand_over_and_every_leg(cast: Cast) -> None:
    clock = Ticker(MONDAY, timedelta(hours=5))
    dossier = _inter_agency_dossier(cast, clock)
    assert dossier.status == Status.RETURNED
    events = list(DossierEvent.objects.filter(dossier=dossier).order_by("sequence"))
    issued = paperwork.issue_form(dossier, "06", actor=cast.counter)
    shown = _check_paper(dossier, issued, "06", events[-1])
    for event in events:  # when each hand-over happened
        assert f"{to_vn(event.at):%d/%m/%Y %H:%M}" in shown
    for person in (cast.counter, cast.specialist, cast.leader, cast.leg_specialist):
        assert str(person.full_name) in shown
    legs = list(DossierLeg.objects.filter(dossier=dossier).select_related("agency").order_by("position"))
    assert len(legs) == 2
    for leg in legs:
        assert leg.agency.name in shown
        assert leg.task in shown
        assert f"{_day(leg.due_at)} {to_vn(leg.due_at):%H:%M}" in shown  # type: ignore[arg-type]
        assert f"{_day(leg.completed_at)} {to_vn(leg.completed_at):%H:%M}" in shown  # type: ignore[arg-type]
    assert _day(dossier.returned_at) in shown
    assert issued.stored_file.owner is None  # internal: in nobody's data store


def test_form_06_is_reissued_when_the_timeline_grows(cast: Cast) -> None:
    clock = Ticker(MONDAY)
    dossier = drive(cast, "transferred", clock)
    early = paperwork.issue_form(dossier, "06", actor=cast.specialist)
    assert paperwork.issue_form(dossier, "06", actor=cast.specialist).pk == early.pk
    leg = DossierLeg.objects.get(dossier=dossier)
    dossier = services.complete_leg(dossier, leg, actor=cast.leg_specialist, at=clock())
    later = paperwork.issue_form(dossier, "06", actor=cast.specialist)
    assert later.code == f"{dossier.code}-M06-{_last(dossier, Action.COMPLETE_LEG).sequence}"
    assert later.pk != early.pk
    assert IssuedDocument.objects.filter(pk=early.pk).exists()  # a signed paper is never replaced


def test_form_06_is_for_officers_only(cast: Cast) -> None:
    dossier = drive(cast, "processing")
    with pytest.raises(PermissionDenied):
        paperwork.issue_form(dossier, "06", actor=cast.citizen)
    own = paperwork.issue_form(dossier, "01", actor=cast.citizen)  # the applicant may print their receipt
    assert own.stored_file.owner == cast.citizen


# --- Refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["08", "00", "abc", "", "M01"])
def test_an_unknown_form_number_is_refused(cast: Cast, number: str) -> None:
    dossier = drive(cast, "accepted")
    with pytest.raises(DomainError) as caught:
        paperwork.issue_form(dossier, number, actor=cast.counter)
    assert (caught.value.code, caught.value.field) == ("form_unknown", "number")
    assert not IssuedDocument.objects.exists()


@pytest.mark.parametrize(
    ("route", "number"),
    [("submitted", "01"), ("accepted", "02"), ("accepted", "03"), ("processing", "04"), ("processing", "05")],
)
def test_a_form_without_its_step_is_refused(cast: Cast, route: str, number: str) -> None:
    dossier = drive(cast, route)
    with pytest.raises(DomainError) as caught:
        paperwork.issue_form(dossier, number, actor=cast.leader if number == "05" else cast.counter)
    assert caught.value.code == "form_source_missing"
    with pytest.raises(DomainError):
        paperwork.form_context(dossier, number)
    assert not IssuedDocument.objects.exists()


def test_the_tracking_book_is_not_a_paper_of_one_dossier(cast: Cast) -> None:
    dossier = drive(cast, "accepted")
    with pytest.raises(DomainError) as caught:
        paperwork.issue_form(dossier, "07", actor=cast.counter)
    assert caught.value.code == "form_is_a_report"


def test_an_officer_of_another_agency_cannot_issue_a_form(cast: Cast) -> None:
    dossier = drive(cast, "accepted")
    stranger = other_province_officer()
    for number in ("01", "06"):
        with pytest.raises(NotFound):
            paperwork.issue_form(dossier, number, actor=stranger)
    with pytest.raises(NotFound):
        paperwork.issue_form(dossier, "01", actor=cast.other_citizen)
    assert not IssuedDocument.objects.exists()


# --- Form 07: tracking book -------------------------------------------------------------------------------


def _file_at_commune_b(cast: Cast, at: datetime) -> Dossier:
    return services.submit(
        actor=cast.other_citizen,
        procedure=cast.procedure,
        receiving_agency=cast.other_commune,
        competent_agency=cast.other_commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.other_citizen),
        delivery_method=DeliveryMethod.ONLINE,
        at=at,
    )


def _transferred_on(cast: Cast, clock: Ticker) -> Dossier:
    dossier = drive(cast, "processing", clock)
    return services.transfer(
        dossier,
        actor=cast.specialist,
        legs=[services.LegPlan(cast.leg_agency, Decimal(2), "Xác nhận nghĩa vụ tài chính")],
        mode=LegMode.PARALLEL,
        at=clock(),
    )


def test_form_07_lists_exactly_the_agency_subtrees_dossiers_of_the_period(cast: Cast) -> None:
    returned = drive(cast, "returned", Ticker(vn(2026, 3, 2, 8, 30), DAILY))
    transferred = _transferred_on(cast, Ticker(vn(2026, 3, 10, 8, 30), DAILY))
    in_april = file_online(cast, vn(2026, 4, 1, 9, 0))
    before = file_online(cast, vn(2026, 2, 28, 23, 50))  # the evening before the period, Hanoi time
    elsewhere = _file_at_commune_b(cast, vn(2026, 3, 3, 9, 0))
    start, end = date(2026, 3, 1), date(2026, 3, 31)

    entries = paperwork.book_entries(cast.commune, start, end)
    assert [e.code for e in entries] == [returned.code, transferred.code]
    province = {e.code for e in paperwork.book_entries(cast.world.province, start, end)}
    assert province == {returned.code, transferred.code, elsewhere.code}
    assert {e.code for e in paperwork.book_entries(cast.other_commune, start, end)} == {elsewhere.code}

    first, second = entries
    assert first.returned_at == returned.returned_at
    assert first.resolved_at == returned.resolved_at
    assert second.transferred_at == _last(transferred, Action.TRANSFER).at
    assert second.returned_at is None

    pdf = paperwork.tracking_book(cast.commune, start, end)
    shown = _words(pdf)
    assert paperwork.FORMS["07"].title_vi.upper() in shown
    assert f"{start:%d/%m/%Y}" in shown
    assert f"{end:%d/%m/%Y}" in shown
    for dossier in (returned, transferred):
        assert str(dossier.code) in shown
        assert _day(dossier.system_received_at) in shown
        assert _day(dossier.due_at) in shown
    assert returned.applicant_name in shown
    assert _day(returned.returned_at) in shown
    assert _day(second.transferred_at) in shown
    for outsider in (in_april, before, elsewhere):
        assert str(outsider.code) not in shown
    assert cast.other_citizen.full_name not in shown


def test_an_empty_book_and_an_inverted_period(cast: Cast) -> None:
    shown = _words(paperwork.tracking_book(cast.commune, date(2026, 5, 1), date(2026, 5, 31)))
    assert paperwork.FORMS["07"].title_vi.upper() in shown
    assert "01/05/2026" in shown
    with pytest.raises(DomainError) as caught:
        paperwork.tracking_book(cast.commune, date(2026, 5, 31), date(2026, 5, 1))
    assert caught.value.field == "start"
