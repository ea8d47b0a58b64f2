"""Deadlines of dossiers on the REAL calendar (2024–2026 official days loaded by ``reference_data``).

Counting rule (calendar policy defaults): a limit in working days ends on the Nth working day AFTER the
day the clock starts, at the same local time. Every expected date below is counted by hand against the
official calendar; the days counted are listed next to each assertion.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pytest_django import Settings

from motcua.agencies.loaders import province_agency_code
from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import Channel, Procedure, ProcedureChannel
from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.constants import Action, DeliveryMethod, Status
from motcua.dossiers.demo import DemoWorld
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.factories import (
    MISSING,
    Cast,
    applicant_of,
    build_cast,
    counts,
    file_online,
    snapshot,
    vn,
)

A, S = Action, Status


def accepted(
    cast: Cast, *, submitted: datetime, accepted_at: datetime, procedure: Procedure | None = None
) -> Dossier:
    """Filed online at commune A at ``submitted``, accepted by its counter at ``accepted_at``."""
    dossier = file_online(cast, submitted, procedure=procedure)
    return services.accept(dossier, actor=cast.counter, at=accepted_at)


def processing(cast: Cast) -> Dossier:
    """1.004222 filed Mon 2/3/2026 08:30, accepted 09:00 (due Wed 11/3/2026 09:00), assigned 09:30.

    Due: 7 working days after Mon 2/3 → 3, 4, 5, 6, 9, 10, 11 March → Wed 11/3/2026 09:00.
    """
    dossier = accepted(cast, submitted=vn(2026, 3, 2, 8, 30), accepted_at=vn(2026, 3, 2, 9, 0))
    assert dossier.due_at == vn(2026, 3, 11, 9, 0)
    return services.assign(dossier, actor=cast.leader, assignee=cast.specialist, at=vn(2026, 3, 2, 9, 30))


def _channel_limits(national_code: str) -> set[tuple[str, Decimal | None, str]]:
    rows = ProcedureChannel.objects.filter(procedure__national_code=national_code)
    return {(row.channel, row.time_limit, row.time_unit) for row in rows}


# --------------------------------------------------------------------------------------------------
# Accept starts the clock
# --------------------------------------------------------------------------------------------------


def test_permanent_residence_is_7_working_days_online(reference_data: None) -> None:
    # the national record of 1.004222 publishes 7 working days online and in person (no postal channel)
    assert _channel_limits("1.004222") == {
        ("online", Decimal(7), "working_days"),
        ("in_person", Decimal(7), "working_days"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("submitted", "accepted_at", "due"),
    [
        pytest.param(
            vn(2026, 2, 13, 8, 15),
            vn(2026, 2, 13, 9, 0),
            # Fri 13/2/2026 + 7: [14/2–22/2 Tết Bính Ngọ break], 23, 24, 25, 26, 27/2, 2/3, 3/3
            vn(2026, 3, 3, 9, 0),
            id="tet-2026",
        ),
        pytest.param(
            vn(2025, 1, 24, 9, 30),
            vn(2025, 1, 24, 10, 0),
            # Fri 24/1/2025 + 7: [25/1–2/2 Tết Ất Tỵ break], 3, 4, 5, 6, 7/2, 10/2, 11/2
            vn(2025, 2, 11, 10, 0),
            id="tet-2025",
        ),
        pytest.param(
            vn(2025, 4, 24, 13, 30),
            vn(2025, 4, 24, 14, 0),
            # Thu 24/4/2025 + 7: 25/4, Sat 26/4 (make-up day for the swap), 28/4, 29/4,
            # [30/4, 1/5 holidays, Fri 2/5 swapped day off, 3–4/5 weekend], 5/5, 6/5, 7/5
            vn(2025, 5, 7, 14, 0),
            id="30-april-swap-2025",
        ),
        pytest.param(
            vn(2026, 3, 2, 8, 30),
            vn(2026, 3, 2, 9, 0),
            # Mon 2/3/2026 + 7: 3, 4, 5, 6, 9, 10, 11 March (no holiday)
            vn(2026, 3, 11, 9, 0),
            id="ordinary-week",
        ),
    ],
)
def test_accept_starts_the_clock_with_the_channel_limit(
    demo_world: DemoWorld, submitted: datetime, accepted_at: datetime, due: datetime
) -> None:
    # given a 1.004222 dossier filed online at commune A (7 working days online)
    cast = build_cast(demo_world)
    dossier = file_online(cast, submitted)
    assert (dossier.clock_started_at, dossier.due_at) == (None, None)  # filing alone starts nothing

    # when the counter accepts it (Form 01)
    dossier = services.accept(dossier, actor=cast.counter, at=accepted_at)

    # then the clock started at acceptance and both due dates are the computed one
    assert dossier.accepted_at == accepted_at
    assert dossier.clock_started_at == accepted_at
    assert dossier.original_due_at == due
    assert dossier.due_at == due
    assert dossier.extended_due_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("channel", "due"),
    [
        # online 17 working days from Mon 2/3/2026: 3–6 (4), 9–13 (9), 16–20 (14), 23, 24, 25 → Wed 25/3
        pytest.param(Channel.ONLINE, vn(2026, 3, 25, 9, 0), id="online-17"),
        # in person 20 working days: … 23–27 (19), 30/3 (20) → Mon 30/3
        pytest.param(Channel.IN_PERSON, vn(2026, 3, 30, 9, 0), id="in-person-20"),
    ],
)
def test_the_time_limit_is_the_one_of_the_filing_channel(
    demo_world: DemoWorld, channel: Channel, due: datetime
) -> None:
    # given 1.012753 (first land registration), whose record gives a limit per channel
    assert {
        ("online", Decimal(17), "working_days"),
        ("in_person", Decimal(20), "working_days"),
    } <= _channel_limits("1.012753")
    cast = build_cast(demo_world)
    land = Procedure.objects.get(national_code="1.012753")
    dossier = services.submit(
        actor=cast.counter,
        procedure=land,
        receiving_agency=cast.commune,
        channel=channel,
        applicant=applicant_of(cast.citizen),
        at=vn(2026, 3, 2, 8, 30),
    )

    # when it is accepted
    dossier = services.accept(dossier, actor=cast.counter, at=vn(2026, 3, 2, 9, 0))

    # then the limit of that channel applies
    assert dossier.due_at == due


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "due"),
    [
        # default unit: working days. Fri 6/3/2026 + 3: 9, 10, 11 March → Wed 11/3
        pytest.param({}, vn(2026, 3, 11, 10, 0), id="working-days-by-default"),
        # calendar days: Fri 6/3 + 3 days = Mon 9/3 (a working day, no roll forward)
        pytest.param({"unspecified_time_unit": "days"}, vn(2026, 3, 9, 10, 0), id="calendar-days-by-policy"),
    ],
)
def test_a_bare_number_uses_the_unspecified_unit_policy(
    demo_world: DemoWorld, settings: Settings, policy: dict[str, str], due: datetime
) -> None:
    # given 1.004873 (marital status certificate), published as a bare "3" without a unit
    assert ("online", Decimal(3), "") in _channel_limits("1.004873")
    settings.DOSSIER_POLICY = policy
    cast = build_cast(demo_world)
    certificate = Procedure.objects.get(national_code="1.004873")

    # when a dossier is accepted on Fri 6/3/2026 10:00
    dossier = accepted(
        cast, submitted=vn(2026, 3, 6, 9, 0), accepted_at=vn(2026, 3, 6, 10, 0), procedure=certificate
    )

    # then the unit of the policy applies
    assert dossier.due_at == due


# --------------------------------------------------------------------------------------------------
# Supplements
# --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supplement_before_acceptance_does_not_start_the_clock(demo_world: DemoWorld) -> None:
    # given a dossier the counter asked to supplement before accepting it
    cast = build_cast(demo_world)
    dossier = file_online(cast, vn(2026, 3, 2, 8, 30))
    dossier = services.request_supplement(dossier, actor=cast.counter, missing=MISSING, at=vn(2026, 3, 2, 9))

    # when the citizen supplements on Wed 4/3 and the counter accepts at 11:00
    dossier = services.supplement(dossier, actor=cast.citizen, at=vn(2026, 3, 4, 10, 0))
    assert (dossier.clock_started_at, dossier.due_at, dossier.paused_at) == (None, None, None)
    dossier = services.accept(dossier, actor=cast.counter, at=vn(2026, 3, 4, 11, 0))

    # then the clock starts at acceptance: Wed 4/3 + 7: 5, 6, 9, 10, 11, 12, 13 March → Fri 13/3
    assert dossier.clock_started_at == vn(2026, 3, 4, 11, 0)
    assert dossier.due_at == vn(2026, 3, 13, 11, 0)
    assert dossier.supplement_count == 1


@pytest.mark.django_db
def test_supplement_after_acceptance_restarts_the_clock_by_default(demo_world: DemoWorld) -> None:
    # given a dossier in processing (due Wed 11/3/2026 09:00) for which the specialist asks a
    # supplement on Tue 3/3 10:00
    cast = build_cast(demo_world)
    dossier = processing(cast)
    dossier = services.request_supplement(
        dossier, actor=cast.specialist, missing=MISSING, at=vn(2026, 3, 3, 10, 0)
    )
    assert dossier.paused_at == vn(2026, 3, 3, 10, 0)

    # when the citizen supplements on Thu 5/3 15:00
    dossier = services.supplement(dossier, actor=cast.citizen, at=vn(2026, 3, 5, 15, 0))

    # then the time limit restarts from the supplement (Decree 61/2018 Art 19(4)):
    # Thu 5/3 + 7: 6, 9, 10, 11, 12, 13, 16 March → Mon 16/3/2026 15:00
    assert dossier.status == S.SUPPLEMENT_RECEIVED
    assert dossier.clock_started_at == vn(2026, 3, 5, 15, 0)
    assert dossier.due_at == vn(2026, 3, 16, 15, 0)
    assert dossier.paused_at is None

    # and resuming the processing does not move it again
    dossier = services.resume(dossier, actor=cast.specialist, at=vn(2026, 3, 5, 16, 0))
    assert dossier.status == S.PROCESSING
    assert dossier.due_at == vn(2026, 3, 16, 15, 0)


@pytest.mark.django_db
def test_supplement_after_acceptance_pauses_the_clock_by_policy(
    demo_world: DemoWorld, settings: Settings
) -> None:
    # given the "pause" policy and the same dossier (due Wed 11/3 09:00), supplement asked Tue 3/3 10:00
    settings.DOSSIER_POLICY = {"supplement_clock": "pause"}
    cast = build_cast(demo_world)
    dossier = processing(cast)
    dossier = services.request_supplement(
        dossier, actor=cast.specialist, missing=MISSING, at=vn(2026, 3, 3, 10, 0)
    )

    # when the citizen supplements on Thu 5/3 15:00
    dossier = services.supplement(dossier, actor=cast.citizen, at=vn(2026, 3, 5, 15, 0))

    # then the clock is not restarted: the working days waited (Tue 3/3, Wed 4/3 = 2) are added
    # to the due date: Wed 11/3 + 2: 12, 13 March → Fri 13/3/2026 09:00
    assert dossier.clock_started_at == vn(2026, 3, 2, 9, 0)
    assert dossier.original_due_at == vn(2026, 3, 11, 9, 0)
    assert dossier.due_at == vn(2026, 3, 13, 9, 0)
    assert dossier.paused_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked", "supplemented", "due"),
    [
        pytest.param(
            vn(2026, 3, 3, 10, 0),
            # the citizen supplements online early on Thu 5/3, 06:30 in Hanoi; the service stamps it
            # with now(), an aware UTC datetime: Wed 4/3 23:30 UTC
            datetime(2026, 3, 4, 23, 30, tzinfo=UTC),
            # waited Tue 3/3 and Wed 4/3 (Hanoi dates) = 2: Wed 11/3 + 2 → Fri 13/3 09:00
            # (counting on UTC dates would stop at 4/3 and give 1 day → Thu 12/3)
            vn(2026, 3, 13, 9, 0),
            id="resumed-early-morning",
        ),
        pytest.param(
            # the supplement is asked Wed 4/3 06:30 in Hanoi, stored as Tue 3/3 23:30 UTC
            vn(2026, 3, 4, 6, 30),
            vn(2026, 3, 5, 15, 0),
            # waited Wed 4/3 only (Hanoi dates) = 1: Wed 11/3 + 1 → Thu 12/3 09:00
            # (counting on UTC dates would start on 3/3 and give 2 days → Fri 13/3)
            vn(2026, 3, 12, 9, 0),
            id="paused-early-morning",
        ),
    ],
)
def test_paused_days_are_counted_on_hanoi_dates(
    demo_world: DemoWorld, settings: Settings, asked: datetime, supplemented: datetime, due: datetime
) -> None:
    # Regression test: shift_by_pause once took .date() of the UTC values (found by this suite; fixed
    # in deadlines.py in parallel by converting with to_vn first).
    # given the "pause" policy and a dossier in processing, due Wed 11/3/2026 09:00
    settings.DOSSIER_POLICY = {"supplement_clock": "pause"}
    cast = build_cast(demo_world)
    dossier = processing(cast)
    dossier = services.request_supplement(dossier, actor=cast.specialist, missing=MISSING, at=asked)

    # when the citizen supplements
    dossier = services.supplement(dossier, actor=cast.citizen, at=supplemented)

    # then only the Hanoi working days waited are added to the due date
    assert dossier.due_at == due


# --------------------------------------------------------------------------------------------------
# Pause, payment
# --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "due"),
    [
        # paused Tue 3/3 11:00 → resumed Mon 9/3 14:00: working days paused 3, 4, 5, 6 March = 4;
        # Wed 11/3 + 4: 12, 13, 16, 17 March → Tue 17/3/2026 09:00
        pytest.param({}, vn(2026, 3, 17, 9, 0), id="pause-stops-the-clock-by-default"),
        pytest.param({"pause_stops_clock": False}, vn(2026, 3, 11, 9, 0), id="clock-runs-by-policy"),
    ],
)
def test_pause_and_resume_push_the_due_date_by_the_working_days_paused(
    demo_world: DemoWorld, settings: Settings, policy: dict[str, bool], due: datetime
) -> None:
    # given a dossier in processing, due Wed 11/3/2026 09:00
    settings.DOSSIER_POLICY = policy
    cast = build_cast(demo_world)
    dossier = processing(cast)

    # when it is paused on Tue 3/3 11:00 and resumed on Mon 9/3 14:00
    dossier = services.pause(dossier, actor=cast.specialist, reason="Chờ xác minh", at=vn(2026, 3, 3, 11, 0))
    assert dossier.paused_at == vn(2026, 3, 3, 11, 0)
    dossier = services.resume(dossier, actor=cast.specialist, at=vn(2026, 3, 9, 14, 0))

    # then the due date moved by the paused working days (or not, by policy); the original stays
    assert dossier.due_at == due
    assert dossier.original_due_at == vn(2026, 3, 11, 9, 0)
    assert dossier.paused_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "due"),
    [
        pytest.param({}, vn(2026, 3, 11, 9, 0), id="payment-wait-counts-by-default"),
        # same days as the pause above: 3, 4, 5, 6 March waited → Tue 17/3/2026 09:00
        pytest.param({"payment_wait_stops_clock": True}, vn(2026, 3, 17, 9, 0), id="stops-by-policy"),
    ],
)
def test_waiting_for_payment_stops_the_clock_only_by_policy(
    demo_world: DemoWorld, settings: Settings, policy: dict[str, bool], due: datetime
) -> None:
    # given a dossier in processing, due Wed 11/3/2026 09:00
    settings.DOSSIER_POLICY = policy
    cast = build_cast(demo_world)
    dossier = processing(cast)

    # when a fee is asked on Tue 3/3 11:00 and confirmed paid on Mon 9/3 14:00
    dossier = services.request_payment(
        dossier, actor=cast.specialist, amount=Decimal("20000"), reason="Lệ phí", at=vn(2026, 3, 3, 11, 0)
    )
    dossier = services.confirm_payment(dossier, actor=cast.counter, reference="BL-1", at=vn(2026, 3, 9, 14))

    # then
    assert dossier.status == S.PROCESSING
    assert dossier.due_at == due


# --------------------------------------------------------------------------------------------------
# Extension (Form 04)
# --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_extension_keeps_the_original_due_date_and_confirmation_sets_the_new_one(
    demo_world: DemoWorld,
) -> None:
    # given a dossier in processing, due Wed 11/3/2026 09:00
    cast = build_cast(demo_world)
    dossier = processing(cast)

    # when the specialist apologises on Mon 9/3 09:00 and proposes Fri 20/3 09:00
    dossier = services.request_extension(
        dossier,
        actor=cast.specialist,
        reason="Cần xác minh thêm",
        new_due_at=vn(2026, 3, 20, 9, 0),
        at=vn(2026, 3, 9, 9, 0),
    )

    # then the proposal is recorded; the due dates are not changed yet
    assert dossier.status == S.EXTENSION_REQUESTED
    assert dossier.extended_due_at == vn(2026, 3, 20, 9, 0)
    assert dossier.due_at == vn(2026, 3, 11, 9, 0)
    assert dossier.original_due_at == vn(2026, 3, 11, 9, 0)
    assert dossier.extension_count == 1

    # when the counter confirms the new date to the applicant
    dossier = services.confirm_extension(dossier, actor=cast.counter, at=vn(2026, 3, 9, 10, 0))

    # then the dossier is due on the extended date and the original due date is kept
    assert dossier.status == S.PROCESSING
    assert dossier.due_at == vn(2026, 3, 20, 9, 0)
    assert dossier.original_due_at == vn(2026, 3, 11, 9, 0)


def _extended_once(cast: Cast) -> Dossier:
    dossier = processing(cast)
    dossier = services.request_extension(
        dossier,
        actor=cast.specialist,
        reason="Cần xác minh thêm",
        new_due_at=vn(2026, 3, 20, 9, 0),
        at=vn(2026, 3, 9, 9, 0),
    )
    return services.confirm_extension(dossier, actor=cast.counter, at=vn(2026, 3, 9, 10, 0))


@pytest.mark.django_db
def test_a_second_extension_is_refused(demo_world: DemoWorld) -> None:
    # given a dossier extended once (max_extensions=1 by default), now due Fri 20/3 09:00
    cast = build_cast(demo_world)
    dossier = _extended_once(cast)
    before = snapshot(dossier)

    # when a second extension is asked on Tue 10/3
    with pytest.raises(DomainError) as refused:
        services.request_extension(
            dossier,
            actor=cast.specialist,
            reason="Vẫn cần thêm thời gian",
            new_due_at=vn(2026, 3, 27, 9, 0),
            at=vn(2026, 3, 10, 9, 0),
        )

    # then it is refused and nothing changed
    assert refused.value.code == "extension_limit_reached"
    assert snapshot(dossier) == before


@pytest.mark.django_db
def test_a_second_extension_is_allowed_when_the_policy_says_two(
    demo_world: DemoWorld, settings: Settings
) -> None:
    # given max_extensions=2 and a dossier extended once, due Fri 20/3 09:00
    settings.DOSSIER_POLICY = {"max_extensions": 2}
    cast = build_cast(demo_world)
    dossier = _extended_once(cast)

    # when a second extension is asked on Tue 10/3 (well before the due date)
    dossier = services.request_extension(
        dossier,
        actor=cast.specialist,
        reason="Vẫn cần thêm thời gian",
        new_due_at=vn(2026, 3, 27, 9, 0),
        at=vn(2026, 3, 10, 9, 0),
    )

    # then it is recorded; the original due date is still the first one
    assert dossier.extension_count == 2
    assert dossier.extended_due_at == vn(2026, 3, 27, 9, 0)
    assert dossier.original_due_at == vn(2026, 3, 11, 9, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("asked_at", "allowed"),
    [
        # one working day after Tue 10/3 09:00 is Wed 11/3 09:00 = the due date: just in time
        pytest.param(vn(2026, 3, 10, 9, 0), True, id="exactly-one-working-day-before"),
        # one minute later, one working day later is past the due date
        pytest.param(vn(2026, 3, 10, 9, 1), False, id="less-than-one-working-day-before"),
        # on the due day itself
        pytest.param(vn(2026, 3, 11, 8, 0), False, id="on-the-due-day"),
    ],
)
def test_extension_must_be_asked_one_working_day_before_the_due_date(
    demo_world: DemoWorld, asked_at: datetime, allowed: bool
) -> None:
    # given a dossier in processing, due Wed 11/3/2026 09:00
    cast = build_cast(demo_world)
    dossier = processing(cast)
    before = snapshot(dossier)

    def ask() -> Dossier:
        return services.request_extension(
            dossier,
            actor=cast.specialist,
            reason="Cần xác minh thêm",
            new_due_at=vn(2026, 3, 20, 9, 0),
            at=asked_at,
        )

    if allowed:
        # when asked in time, then it is recorded
        assert ask().status == S.EXTENSION_REQUESTED
    else:
        # when asked too late, then it is refused and nothing changed
        with pytest.raises(DomainError) as refused:
            ask()
        assert refused.value.code == "extension_too_late"
        assert snapshot(dossier) == before


# --------------------------------------------------------------------------------------------------
# Refusal after the deadline
# --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("policy", "refused_at", "error"),
    [
        pytest.param({}, vn(2026, 3, 11, 9, 0), None, id="at-the-due-moment"),
        pytest.param({}, vn(2026, 3, 11, 9, 1), "refusal_after_deadline", id="after-it-rejected-by-default"),
        pytest.param(
            {"refusal_after_deadline": "allow"}, vn(2026, 3, 12, 9, 0), None, id="allowed-by-policy"
        ),
    ],
)
def test_refusal_after_the_deadline(
    demo_world: DemoWorld,
    settings: Settings,
    policy: dict[str, str],
    refused_at: datetime,
    error: str | None,
) -> None:
    # given a dossier in processing, due Wed 11/3/2026 09:00
    settings.DOSSIER_POLICY = policy
    cast = build_cast(demo_world)
    dossier = processing(cast)
    before = snapshot(dossier)

    # when the leader refuses it at ``refused_at``
    if error is None:
        dossier = services.refuse(dossier, actor=cast.leader, reasons=["Không đủ điều kiện"], at=refused_at)
        # then it is refused and finished then
        assert dossier.status == S.REFUSED
        assert dossier.finished_at == refused_at
    else:
        with pytest.raises(DomainError) as rejected:
            services.refuse(dossier, actor=cast.leader, reasons=["Không đủ điều kiện"], at=refused_at)
        # then the refusal is rejected: an apology (Form 04) or a stop (Form 05) is needed instead
        assert rejected.value.code == error
        assert snapshot(dossier) == before


# --------------------------------------------------------------------------------------------------
# Where the dossier is filed: boundary-free reception, service centre, post
# --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_boundary_free_reception_starts_the_clock_when_the_competent_agency_receives(
    demo_world: DemoWorld,
) -> None:
    # given a citizen filing 1.004222 at commune A for commune B (offered boundary-free in the province)
    cast = build_cast(demo_world)
    dossier = file_online(cast, vn(2026, 3, 2, 8, 30), competent=cast.other_commune)
    assert dossier.boundary_free is True

    # when commune A's counter accepts it
    dossier = services.accept(dossier, actor=cast.counter, at=vn(2026, 3, 2, 9, 0))

    # then it is accepted but its clock has not started
    assert dossier.accepted_at == vn(2026, 3, 2, 9, 0)
    assert (dossier.clock_started_at, dossier.original_due_at, dossier.due_at) == (None, None, None)
    # and it cannot be assigned before the competent agency receives it
    with pytest.raises(DomainError) as early:
        services.assign(
            dossier,
            actor=cast.world.officers["lanhdao.tinh"],
            assignee=cast.specialist,
            at=vn(2026, 3, 2, 10),
        )
    assert early.value.code == "not_received_by_competent_agency"

    # when commune B's counter receives it on Wed 4/3 10:00
    dossier = services.competent_receive(dossier, actor=cast.other_commune_counter, at=vn(2026, 3, 4, 10, 0))

    # then the clock starts there: Wed 4/3 + 7: 5, 6, 9, 10, 11, 12, 13 March → Fri 13/3/2026 10:00
    assert dossier.status == S.ACCEPTED
    assert dossier.competent_received_at == vn(2026, 3, 4, 10, 0)
    assert dossier.clock_started_at == vn(2026, 3, 4, 10, 0)
    assert dossier.original_due_at == dossier.due_at == vn(2026, 3, 13, 10, 0)

    # and the competent agency receives only once
    with pytest.raises(DomainError) as twice:
        services.competent_receive(dossier, actor=cast.other_commune_counter, at=vn(2026, 3, 4, 11, 0))
    assert twice.value.code == "not_boundary_free"


@pytest.mark.django_db
def test_competent_receive_is_only_for_boundary_free_dossiers(demo_world: DemoWorld) -> None:
    # given an ordinary dossier accepted at commune A for commune A
    cast = build_cast(demo_world)
    dossier = accepted(cast, submitted=vn(2026, 3, 2, 8, 30), accepted_at=vn(2026, 3, 2, 9, 0))
    before = snapshot(dossier)

    # when commune A's leader records a competent-agency reception
    with pytest.raises(DomainError) as refused:
        services.competent_receive(dossier, actor=cast.leader, at=vn(2026, 3, 2, 10, 0))

    # then it is refused and nothing changed
    assert refused.value.code == "not_boundary_free"
    assert snapshot(dossier) == before


def _commune_of_another_province() -> Agency:
    lang_son = Agency.objects.get(code=province_agency_code("20"))
    commune = Agency.objects.filter(parent=lang_son, kind=AgencyKind.COMMUNE).order_by("code").first()
    assert commune is not None
    return commune


@pytest.mark.django_db
@pytest.mark.parametrize(
    "case",
    [
        # the passport (1.001456) is offered by the provincial police with boundary_free="none"
        "passport-at-a-commune",
        # 1.004222 is boundary-free within Ninh Bình only; a Lạng Sơn commune is another province
        "province-scope-from-another-province",
    ],
)
def test_boundary_free_filing_outside_the_allowed_scope_is_refused(demo_world: DemoWorld, case: str) -> None:
    # given
    cast = build_cast(demo_world)
    if case == "passport-at-a-commune":
        procedure = Procedure.objects.get(national_code="1.001456")
        receiving, competent = cast.commune, demo_world.departments["Bộ Công an"]
    else:
        procedure = cast.procedure
        receiving, competent = _commune_of_another_province(), cast.commune
    totals = counts()

    # when the citizen files it there
    with pytest.raises(DomainError) as refused:
        services.submit(
            actor=cast.citizen,
            procedure=procedure,
            receiving_agency=receiving,
            competent_agency=competent,
            channel=Channel.ONLINE,
            applicant=applicant_of(cast.citizen),
            at=vn(2026, 3, 2, 8, 30),
        )

    # then it is refused on the receiving agency and nothing is written
    assert refused.value.code == "boundary_free_not_allowed"
    assert refused.value.field == "receiving_agency"
    assert counts() == totals


@pytest.mark.django_db
def test_the_service_centre_receives_for_its_province_without_boundary_free_rules(
    demo_world: DemoWorld,
) -> None:
    # given the provincial service centre receiving a passport dossier (1.001456, provincial police,
    # boundary_free="none", 8 working days in person) at its counter
    assert ("in_person", Decimal(8), "working_days") in _channel_limits("1.001456")
    counter = demo_world.officers["motcua.tinh"]
    dossier = services.submit(
        actor=counter,
        procedure=Procedure.objects.get(national_code="1.001456"),
        receiving_agency=demo_world.centre,
        competent_agency=demo_world.departments["Bộ Công an"],
        channel=Channel.IN_PERSON,
        applicant=applicant_of(demo_world.citizens[0]),
        at=vn(2026, 3, 2, 8, 30),
    )
    assert dossier.boundary_free is False

    # when the centre accepts it
    dossier = services.accept(dossier, actor=counter, at=vn(2026, 3, 2, 9, 0))

    # then the clock starts at once: Mon 2/3 + 8: 3, 4, 5, 6, 9, 10, 11, 12 March → Thu 12/3/2026 09:00
    assert dossier.clock_started_at == vn(2026, 3, 2, 9, 0)
    assert dossier.due_at == vn(2026, 3, 12, 9, 0)


@pytest.mark.django_db
def test_postal_dossier_is_filed_when_the_handover_record_is_signed(demo_world: DemoWorld) -> None:
    # given a postal worker who signed the handover record on Mon 2/3/2026 16:00 and a system that
    # receives the dossier on Tue 3/3 09:30 (passport, 8 working days by post)
    assert ("postal", Decimal(8), "working_days") in _channel_limits("1.001456")
    postal_worker = demo_world.officers["buudien"]
    signed, received = vn(2026, 3, 2, 16, 0), vn(2026, 3, 3, 9, 30)

    # when the postal worker submits it at the service centre
    dossier = services.submit(
        actor=postal_worker,
        procedure=Procedure.objects.get(national_code="1.001456"),
        receiving_agency=demo_world.centre,
        competent_agency=demo_world.departments["Bộ Công an"],
        channel=Channel.POSTAL,
        applicant=applicant_of(demo_world.citizens[0]),
        delivery_method=DeliveryMethod.POST,
        delivery_address="Số 1 Lê Hồng Phong, Phủ Lý, Ninh Bình",
        filed_at=signed,
        at=received,
    )

    # then the legal filing time is the signing; the system reception and the code are of Tue 3/3
    assert dossier.submitted_at == signed
    assert dossier.system_received_at == received
    assert dossier.code == f"{demo_world.centre.code}-260303-0001"
    assert dossier.submitted_by_id == postal_worker.pk
    assert dossier.applicant_id is None

    # and the clock starts only at acceptance: Tue 3/3 10:00 + 8: 4, 5, 6, 9, 10, 11, 12, 13 → Fri 13/3
    dossier = services.accept(dossier, actor=demo_world.officers["motcua.tinh"], at=vn(2026, 3, 3, 10, 0))
    assert dossier.due_at == vn(2026, 3, 13, 10, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filed_at", "code"),
    [
        pytest.param(None, "handover_time_required", id="without-handover-time"),
        pytest.param(vn(2026, 3, 3, 10, 0), "filed_in_future", id="handover-after-reception"),
    ],
)
def test_postal_dossier_needs_a_past_handover_time(
    demo_world: DemoWorld, filed_at: datetime | None, code: str
) -> None:
    # given
    totals = counts()

    # when a postal dossier is submitted on Tue 3/3 09:30 without (or with a later) handover time
    with pytest.raises(DomainError) as refused:
        services.submit(
            actor=demo_world.officers["buudien"],
            procedure=Procedure.objects.get(national_code="1.001456"),
            receiving_agency=demo_world.centre,
            competent_agency=demo_world.departments["Bộ Công an"],
            channel=Channel.POSTAL,
            applicant=applicant_of(demo_world.citizens[0]),
            filed_at=filed_at,
            at=vn(2026, 3, 3, 9, 30),
        )

    # then it is refused on filed_at and nothing is written
    assert refused.value.code == code
    assert refused.value.field == "filed_at"
    assert counts() == totals


@pytest.mark.django_db
def test_terminal_statuses_record_when_the_dossier_finished(demo_world: DemoWorld) -> None:
    # given a dossier that goes all the way to the returned result
    cast = build_cast(demo_world)
    dossier = processing(cast)
    dossier = services.process(dossier, actor=cast.specialist, opinion="Đủ điều kiện", at=vn(2026, 3, 3, 9))
    dossier = services.approve(dossier, actor=cast.leader, at=vn(2026, 3, 3, 10, 0))

    # when the result is ready and returned
    dossier = services.resolve(dossier, actor=cast.specialist, at=vn(2026, 3, 3, 11, 0))
    assert dossier.resolved_at == vn(2026, 3, 3, 11, 0)
    assert dossier.finished_at is None  # resolved is not terminal: the result is not yet returned
    dossier = services.return_result(dossier, actor=cast.counter, at=vn(2026, 3, 4, 8, 0))

    # then the return is recorded, the result code defaults to <dossier code>-KQ1, the dossier finished
    assert dossier.status == S.RETURNED
    assert dossier.returned_at == dossier.finished_at == vn(2026, 3, 4, 8, 0)
    assert dossier.result_code == f"{dossier.code}-KQ1"
    assert [e.to_status for e in DossierEvent.objects.filter(dossier=dossier).order_by("sequence")] == [
        S.SUBMITTED,
        S.ACCEPTED,
        S.PROCESSING,
        S.PENDING_APPROVAL,
        S.APPROVED,
        S.RESOLVED,
        S.RETURNED,
    ]
