"""The aggregates kept incrementally equal a from-scratch recomputation over the raw events (issue 5 §2).

Random dossiers go through the real services (random routes, channels, delays, ratings), so their counters
are maintained by the transitions themselves; then, for every scope of the demo province and several
periods, ``queries.counts`` (aggregates) must equal ``recompute.counts`` (dossiers and events only), and a
``rebuild`` must give back exactly the same rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from motcua.agencies.models import Agency
from motcua.catalogue.models import Channel
from motcua.dossiers import citizen, services
from motcua.dossiers.constants import Action, DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import ROUTES, Cast, applicant_of, build_cast, perform, vn
from motcua.monitoring import maintain, measures, queries, recompute
from motcua.monitoring.models import (
    DossierFact,
    ScopeDayCounts,
    ScopeProcedureDayCounts,
    ScopeProcedureYearActivity,
)
from motcua.monitoring.periods import Period

ROUTE_NAMES = [name for name, route in ROUTES.items() if route.start == "online"]
TODAY = date(2026, 7, 1)


def _random_dossier(cast: Cast, rng: random.Random, start: Any) -> Dossier:
    moment = start

    def clock() -> Any:
        nonlocal moment
        moment += timedelta(hours=rng.choice([1, 3, 20, 30, 70, 100, 200]))
        return moment

    channel = rng.choice([Channel.ONLINE, Channel.ONLINE, Channel.IN_PERSON, Channel.POSTAL])
    delivery = rng.choice([DeliveryMethod.ONLINE, DeliveryMethod.COUNTER, DeliveryMethod.POST])
    actor = cast.citizen if channel == Channel.ONLINE else cast.counter
    dossier = services.submit(
        actor=actor,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=cast.commune,
        channel=channel,
        applicant=applicant_of(cast.citizen),
        delivery_method=delivery,
        delivery_address="Số 1 đường Làng" if delivery == DeliveryMethod.POST else "",
        filed_at=clock() if channel == Channel.POSTAL else None,
        at=clock(),
    )
    route = ROUTES[rng.choice(ROUTE_NAMES)]
    steps = list(route.steps)
    if (
        rng.random() < 0.4
        and Action.REQUEST_SUPPLEMENT not in steps
        and steps[:2] == [Action.ACCEPT, Action.ASSIGN]
    ):
        steps[2:2] = [Action.REQUEST_SUPPLEMENT, Action.SUPPLEMENT, Action.RESUME]
    for step in steps:
        if step in (Action.SUPPLEMENT, Action.WITHDRAW):  # at the counter, whoever filed
            dossier = perform(cast, dossier, step, at=clock(), actor=cast.counter)
        elif isinstance(step, Action):
            dossier = perform(cast, dossier, step, at=clock())
        else:
            dossier = step(cast, dossier, clock())
    if dossier.status == "returned" and dossier.applicant_id == cast.citizen.pk and rng.random() < 0.6:
        citizen.evaluate(
            dossier,
            actor=cast.citizen,
            raw={
                "satisfaction": rng.choice(["very_satisfied", "satisfied", "not_satisfied"]),
                "return_time": rng.choice(["early", "on_time", "late"]),
                "agencies_contacted": rng.choice(["none", "one", "more"]),
                "attitude": rng.choice(["good", "neutral", "bad"]),
            },
            at=clock(),
        )
    return dossier


def _rows(
    model: type[ScopeDayCounts] | type[ScopeProcedureDayCounts],
) -> dict[tuple[Any, ...], dict[str, int]]:
    key_fields = ["scope_id", "day"] if model is ScopeDayCounts else ["scope_id", "procedure_id", "day"]
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in model.objects.values():
        key = tuple(row.pop(k) for k in key_fields)
        row.pop("id")
        if any(row.values()):
            out[key] = row
    return out


def _activity_rows() -> dict[tuple[int, int, int], tuple[str, ...]]:
    """The activity bits per (scope, procedure, year), as "0101…" strings (PostgreSQL keeps them)."""
    return {
        (row[0], row[1], row[2]): tuple(row[3:])
        for row in ScopeProcedureYearActivity.objects.values_list(
            "scope_id", "procedure_id", "year", *measures.ACTIVITY
        )
    }


@pytest.mark.parametrize(("seed", "copy_threshold"), [(1, maintain.COPY_THRESHOLD), (2, 1), (3, 1)])
def test_aggregates_equal_a_recomputation_from_events(
    demo_world: Any, seed: int, copy_threshold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeds 2 and 3 send every counter upsert through COPY on PostgreSQL (what a big import does)."""
    monkeypatch.setattr(maintain, "COPY_THRESHOLD", copy_threshold)
    copied: list[str] = []
    by_copy = maintain._upsert_by_copy

    def counting_copy(table: str, *args: Any) -> dict[tuple[Any, ...], tuple[int, ...]]:
        copied.append(table)
        return by_copy(table, *args)

    monkeypatch.setattr(maintain, "_upsert_by_copy", counting_copy)
    rng = random.Random(seed)
    cast = build_cast(demo_world)
    for _ in range(14):
        start = vn(2026, rng.choice([2, 3, 4, 5]), rng.randint(1, 27), 8)
        _random_dossier(cast, rng, start)
    assert DossierFact.objects.count() > 0

    province = cast.commune.parent
    assert province is not None
    nation = Agency.objects.get(depth=0)
    scopes = [nation, province, cast.commune, cast.other_commune, cast.leg_agency]
    periods = [
        Period.month(2026, 3),
        Period.month(2026, 4),
        Period.quarter(2026, 2),
        Period.year(2026),
        Period.between(date(2026, 2, 17), date(2026, 5, 9)),
        Period(date(2026, 6, 1), date(2026, 9, 1)),  # runs past "today": stocks are taken today
    ]
    compared = 0
    for period in periods:
        together = queries.counts_many(scopes, period, today_=TODAY)
        for scope in scopes:
            assert dict(together[scope.pk]) == dict(queries.counts(scope, period, today_=TODAY)), scope.code
    for scope in scopes:
        for period in periods:
            fast = queries.counts(scope, period, today_=TODAY)
            slow = recompute.counts(scope, period, today_=TODAY)
            differing = {k: (fast[k], slow[k]) for k in slow if fast[k] != slow[k]}
            assert differing == {}, f"{scope.code} {period}: {differing}"
            compared += 1
    assert bool(copied) == (copy_threshold == 1 and connection.vendor == "postgresql")
    busy = queries.counts(province, Period.year(2026), today_=TODAY)
    assert busy["received"] > 0  # the comparison was not between zeros
    assert busy["finished"] > 0
    assert compared == len(scopes) * len(periods)

    incremental = (_rows(ScopeDayCounts), _rows(ScopeProcedureDayCounts), _activity_rows())
    assert bool(incremental[2]) == maintain.keeps_activity()  # the bits are kept where they are read
    maintain.rebuild()
    assert (_rows(ScopeDayCounts), _rows(ScopeProcedureDayCounts), _activity_rows()) == incremental


def test_the_competent_agency_counts_the_dossier_not_the_reception_point(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    rng = random.Random(7)
    dossier = services.submit(
        actor=cast.citizen,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=cast.other_commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.citizen),
        at=vn(2026, 3, 2, 9),
    )
    perform(cast, dossier, Action.ACCEPT, at=vn(2026, 3, 2, 10))
    del rng
    march = Period.month(2026, 3)
    assert queries.counts(cast.other_commune, march, today_=TODAY)["received"] == 1
    assert queries.counts(cast.commune, march, today_=TODAY)["received"] == 0


def test_a_dossier_never_received_counts_nowhere(demo_world: Any) -> None:
    cast = build_cast(demo_world)
    dossier = services.submit(
        actor=cast.citizen,
        procedure=cast.procedure,
        receiving_agency=cast.commune,
        competent_agency=cast.commune,
        channel=Channel.ONLINE,
        applicant=applicant_of(cast.citizen),
        at=vn(2026, 3, 2, 9),
    )
    perform(cast, dossier, Action.REJECT, at=vn(2026, 3, 2, 10))
    assert not DossierFact.objects.filter(dossier=dossier).exists()
    assert queries.counts(cast.commune, Period.month(2026, 3), today_=TODAY)["received"] == 0
