"""Rankings of the units under a parent, and the counters of a unit's own dossiers.

Dossiers go through the real services in communes of the demo province, fast (early) or slow (late) —
see ``units`` — so each commune's value, and therefore the order, is known by construction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from motcua.agencies.models import Agency, AgencyKind
from motcua.agencies.services import add_agency
from motcua.core.errors import DomainError
from motcua.dossiers.demo import DemoWorld
from motcua.monitoring import indicators, queries
from motcua.monitoring.index766 import load_index_versions, score
from motcua.monitoring.periods import Period
from motcua.monitoring.rankings import (
    ADDITIVE,
    RankedUnit,
    competition_ranks,
    evaluate_own,
    own_counts,
    peers,
    rank,
)

from .units import FAST, SLOW, Unit, four_communes

#: Received in March, the slow ones resolved in April: the first half of 2026 holds everything.
PERIOD = Period.half(2026, 1)
TODAY = date(2026, 7, 1)


def row_of(rows: list[RankedUnit], agency: Agency) -> RankedUnit:
    return next(row for row in rows if row.agency.pk == agency.pk)


# --- peers -------------------------------------------------------------------------------------------------


def test_peers_are_the_direct_children_or_every_unit_of_a_kind(demo_world: DemoWorld) -> None:
    province = demo_world.province
    nation = Agency.objects.get(depth=0)

    children = peers(province)
    communes = peers(province, AgencyKind.COMMUNE)
    provinces = peers(nation, AgencyKind.PROVINCE)

    # direct children: communes, departments and the service centre of the province, nothing deeper
    assert {a.parent_id for a in children} == {province.pk}
    assert demo_world.centre in children
    assert set(demo_world.departments.values()) <= set(children)
    # a kind: every commune below the province, no department
    assert set(demo_world.communes) <= set(communes)
    assert {a.kind for a in communes} == {AgencyKind.COMMUNE}
    assert all(a.is_within(province) for a in communes)
    assert communes == sorted(communes, key=lambda a: a.code)
    # every province of the nation (34 after 1 July 2025), never the nation itself
    assert province in provinces
    assert {a.kind for a in provinces} == {AgencyKind.PROVINCE}
    assert len(provinces) == 34


def test_a_ceased_unit_is_a_peer_only_in_periods_it_existed(demo_world: DemoWorld) -> None:
    province = demo_world.province
    old = add_agency(code="999.01.01.H37", name="UBND xã cũ", kind=AgencyKind.COMMUNE, parent=province)
    old.valid_to = date(2025, 6, 30)
    old.save(update_fields=["valid_to"])

    assert old not in peers(province, AgencyKind.COMMUNE)
    assert old in peers(province, AgencyKind.COMMUNE, during=Period.year(2025))
    assert old not in peers(province, AgencyKind.COMMUNE, during=Period.year(2026))
    assert old in peers(
        province, AgencyKind.COMMUNE, during=Period.between(date(2025, 6, 30), date(2025, 7, 1))
    )


def test_an_unknown_kind_is_refused(demo_world: DemoWorld) -> None:
    with pytest.raises(DomainError) as refused:
        peers(demo_world.province, "hamlet")
    assert (refused.value.code, refused.value.field) == ("unknown_agency_kind", "kind")


# --- ordering rules ---------------------------------------------------------------------------------------


def test_competition_ranks_share_ties_and_put_no_value_last(demo_world: DemoWorld) -> None:
    a, b, c, d, e = list(Agency.objects.filter(parent=demo_world.province).order_by("code")[:5])
    values = [(e, Decimal("50")), (d, None), (c, Decimal("50")), (b, Decimal("100")), (a, Decimal("10"))]

    best_high = competition_ranks(values, higher_is_better=True)
    best_low = competition_ranks(values, higher_is_better=False)

    # 100 first; c and e tie at 50 (rank 2, c first by code); the next is 4th; no value last, unranked
    assert best_high == [(b, 1), (c, 2), (e, 2), (a, 4), (d, None)]
    assert best_low == [(a, 1), (c, 2), (e, 2), (b, 4), (d, None)]


# --- ranking on an indicator -------------------------------------------------------------------------------


def test_ranking_on_the_on_time_rate(demo_world: DemoWorld) -> None:
    # Given four communes: W 1 early; X 1 early + 1 late; Y 1 early + 1 late; Z 1 late
    w, x, y, z = four_communes(demo_world)
    citizen = demo_world.citizens[0]
    w.resolve_one(citizen, FAST)
    for unit in (x, y):
        unit.resolve_one(citizen, FAST)
        unit.resolve_one(citizen, SLOW)
    z.resolve_one(citizen, SLOW)

    # When the communes of the province are ranked on the on-time rate
    rows = rank(demo_world.province, PERIOD, indicator="on_time_rate", kind=AgencyKind.COMMUNE, today=TODAY)

    # Then 1/1 = 100 %, 1/2 = 50 % twice (shared rank 2), 0/1 = 0 % fourth; the others N/A, last, unranked
    top = [(r.agency, r.rank, r.value, r.numerator, r.denominator) for r in rows[:4]]
    assert top == [
        (w.agency, 1, Decimal("100.00"), 1, 1),
        (x.agency, 2, Decimal("50.00"), 1, 2),
        (y.agency, 2, Decimal("50.00"), 1, 2),
        (z.agency, 4, Decimal("0.00"), 0, 1),
    ]
    rest = rows[4:]
    assert len(rows) == len(peers(demo_world.province, AgencyKind.COMMUNE))
    assert rest, "the province has communes without dossiers"
    assert all(r.rank is None and r.value is None and r.denominator == 0 for r in rest)
    assert [r.agency.code for r in rest] == sorted(r.agency.code for r in rest)


def test_ranking_values_equal_the_indicator_evaluated_unit_by_unit(demo_world: DemoWorld) -> None:
    w, x, _y, z = four_communes(demo_world)
    citizen = demo_world.citizens[0]
    w.resolve_one(citizen, FAST)
    x.resolve_one(citizen, SLOW)
    z.resolve_one(citizen, FAST)

    for code in ("on_time_rate", "online_dossier_rate", "late_rate", "on_time_rate_766"):
        rows = rank(demo_world.province, PERIOD, indicator=code, kind=AgencyKind.COMMUNE, today=TODAY)
        for unit in (w, x, z):
            alone = indicators.evaluate(unit.agency, PERIOD, [code], today=TODAY)[code]
            row = row_of(rows, unit.agency)
            assert (row.value, row.numerator, row.denominator) == (
                alone.value,
                alone.numerator,
                alone.denominator,
            ), code


def test_lower_is_better_puts_the_fastest_first(demo_world: DemoWorld) -> None:
    # Given a commune that resolves the same day and one that takes four weeks
    w, x, _y, _z = four_communes(demo_world)
    citizen = demo_world.citizens[0]
    x.resolve_one(citizen, SLOW)
    w.resolve_one(citizen, FAST)
    assert indicators.REGISTRY["average_processing_days"].higher_is_better is False

    # When ranked on the average processing time
    rows = rank(
        demo_world.province, PERIOD, indicator="average_processing_days", kind=AgencyKind.COMMUNE, today=TODAY
    )

    # Then the fast commune is first, the slow one second (four weeks ≥ 15 working days), the rest N/A
    first, second = rows[0], rows[1]
    assert (first.agency, first.rank, second.agency, second.rank) == (w.agency, 1, x.agency, 2)
    assert first.value is not None
    assert second.value is not None
    assert first.value < Decimal(1) <= Decimal(15) <= second.value
    assert all(r.rank is None and r.value is None for r in rows[2:])


def test_direct_children_rank_departments_and_communes_together(demo_world: DemoWorld) -> None:
    w, *_ = four_communes(demo_world)
    w.resolve_one(demo_world.citizens[0], FAST)

    rows = rank(demo_world.province, PERIOD, indicator="online_dossier_rate", today=TODAY)

    assert {r.agency.pk for r in rows} == {a.pk for a in peers(demo_world.province)}
    assert (rows[0].agency, rows[0].rank, rows[0].value) == (w.agency, 1, Decimal("100.00"))
    assert all(r.rank is None for r in rows[1:])


# --- ranking on the 766 index -----------------------------------------------------------------------------


def test_ranking_on_the_766_index_total(demo_world: DemoWorld) -> None:
    # Given the index versions, and communes whose dossiers are all early (W), half late (X), all late (Z)
    load_index_versions()
    w, x, _y, z = four_communes(demo_world)
    citizen = demo_world.citizens[0]
    w.resolve_one(citizen, FAST)
    x.resolve_one(citizen, FAST)
    x.resolve_one(citizen, SLOW)
    z.resolve_one(citizen, SLOW)

    # When the communes are ranked on the DVCQG-2026 index
    rows = rank(demo_world.province, PERIOD, index_version="DVCQG-2026", kind=AgencyKind.COMMUNE, today=TODAY)

    # Then the order follows the on-time criteria (2.1: 20 points × on-time rate; 5.4), the rest being equal
    ranks = {r.agency.pk: r.rank for r in rows}
    assert (ranks[w.agency.pk], ranks[x.agency.pk], ranks[z.agency.pk]) == (1, 2, 3)
    assert all(r.numerator is None and r.denominator is None for r in rows)
    # each value is the unit's index total, as scored alone from the same indicators
    for unit in (w, x, z):
        row = row_of(rows, unit.agency)
        assert row.score is not None
        codes = sorted({c.indicator for c in row.score.criteria if c.indicator})
        values = indicators.evaluate(unit.agency, PERIOD, codes, today=TODAY)
        assert row.value == score("DVCQG-2026", unit.agency, PERIOD, values=values).total == row.score.total
    # 2.1 is worth 20 points at 100 % on time: 20 for W, 10 for X (50 %), 0 for Z (0 %)
    two_one = {
        unit.agency.pk: next(c for c in row_of(rows, unit.agency).score.criteria if c.code == "2.1").points  # type: ignore[union-attr]
        for unit in (w, x, z)
    }
    assert two_one == {
        w.agency.pk: Decimal("20.00"),
        x.agency.pk: Decimal("10.00"),
        z.agency.pk: Decimal("0.00"),
    }
    # a commune without offerings or dossiers gets the full points of the criteria that do not apply to a
    # commune, yet scores no criterion: it is not ranked
    idle = [r for r in rows if r.agency.pk not in {u.agency.pk for u in (w, x, _y, z)}]
    assert idle
    assert all(r.rank is None and r.value is None for r in idle)
    assert all(r.score is not None and r.score.total > 0 for r in idle)
    assert [r.rank for r in rows[-len(idle) :]] == [None] * len(idle)


def test_the_measure_to_rank_on_must_be_exactly_one_and_known(demo_world: DemoWorld) -> None:
    load_index_versions()
    province = demo_world.province
    cases = [
        ({}, "ranking_measure_required", "indicator"),
        (
            {"indicator": "on_time_rate", "index_version": "DVCQG-2026"},
            "ranking_measure_required",
            "indicator",
        ),
        ({"indicator": "no_such_rate"}, "unknown_indicator", "indicator"),
        ({"index_version": "766-1999"}, "index_version_not_found", "index"),
        ({"indicator": "on_time_rate", "kind": "hamlet"}, "unknown_agency_kind", "kind"),
    ]
    for kwargs, code, field in cases:
        with pytest.raises(DomainError) as refused:
            rank(province, PERIOD, today=TODAY, **kwargs)  # type: ignore[arg-type]
        assert (refused.value.code, refused.value.field) == (code, field), kwargs


# --- a unit's own dossiers ----------------------------------------------------------------------------------


def test_own_counts_are_the_subtree_minus_the_children(demo_world: DemoWorld) -> None:
    # Given the province itself resolving one dossier late, and two of its communes one early each
    province = Unit(demo_world.province, "tinh")
    w, x, _y, _z = four_communes(demo_world)
    citizen = demo_world.citizens[0]
    province.resolve_one(citizen, SLOW)
    w.resolve_one(citizen, FAST)
    x.resolve_one(citizen, FAST)

    own = own_counts(demo_world.province, PERIOD, today=TODAY)
    whole = queries.counts(demo_world.province, PERIOD, today_=TODAY)
    own_values = evaluate_own(demo_world.province, PERIOD, ["on_time_rate"], today=TODAY)

    # Then the province's own dossiers are its one late dossier; the subtree holds all three
    assert (own["received"], own["resolved"], own["resolved_late"]) == (1, 1, 1)
    assert (whole["received"], whole["resolved"], whole["resolved_late"]) == (3, 3, 1)
    assert set(own) == set(ADDITIVE)
    assert (own_values["on_time_rate"].numerator, own_values["on_time_rate"].denominator) == (0, 1)
    assert own_values["on_time_rate"].value == Decimal("0.00")
    # a commune has no children: its own dossiers are its subtree
    commune_own = own_counts(w.agency, PERIOD, today=TODAY)
    commune_whole = queries.counts(w.agency, PERIOD, today_=TODAY)
    assert {k: commune_own[k] for k in ADDITIVE} == {k: commune_whole[k] for k in ADDITIVE}


def test_own_scope_refuses_catalogue_indicators_and_lists_only_the_others(demo_world: DemoWorld) -> None:
    with pytest.raises(DomainError) as refused:
        evaluate_own(demo_world.province, PERIOD, ["online_dossier_rate", "online_service_rate"], today=TODAY)
    assert (refused.value.code, refused.value.field) == ("indicator_needs_subtree", "scope")
    assert "online_service_rate" in refused.value.message_en
    assert "online_dossier_rate" not in refused.value.message_en

    every = evaluate_own(demo_world.province, PERIOD, today=TODAY)
    assert "online_dossier_rate" in every
    assert "on_time_rate" in every
    assert "online_service_rate" not in every  # procedures offered: catalogue
    assert "services_with_online_dossiers_rate" not in every  # distinct procedures with activity
    assert list(every) == [code for code in indicators.REGISTRY if code in every]
    assert all(v.value is None for v in every.values())  # nothing filed: N/A, never 0
