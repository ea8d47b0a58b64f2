"""Distinct procedures with activity over any period: the per-year day bits (PostgreSQL) and the per-day rows
(SQLite) give the same answer as a recomputation, across year ends and leap days, and a bit follows its
per-day counter when that counter crosses zero in either direction."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from motcua.dossiers.constants import Action
from motcua.dossiers.tests.factories import Cast, build_cast, file_online, perform, vn
from motcua.monitoring import maintain, measures, queries, recompute
from motcua.monitoring.models import DossierFact, ScopeProcedureYearActivity
from motcua.monitoring.periods import Period

TODAY = date(2026, 7, 1)
#: Received on a leap day, on the last day of a leap year (bit 365), on both sides of two year ends.
RECEIVED = [
    vn(2024, 2, 29, 9),
    vn(2024, 12, 31, 9),
    vn(2025, 1, 2, 9),
    vn(2025, 12, 31, 9),
    vn(2026, 1, 2, 9),
]


def _received(cast: Cast, at: datetime) -> DossierFact:
    dossier = file_online(cast, at)
    perform(cast, dossier, Action.ACCEPT, at=at.replace(hour=10))
    fact = DossierFact.objects.get(dossier=dossier)
    assert fact.received_on == at.date()
    return fact


PERIODS = [
    Period(date(2024, 2, 29), date(2024, 3, 1)),
    Period(date(2024, 3, 1), date(2024, 12, 31)),
    Period(date(2024, 12, 31), date(2025, 1, 1)),
    Period(date(2025, 1, 1), date(2025, 1, 2)),
    Period(date(2025, 1, 2), date(2025, 1, 3)),
    Period(date(2024, 12, 30), date(2025, 1, 2)),
    Period(date(2025, 1, 3), date(2025, 12, 31)),
    Period(date(2025, 12, 31), date(2026, 1, 2)),
    Period(date(2026, 1, 1), date(2026, 1, 2)),
    Period.year(2024),
    Period.year(2025),
    Period(date(2024, 3, 1), date(2026, 1, 3)),
]


@pytest.mark.parametrize("period", PERIODS, ids=str)
def test_procedures_with_activity_at_the_edges_of_years(demo_world: Any, period: Period) -> None:
    cast = build_cast(demo_world)
    received_days = [_received(cast, at).received_on for at in RECEIVED]
    expected = int(any(period.contains(day) for day in received_days if day is not None))
    province = cast.commune.parent
    assert province is not None
    for scope in (cast.commune, province):
        fast = queries.counts(scope, period, today_=TODAY)
        assert fast["procedures_with_dossiers"] == expected
        assert fast["offered_online_with_online_dossier"] == expected
        slow = recompute.counts(scope, period, today_=TODAY)
        assert {k: fast[k] for k in queries.ACTIVITY} == {k: slow[k] for k in queries.ACTIVITY}
    together = queries.counts_many([cast.commune, province], period, today_=TODAY)
    assert together[province.pk]["procedures_with_dossiers"] == expected


@pytest.mark.skipif("not maintain.keeps_activity()", reason="the day bits are kept on PostgreSQL")
def test_a_bit_is_set_when_its_counter_leaves_zero_and_cleared_when_it_returns(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    first = _received(cast, vn(2026, 3, 2, 9))
    second = _received(cast, vn(2026, 3, 2, 11))
    other_day = _received(cast, vn(2026, 3, 4, 9))
    row = ScopeProcedureYearActivity.objects.get(scope=cast.commune, procedure=cast.procedure, year=2026)
    march_2 = maintain.day_of_year(date(2026, 3, 2))
    march_4 = maintain.day_of_year(date(2026, 3, 4))
    assert {i for i, bit in enumerate(row.received) if bit == "1"} == {march_2, march_4}
    assert row.received_online == row.received  # all three were filed online
    assert set(row.postal_any) == {"0"}

    paths = {cast.commune.pk: cast.commune.path}  # the commune and, by its path, its ancestors

    def take_away(fact: DossierFact) -> None:  # what a refresh does with a fact that stops counting
        accumulator = maintain._Accumulator()
        accumulator.add(fact, -1, paths)
        accumulator.flush()

    take_away(first)  # 2 March still has the second dossier: no crossing, the bit stays
    row.refresh_from_db()
    assert row.received[march_2] == "1"
    take_away(second)  # 2 March back to zero: its bit is cleared, 4 March's stays
    row.refresh_from_db()
    assert {i for i, bit in enumerate(row.received) if bit == "1"} == {march_4}
    assert row.received_online == row.received
    kept = _bits()
    assert maintain.rebuild_activity() == len(kept)  # what the crossings left = what the day rows give
    assert _bits() == kept
    take_away(other_day)  # nothing left in the year: the rows go, up to the nation
    assert not ScopeProcedureYearActivity.objects.filter(procedure=cast.procedure, year=2026).exists()


def _bits() -> dict[tuple[int, int, int], tuple[str, ...]]:
    return {
        (row[0], row[1], row[2]): tuple(row[3:])
        for row in ScopeProcedureYearActivity.objects.values_list(
            "scope_id", "procedure_id", "year", *measures.ACTIVITY
        )
    }
