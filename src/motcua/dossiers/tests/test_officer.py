"""What the workspace offers an officer, counter intake and bulk work."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from motcua.catalogue.models import Channel
from motcua.catalogue.selectors import form_schema_for
from motcua.core.errors import DomainError
from motcua.documents.services import store_upload
from motcua.dossiers import officer, services
from motcua.dossiers.constants import Action, Status
from motcua.dossiers.tests.factories import ROUTES, applicant_of, build_cast, drive
from motcua.dossiers.workflow import TRANSITIONS, authorise

pytestmark = pytest.mark.django_db


def _schema_answers(procedure: Any) -> dict[str, Any]:
    """Answers that satisfy the procedure's form schema (each required field, a value of its type)."""
    answers: dict[str, Any] = {}
    for page in form_schema_for(procedure).pages:
        for field in page.fields:
            if not field.required:
                continue
            answers[field.name] = {
                "choice": field.choices[0].value if field.choices else "",
                "select": field.choices[0].value if field.choices else "",
                "checkbox": True,
                "date": "2026-03-01",
                "year": 1990,
                "number": 1,
                "citizen_id": "037090001234",
                "phone": "0912345678",
                "email": "a@example.vn",
            }.get(field.type, "Phủ Lý, Ninh Bình")
    return answers


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_allowed_actions_are_exactly_the_legal_and_authorised_ones(demo_world: Any, route: str) -> None:
    cast = build_cast(demo_world)
    dossier = drive(cast, route)
    for actor in (
        cast.counter,
        cast.specialist,
        cast.leader,
        cast.leg_specialist,
        cast.other_commune_counter,
    ):
        offered = set(officer.allowed_actions(actor, dossier))
        legal = {a for (s, a) in TRANSITIONS if s == dossier.status} - {Action.SUBMIT, Action.SUPPLEMENT}
        assert offered <= legal
        for action in legal - {Action.COMPLETE_LEG}:
            try:
                authorise(actor, dossier, action)
            except DomainError:
                assert action not in offered
            else:
                assert action in offered


def test_an_officer_of_another_commune_is_offered_nothing(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = drive(cast, "submitted")
    assert officer.allowed_actions(cast.other_commune_counter, dossier) == []
    assert Action.ACCEPT in officer.allowed_actions(cast.counter, dossier)


def test_counter_intake_files_accepts_and_marks_scans_digitized(
    demo_world: Any, settings: Any, tmp_path: Any
) -> None:
    settings.FILE_STORAGE_DIR = tmp_path / "files"
    cast = build_cast(demo_world)
    scan = store_upload(b"%PDF-1.4\n" + _tiny_pdf_body(), name="to-khai.pdf", owner=None, kind="scan")
    dossier = officer.intake(
        actor=cast.counter,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=None,
        applicant=applicant_of(cast.citizen),
        answers=_schema_answers(cast.procedure),
        scans=[officer.ScannedDocument("Tờ khai CT01", scan)],
        today=date(2026, 3, 2),
    )
    assert dossier.status == Status.ACCEPTED
    assert dossier.channel == Channel.IN_PERSON
    assert dossier.submitted_by == cast.counter
    attachment = dossier.attachments.get()
    assert attachment.digitized
    assert attachment.label == "Tờ khai CT01"
    assert dossier.clock_started_at is not None


def test_counter_intake_reports_every_wrong_answer_at_once(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    schema = form_schema_for(cast.procedure)
    required = [f.name for p in schema.pages for f in p.fields if f.required]
    with pytest.raises(officer.IntakeProblems) as caught:
        officer.intake(
            actor=cast.counter,
            procedure=cast.procedure,
            receiving_agency=cast.commune,
            competent_agency=None,
            applicant=applicant_of(cast.citizen),
            answers={},
            scans=[],
            today=date(2026, 3, 2),
        )
    assert set(caught.value.errors) == set(required)
    assert not cast.procedure.dossiers.exists()


def test_postal_intake_takes_the_handover_time_as_filing_time(demo_world: Any) -> None:
    from motcua.dossiers.tests.factories import vn

    cast = build_cast(demo_world)
    handover = vn(2026, 3, 2, 7, 45)
    dossier = officer.intake(
        actor=cast.counter,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=None,
        applicant=applicant_of(cast.citizen),
        answers=_schema_answers(cast.procedure),
        scans=[],
        channel=Channel.POSTAL,
        filed_at=handover,
        accept_now=False,
        today=date(2026, 3, 2),
    )
    assert dossier.submitted_at == handover
    assert dossier.status == Status.SUBMITTED


def test_bulk_accept_does_each_dossier_alone(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    first, second = drive(cast, "submitted"), drive(cast, "submitted")
    services.withdraw(second, actor=cast.citizen, reason="Không cần nữa")
    second.refresh_from_db()
    result = officer.bulk(cast.counter, [first, second], Action.ACCEPT)
    assert result.done == [first.code]
    assert list(result.failed) == [second.code]
    first.refresh_from_db()
    assert first.status == Status.ACCEPTED


def test_bulk_refuses_actions_that_need_a_judgement_per_dossier(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    with pytest.raises(DomainError) as caught:
        officer.bulk(cast.leader, [drive(cast, "pending_approval")], Action.APPROVE)
    assert caught.value.code == "bulk_not_allowed"


def test_bulk_assign_needs_an_assignee(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    with pytest.raises(DomainError):
        officer.bulk(cast.leader, [drive(cast, "accepted")], Action.ASSIGN)
    result = officer.bulk(cast.leader, [drive(cast, "accepted")], Action.ASSIGN, assignee=cast.specialist)
    assert len(result.done) == 1


def _tiny_pdf_body() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "white").save(buffer, "PDF")
    return buffer.getvalue()[len(b"%PDF-1.4\n") :]


def test_leg_usage_counts_working_days_and_flags_a_late_leg(demo_world: Any) -> None:
    from motcua.dossiers.tests.factories import vn

    cast = build_cast(demo_world)
    dossier = drive(cast, "transferred")
    leg = dossier.legs.get()
    assert leg.started_at is not None
    assert leg.due_at is not None
    on_time = officer.leg_usage(dossier, leg.started_at.date())
    assert on_time[0].used_working_days == 0
    assert not on_time[0].late
    much_later = officer.leg_usage(dossier, vn(2026, 4, 30).date())
    assert much_later[0].late
    assert much_later[0].used_working_days is not None
    assert much_later[0].used_working_days > float(leg.time_limit_working_days)
