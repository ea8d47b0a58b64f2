"""Input validation: each bad input raises a DomainError with its documented code, the field at fault
and a message in Vietnamese and English — and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from motcua.catalogue.models import BoundaryFreeScope, Channel, OnlineMode, Procedure, ProcedureOffering
from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.constants import DeliveryMethod
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    MONDAY,
    Cast,
    Ticker,
    applicant_of,
    build_cast,
    counts,
    drive,
    snapshot,
    vn,
)

NOT_OFFERED = "1.000080"  # a commune-level procedure (foreign-element parent/child recognition) not offered


def _submit(cast: Cast, **overrides: Any) -> Dossier:
    """A valid online filing of 1.004222 at commune A, with ``overrides`` applied."""
    applicant = applicant_of(cast.citizen)
    applicant_changes = {
        k[len("applicant_") :]: v for k, v in overrides.items() if k.startswith("applicant_")
    }
    kwargs: dict[str, Any] = {
        "actor": cast.citizen,
        "procedure": cast.procedure,
        "receiving_agency": cast.commune,
        "channel": Channel.ONLINE,
        "applicant": replace(applicant, **applicant_changes),
        "delivery_method": DeliveryMethod.ONLINE,
        "at": vn(2026, 3, 2, 9, 0),
    }
    kwargs.update({k: v for k, v in overrides.items() if not k.startswith("applicant_")})
    return services.submit(**kwargs)


def _offered_offline(cast: Cast) -> dict[str, Any]:
    """Offer 1.000080 at commune A in person only, and file it online there."""
    procedure = Procedure.objects.get(national_code=NOT_OFFERED)
    ProcedureOffering.objects.create(
        agency=cast.commune,
        procedure=procedure,
        online_mode=OnlineMode.NONE,
        boundary_free=BoundaryFreeScope.NONE,
    )
    return {"procedure": procedure}


SUBMIT_CASES: list[tuple[str, Callable[[Cast], dict[str, Any]], str, str]] = [
    (
        "id-11-digits",
        lambda _c: {"applicant_id_number": "03709000123"},
        "invalid_citizen_id",
        "applicant.id_number",
    ),
    (
        "id-with-letters",
        lambda _c: {"applicant_id_number": "03709000123A"},
        "invalid_citizen_id",
        "applicant.id_number",
    ),
    (
        "id-13-digits",
        lambda _c: {"applicant_id_number": "0370900012345"},
        "invalid_citizen_id",
        "applicant.id_number",
    ),
    ("phone-too-short", lambda _c: {"applicant_phone": "0912345"}, "invalid_phone", "applicant.phone"),
    ("phone-with-letters", lambda _c: {"applicant_phone": "09123abc78"}, "invalid_phone", "applicant.phone"),
    (
        "email-without-domain",
        lambda _c: {"applicant_email": "an.nguyen@"},
        "invalid_email",
        "applicant.email",
    ),
    (
        "email-without-at",
        lambda _c: {"applicant_email": "an.nguyen.example.vn"},
        "invalid_email",
        "applicant.email",
    ),
    (
        "name-empty",
        lambda _c: {"applicant_full_name": "   "},
        "applicant_name_required",
        "applicant.full_name",
    ),
    (
        "name-too-long",
        lambda _c: {"applicant_full_name": "A" * 201},
        "applicant_name_required",
        "applicant.full_name",
    ),
    (
        "post-without-address",
        lambda _c: {"delivery_method": DeliveryMethod.POST, "delivery_address": "  "},
        "delivery_address_required",
        "delivery_address",
    ),
    (
        "procedure-not-offered",
        lambda _c: {"procedure": Procedure.objects.get(national_code=NOT_OFFERED)},
        "procedure_not_offered",
        "competent_agency",
    ),
    ("online-for-an-offline-offering", _offered_offline, "procedure_not_online", "channel"),
    (
        "postal-handover-time-without-time-zone",
        lambda c: {
            "actor": c.world.officers["buudien"],
            "procedure": Procedure.objects.get(national_code="1.001456"),
            "receiving_agency": c.world.centre,
            "competent_agency": c.world.departments["Bộ Công an"],
            "channel": Channel.POSTAL,
            "filed_at": datetime(2026, 3, 2, 8, 0),  # naive: 08:00 where?
        },
        "naive_datetime",
        "filed_at",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "make", "code", "field"), SUBMIT_CASES, ids=[c[0] for c in SUBMIT_CASES])
def test_bad_filing_is_refused_and_writes_nothing(
    demo_world: DemoWorld, case: str, make: Callable[[Cast], dict[str, Any]], code: str, field: str
) -> None:
    # given a filing with one bad input
    cast = build_cast(demo_world)
    overrides = make(cast)
    totals = counts()

    # when it is submitted
    with pytest.raises(DomainError) as refused:
        _submit(cast, **overrides)

    # then the documented error names the field, in both languages, and nothing is written
    assert refused.value.code == code
    assert refused.value.field == field
    assert refused.value.message_vi.strip()
    assert refused.value.message_en.strip()
    assert refused.value.status == 400
    assert counts() == totals


@pytest.mark.django_db
def test_a_valid_filing_is_normalised(demo_world: DemoWorld) -> None:
    # given a filing with spaces and separators a citizen typically types
    cast = build_cast(demo_world)

    # when it is submitted
    dossier = _submit(
        cast,
        applicant_full_name="  Nguyễn Văn An ",
        applicant_id_number=" 037090001234 ",
        applicant_phone="091 234.56-78",
        delivery_method=DeliveryMethod.POST,
        delivery_address=" Số 1 Lê Hồng Phong ",
    )

    # then it is stored cleaned
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        "Nguyễn Văn An",
        "037090001234",
        "0912345678",
    )
    assert dossier.delivery_address == "Số 1 Lê Hồng Phong"


@pytest.mark.django_db
def test_an_email_with_surrounding_spaces_is_accepted_like_the_other_fields(demo_world: DemoWorld) -> None:
    # given an e-mail pasted with a trailing space (name, id and phone are cleaned the same way)
    cast = build_cast(demo_world)

    # when it is submitted, then it is accepted and stored without the space
    dossier = _submit(cast, applicant_email="an.nguyen@example.vn ")
    assert dossier.applicant_email == "an.nguyen@example.vn"


# --------------------------------------------------------------------------------------------------
# Inputs of the later steps
# --------------------------------------------------------------------------------------------------

STEP_CASES: list[tuple[str, str, Callable[[Cast, Dossier], object], str, str]] = [
    (
        "supplement-request-with-no-item",
        "submitted",
        lambda c, d: services.request_supplement(d, actor=c.counter, missing=[], at=vn(2026, 3, 2, 10)),
        "supplement_items_required",
        "missing",
    ),
    (
        "supplement-item-without-reason",
        "submitted",
        lambda c, d: services.request_supplement(
            d, actor=c.counter, missing=[{"document": "Sổ hộ khẩu", "reason": "  "}], at=vn(2026, 3, 2, 10)
        ),
        "supplement_items_required",
        "missing",
    ),
    (
        "supplement-item-without-document",
        "submitted",
        lambda c, d: services.request_supplement(
            d, actor=c.counter, missing=[{"reason": "Thiếu"}], at=vn(2026, 3, 2, 10)
        ),
        "supplement_items_required",
        "missing",
    ),
    (
        "rejection-with-blank-reasons",
        "submitted",
        lambda c, d: services.reject(d, actor=c.counter, reasons=["", "   ", "\t"], at=vn(2026, 3, 2, 10)),
        "reason_required",
        "reasons",
    ),
    (
        "refusal-with-no-reason",
        "processing",
        lambda c, d: services.refuse(d, actor=c.leader, reasons=[], at=vn(2026, 3, 2, 11)),
        "reason_required",
        "reasons",
    ),
    (
        "negative-payment",
        "processing",
        lambda c, d: services.request_payment(
            d, actor=c.specialist, amount=Decimal("-20000"), reason="Lệ phí", at=vn(2026, 3, 2, 11)
        ),
        "invalid_amount",
        "amount",
    ),
    (
        "zero-payment",
        "processing",
        lambda c, d: services.request_payment(
            d, actor=c.specialist, amount=Decimal(0), reason="Lệ phí", at=vn(2026, 3, 2, 11)
        ),
        "invalid_amount",
        "amount",
    ),
    (
        "pause-without-reason",
        "processing",
        lambda c, d: services.pause(d, actor=c.specialist, reason=" ", at=vn(2026, 3, 2, 11)),
        "reason_required",
        "reason",
    ),
    (
        "consultation-with-no-time",
        "processing",
        lambda c, d: services.consult(
            d,
            actor=c.specialist,
            unit=c.consulted,
            question="Xin ý kiến",
            working_days=0,
            at=vn(2026, 3, 2, 11),
        ),
        "invalid_deadline",
        "working_days",
    ),
    (
        "transfer-to-nobody",
        "processing",
        lambda c, d: services.transfer(
            d, actor=c.specialist, legs=[], mode="parallel", at=vn(2026, 3, 2, 11)
        ),
        "legs_required",
        "legs",
    ),
    (
        "extension-date-without-time-zone",
        "processing",
        lambda c, d: services.request_extension(
            d,
            actor=c.specialist,
            reason="Cần xác minh thêm",
            new_due_at=datetime(2026, 3, 20, 9, 0),  # naive
            at=vn(2026, 3, 3, 9, 0),
        ),
        "naive_datetime",
        "new_due_at",
    ),
    (
        "assign-to-someone-outside-the-agency",
        "accepted",
        lambda c, d: services.assign(
            d, actor=c.leader, assignee=c.world.officers["chuyenvien.xaydung"], at=vn(2026, 3, 2, 11)
        ),
        "assignee_not_in_agency",
        "assignee",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "route", "call", "code", "field"), STEP_CASES, ids=[c[0] for c in STEP_CASES]
)
def test_bad_step_input_is_refused_and_changes_nothing(
    demo_world: DemoWorld,
    case: str,
    route: str,
    call: Callable[[Cast, Dossier], object],
    code: str,
    field: str,
) -> None:
    # given a dossier where the step is legal
    cast = build_cast(demo_world)
    dossier = drive(cast, route, Ticker(MONDAY))
    before = snapshot(dossier)
    totals = counts()

    # when the step is called with the bad input
    with pytest.raises(DomainError) as refused:
        call(cast, dossier)

    # then the documented error names the field, in both languages, and nothing changed
    assert refused.value.code == code
    assert refused.value.field == field
    assert refused.value.message_vi.strip()
    assert refused.value.message_en.strip()
    assert snapshot(dossier) == before
    assert counts() == totals
