"""What a dossier counts as: early / on time / late in the legal view and in the Decision 766 view (spec §2.9).

The residence procedure (1.004222) has a limit of 7 working days. Accepted on Monday 2 March 2026 at 08:30,
its due date is Wednesday 11 March 2026 (7 working days later: 3, 4, 5, 6, 9, 10, 11 March).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from motcua.dossiers.constants import Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import Cast, build_cast, file_online, perform, vn
from motcua.monitoring import queries
from motcua.monitoring.models import DossierFact
from motcua.monitoring.periods import Period

ACCEPTED = vn(2026, 3, 2, 8, 30)


def _accepted(cast: Cast) -> Dossier:
    dossier = file_online(cast, vn(2026, 3, 2, 8, 0))
    dossier = perform(cast, dossier, Action.ACCEPT, at=ACCEPTED)
    assert dossier.due_at is not None
    assert dossier.due_at.date() == date(2026, 3, 11)
    return perform(cast, dossier, Action.ASSIGN, at=vn(2026, 3, 2, 9))


def _resolve(cast: Cast, dossier: Dossier, when: Any) -> DossierFact:
    for action in (Action.PROCESS, Action.APPROVE):
        dossier = perform(cast, dossier, action, at=vn(2026, 3, 3, 9))
    perform(cast, dossier, Action.RESOLVE, at=when)
    return DossierFact.objects.get(dossier=dossier)


def test_resolved_before_the_due_day_is_early(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    fact = _resolve(cast, _accepted(cast), vn(2026, 3, 10, 15))
    assert (fact.outcome, fact.outcome_766, fact.ci1) == ("early", "on_time", 2)
    assert fact.processing_centidays == 600  # 3..10 March: 6 working days


def test_resolved_on_the_due_day_is_on_time_and_after_it_late(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    on_time = _resolve(cast, _accepted(cast), vn(2026, 3, 11, 8))  # due at 08:30, as accepted
    late = _resolve(cast, _accepted(cast), vn(2026, 3, 12, 9))
    assert (on_time.outcome, on_time.ci1) == ("on_time", 1)
    assert (late.outcome, late.outcome_766, late.ci1) == ("late", "late", 0)
    march = queries.counts(cast.commune, Period.month(2026, 3), today_=date(2026, 4, 1))
    assert (march["resolved_on_time"], march["resolved_late"]) == (1, 1)


def test_766_subtracts_the_time_waiting_for_a_supplement(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = perform(cast, _accepted(cast), Action.REQUEST_SUPPLEMENT, at=vn(2026, 3, 3, 9))
    dossier = perform(
        cast, dossier, Action.SUPPLEMENT, at=vn(2026, 3, 9, 9), actor=cast.counter
    )  # 6 days waited
    dossier = perform(cast, dossier, Action.RESUME, at=vn(2026, 3, 9, 10))
    fact = _resolve(cast, dossier, vn(2026, 3, 16, 9))  # 5 days after the first appointment, within 6 waited
    assert fact.outcome_766 == "on_time"
    assert fact.ci3 == 1  # one contact to complete the dossier (Circular 01/2018 index 3)


def test_766_counts_more_than_one_supplement_request_as_late(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = _accepted(cast)
    for day in (3, 4):
        dossier = perform(cast, dossier, Action.REQUEST_SUPPLEMENT, at=vn(2026, 3, day, 9))
        dossier = perform(cast, dossier, Action.SUPPLEMENT, at=vn(2026, 3, day, 10), actor=cast.counter)
        dossier = perform(cast, dossier, Action.RESUME, at=vn(2026, 3, day, 11))
    fact = _resolve(cast, dossier, vn(2026, 3, 5, 9))
    assert (fact.outcome, fact.outcome_766, fact.ci3) == ("early", "late", 0)


def test_an_apology_does_not_make_a_late_dossier_on_time_by_default(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = perform(cast, _accepted(cast), Action.REQUEST_EXTENSION, at=vn(2026, 3, 9, 9))
    dossier = perform(cast, dossier, Action.CONFIRM_EXTENSION, at=vn(2026, 3, 9, 10))
    fact = _resolve(cast, dossier, vn(2026, 3, 13, 9))  # within the new date (+7 days), after the first
    assert fact.outcome == "late"


def test_dossiers_in_progress_become_late_after_their_due_day(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    _accepted(cast)
    march = Period.month(2026, 3)
    due_day = queries.counts(cast.commune, march, today_=date(2026, 3, 11))
    after = queries.counts(cast.commune, march, today_=date(2026, 3, 12))
    assert (due_day["open_at_end"], due_day["open_late_at_end"]) == (1, 0)
    assert (after["open_at_end"], after["open_late_at_end"]) == (1, 1)
    late = list(
        queries.dossiers_behind(cast.commune, Period(date(2026, 3, 1), date(2026, 3, 12)), "open_late_at_end")
    )
    assert len(late) == 1
