"""Reading the aggregates: the counters of any agency subtree over any period, in a few indexed queries.

``counts`` sums at most one ``ScopeDayCounts`` row per day (flows over the period, stock deltas up to its
start and end), counts the scope's catalogue in ``ScopeOffer`` and the distinct procedures with activity
from the bits of ``ScopeProcedureYearActivity`` (one row per active procedure and year). Cost grows with the
number of days and procedures, never with the number of dossiers.

``as_is`` rolls merged units up into their successors (spec §8.3): the scope also takes the agencies of
units that ceased on the 2025 reorganisation and whose successor lies in the scope (the outermost only,
so nothing is counted twice). Without it, a merged unit's history stays with its own, old, agency ("as was").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from motcua.agencies.models import Agency, UnitSuccession
from motcua.catalogue.models import OnlineMode
from motcua.core.clock import now, to_vn
from motcua.dossiers.models import Dossier
from motcua.monitoring import facts, maintain, measures
from motcua.monitoring.models import (
    DossierFact,
    ScopeDayCounts,
    ScopeOffer,
    ScopeProcedureDayCounts,
    ScopeProcedureYearActivity,
)
from motcua.monitoring.models.aggregates import DAYS_IN_BITS
from motcua.monitoring.periods import Period

STOCK_NAMES = {
    "open_delta": "open",
    "open_late_delta": "open_late",
    "open_late_766_delta": "open_late_766",
}
CATALOGUE = (
    "offered",
    "offered_online",
    "offered_full_online",
    "offered_partial_online",
    "offered_level2",
    "offered_level3",
    "offered_level4",
    "offered_with_fee",
    "offered_full_online_eligible",
    "offered_for_citizens",
)
ACTIVITY = (
    "offered_online_with_online_dossier",
    "offered_level3_with_online_dossier",
    "offered_level4_with_online_dossier",
    "offered_with_fee_with_paid_online",
    "procedures_with_dossiers",
    "procedures_with_postal",
    "procedures_with_population_data",
)
NAMES = (
    *measures.FLOWS,
    *(f"{name}_at_{edge}" for name in STOCK_NAMES.values() for edge in ("start", "end")),
    *CATALOGUE,
    *ACTIVITY,
)


class Counts(Mapping[str, int]):
    """The counters of one scope and period, by name (see ``NAMES``); immutable."""

    def __init__(self, values: Mapping[str, int]) -> None:
        missing = set(NAMES) - set(values)
        if missing:
            raise ValueError(f"counts without {sorted(missing)}")
        self._values = dict(values)

    def __getitem__(self, key: str) -> int:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v}" for k, v in self._values.items() if v)
        return f"Counts({shown})"


def today() -> date:
    return to_vn(now()).date()


def scope_set(scope: Agency, *, as_is: bool = False) -> list[int]:
    """The agency ids whose closure rows make up ``scope`` (just the scope, unless ``as_is``)."""
    ids = [scope.pk]
    if not as_is:
        return ids
    ceased = list(Agency.objects.filter(valid_to__isnull=False).values_list("id", "path", "admin_unit_id"))
    if not ceased:
        return ids
    successors: dict[int, int] = {}
    for old_unit, new_unit in (
        UnitSuccession.objects.filter(predecessor_id__in={unit for _, _, unit in ceased if unit is not None})
        .order_by("-kind", "id")
        .values_list("predecessor_id", "successor_id")
    ):
        successors.setdefault(old_unit, new_unit)  # "partial" sorts after "full": a full succession wins
    agency_of_unit = dict(
        Agency.objects.filter(admin_unit_id__in=set(successors.values()), valid_to__isnull=True).values_list(
            "admin_unit_id", "id"
        )
    )
    inside = set(
        Agency.objects.filter(path__startswith=scope.path, id__in=set(agency_of_unit.values())).values_list(
            "id", flat=True
        )
    )
    mapped = {}
    for agency_id, path, unit in ceased:
        successor = successors.get(unit) if unit is not None else None
        target = agency_of_unit.get(successor) if successor is not None else None
        if target is not None and target in inside and not path.startswith(scope.path):
            mapped[agency_id] = path  # (an old unit already under the scope is counted by its closure)
    for agency_id, path in mapped.items():
        ancestors = {int(p) for p in path.strip("/").split("/") if p} - {agency_id}
        if not ancestors & set(mapped):
            ids.append(agency_id)
    return ids


def _in(ids: list[int]) -> str:
    return ", ".join(str(int(i)) for i in ids)


def counts(scope: Agency, period: Period, *, as_is: bool = False, today_: date | None = None) -> Counts:
    """Every counter of ``scope`` over ``period`` (see the module docstring)."""
    ids = scope_set(scope, as_is=as_is)
    end_stock = min(period.end, max(period.start, today_ or today()))
    values: dict[str, int] = dict.fromkeys(NAMES, 0)
    for sums in _day_sums(ids, period, end_stock).values():
        _add_day_sums(values, sums)
    offered: dict[int, Offer] = {}
    for offer in ScopeOffer.objects.filter(scope_id__in=ids).values_list(*OFFER_FIELDS):
        _merge_offer(offered, *offer)  # several scopes (as_is): the best mode and the highest level, once
    values.update(_catalogue_of(offered))
    if values["received"] == 0:
        values.update(dict.fromkeys(ACTIVITY, 0))  # nothing received: no procedure had activity
    else:
        values.update(_activity_from_sets(_active_procedures(ids, period)[None], offered))
    return Counts(values)


def _day_sums(ids: list[int], period: Period, end_stock: date) -> dict[int, list[int]]:
    """Per scope of ``ids``: the flows summed over the period, then each stock summed before its start and
    before ``end_stock``. Two statements: the flows read the period's rows only; the stocks read every day
    before ``end_stock`` but only the three delta columns, which the (scope, day) index carries."""
    qn = connection.ops.quote_name
    table = qn(ScopeDayCounts._meta.db_table)
    flows = ", ".join(f"SUM({qn(m)})" for m in measures.FLOWS)
    stocks = ", ".join(
        f"SUM(CASE WHEN day < %s THEN {qn(m)} ELSE 0 END), SUM({qn(m)})" for m in measures.STOCKS
    )
    out: dict[int, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT scope_id, {flows} FROM {table} "
            f"WHERE scope_id IN ({_in(ids)}) AND day >= %s AND day < %s GROUP BY scope_id",
            [period.start, period.end],
        )
        for scope_id, *sums in cursor.fetchall():
            out[scope_id] = [int(v or 0) for v in sums] + [0] * (2 * len(measures.STOCKS))
        cursor.execute(
            f"SELECT scope_id, {stocks} FROM {table} WHERE scope_id IN ({_in(ids)}) AND day < %s GROUP BY scope_id",
            [period.start] * len(measures.STOCKS) + [end_stock],
        )
        for scope_id, *sums in cursor.fetchall():
            row = out.setdefault(scope_id, [0] * (len(measures.FLOWS) + 2 * len(measures.STOCKS)))
            row[len(measures.FLOWS) :] = [int(v or 0) for v in sums]
    return out


def _add_day_sums(target: dict[str, int], row: Sequence[Any]) -> None:
    """Add one scope's sums of ``_day_sums`` to ``target``."""
    for i, measure in enumerate(measures.FLOWS):
        target[measure] += int(row[i])
    offset = len(measures.FLOWS)
    for j, measure in enumerate(measures.STOCKS):
        name = STOCK_NAMES[measure]
        target[f"{name}_at_start"] += int(row[offset + 2 * j])
        target[f"{name}_at_end"] += int(row[offset + 2 * j + 1])


#: Sets of procedures with activity in a period, by kind: "received", "online", "paid", "postal",
#: "population" (the counters of ``measures.ACTIVITY``, in that order).
ActivitySets = dict[str, set[int]]
ACTIVITY_SETS = ("received", "online", "paid", "postal", "population")


def _active_procedures(
    ids: list[int], period: Period, *, by_scope: bool = False
) -> dict[int | None, ActivitySets]:
    """The procedures with activity in the period in the scopes ``ids`` — together (key ``None``) or, with
    ``by_scope``, per scope id. PostgreSQL reads the bits of each active procedure and year
    (``ScopeProcedureYearActivity``: at most one row per procedure and year, whatever the scope's size);
    SQLite reads the per-day rows of the period."""
    out: dict[int | None, ActivitySets] = {}
    for scope, procedure, *flags in _activity_rows(ids, period, by_scope=by_scope):
        sets = out.setdefault(scope if by_scope else None, {})
        for name, active in zip(ACTIVITY_SETS, flags, strict=True):
            if active:
                sets.setdefault(name, set()).add(procedure)
    out.setdefault(None, {})
    return out


def _activity_rows(ids: list[int], period: Period, *, by_scope: bool) -> Iterator[tuple[Any, ...]]:
    """(scope, procedure, one truth value per ``measures.ACTIVITY``) for each active pair in the period."""
    qn = connection.ops.quote_name
    if not maintain.keeps_activity():
        cells = ScopeProcedureDayCounts.objects.filter(
            scope_id__in=ids, day__gte=period.start, day__lt=period.end, received__gt=0
        ).values_list("scope_id", "procedure_id", *measures.ACTIVITY)
        for scope, procedure, *values in cells.iterator(chunk_size=5000):
            yield (scope, procedure, *(v > 0 for v in values))
        return
    last = period.end - timedelta(days=1)
    windows: list[Any] = []  # (year, first bit, number of bits) of each year the period touches
    for year in range(period.start.year, last.year + 1):
        lo = maintain.day_of_year(period.start) if year == period.start.year else 0
        hi = maintain.day_of_year(last) + 1 if year == last.year else DAYS_IN_BITS
        windows += [year, lo + 1, hi - lo]
    window_sql = ", ".join("(%s, %s, %s)" for _ in range(len(windows) // 3))
    table = qn(ScopeProcedureYearActivity._meta.db_table)
    scope_key = "a.scope_id" if by_scope else "NULL::int"
    flags = ", ".join(
        f"bool_or(bit_count(substring(a.{qn(m)} FROM w.lo FOR w.n)) > 0)" for m in measures.ACTIVITY
    )
    # Only integers and our own identifiers are formatted into the SQL; years and bit positions are parameters.
    sql = (
        f"SELECT {scope_key}, a.procedure_id, {flags} FROM {table} a "
        f"JOIN (VALUES {window_sql}) AS w(year, lo, n) ON a.year = w.year "
        f"WHERE a.scope_id IN ({_in(ids)}) AND a.year IN ({_in(windows[::3])}) "
        f"GROUP BY {'a.scope_id, ' if by_scope else ''}a.procedure_id "
        f"HAVING bool_or(bit_count(substring(a.{qn('received')} FROM w.lo FOR w.n)) > 0)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, windows)
        yield from cursor.fetchall()


def _activity_from_sets(sets: dict[str, set[int]], offered: Mapping[int, Offer]) -> dict[str, int]:
    online_dossier = sets.get("online", set())
    paid = sets.get("paid", set())
    online_modes = (OnlineMode.FULL.value, OnlineMode.PARTIAL.value)
    return {
        "offered_online_with_online_dossier": sum(
            1 for p, (mode, *_rest) in offered.items() if mode in online_modes and p in online_dossier
        ),
        "offered_level3_with_online_dossier": sum(
            1 for p, (_m, level, *_rest) in offered.items() if level == 3 and p in online_dossier
        ),
        "offered_level4_with_online_dossier": sum(
            1 for p, (_m, level, *_rest) in offered.items() if level == 4 and p in online_dossier
        ),
        "offered_with_fee_with_paid_online": sum(
            1 for p, (_m, _l, fee, *_rest) in offered.items() if fee and p in paid
        ),
        "procedures_with_dossiers": len(sets.get("received", set())),
        "procedures_with_postal": len(sets.get("postal", set())),
        "procedures_with_population_data": len(sets.get("population", set())),
    }


#: A procedure offered in a scope: (best online mode, highest level, has a fee, eligible for full online,
#: for citizens) — 766 criterion 3.1 counts a procedure once, at its highest level.
Offer = tuple[str, int, bool, bool, bool]
OFFER_FIELDS = (
    "procedure_id",
    "online_mode",
    "historical_level",
    "has_fee",
    "full_online_eligible",
    "for_citizens",
)
_MODE_RANK = {OnlineMode.FULL.value: 2, OnlineMode.PARTIAL.value: 1}


def _merge_offer(
    best: dict[int, Offer],
    procedure: int,
    mode: str,
    level: int | None,
    fee: bool,
    eligible: bool,
    citizens: bool,
) -> None:
    seen = best.get(procedure)
    if seen is not None:
        mode = mode if _MODE_RANK.get(mode, 0) > _MODE_RANK.get(seen[0], 0) else seen[0]
        level = max(level or 0, seen[1])
    best[procedure] = (mode, level or 0, fee, eligible, citizens)


def _catalogue_of(best: Mapping[int, Offer]) -> dict[str, int]:
    online = (OnlineMode.FULL.value, OnlineMode.PARTIAL.value)
    out = dict.fromkeys(CATALOGUE, 0)
    for mode, level, fee, eligible, citizens in best.values():
        out["offered"] += 1
        out["offered_online"] += mode in online
        out["offered_full_online"] += mode == OnlineMode.FULL.value
        out["offered_partial_online"] += mode == OnlineMode.PARTIAL.value
        out["offered_level2"] += level == 2
        out["offered_level3"] += level == 3
        out["offered_level4"] += level == 4
        out["offered_with_fee"] += fee
        out["offered_full_online_eligible"] += eligible
        out["offered_for_citizens"] += citizens
    return out


def average_processing(
    scope: Agency, procedure_id: int, period: Period, *, as_is: bool = False
) -> tuple[int, int]:
    """(hundredths of working days, dossiers measured) of ``procedure_id`` resolved in the period."""
    from django.db.models import Sum

    totals = ScopeProcedureDayCounts.objects.filter(
        scope_id__in=scope_set(scope, as_is=as_is),
        procedure_id=procedure_id,
        day__gte=period.start,
        day__lt=period.end,
    ).aggregate(time=Sum("processing_centidays"), n=Sum("processing_measured"))
    return int(totals["time"] or 0), int(totals["n"] or 0)


def dossiers_behind(
    scope: Agency, period: Period, measure: str, *, as_is: bool = False, today_: date | None = None
) -> QuerySet[Dossier]:
    """The dossiers whose contributions make up ``measure`` over ``period`` in ``scope`` (drill-down).

    Flow counters list the dossiers counted in the period; ``open``/``open_late``/``open_late_766`` (with
    ``_at_end``) list those in that state at the end of the period."""
    from django.db.models import Q

    ids = scope_set(scope, as_is=as_is)
    paths = list(Agency.objects.filter(id__in=ids).values_list("path", flat=True))
    in_scope = Q()
    for path in paths:
        in_scope |= Q(agency__path__startswith=path)
    rules = facts.rules()
    fact_filter: Q
    if measure in rules:
        rule = rules[measure]
        fact_filter = Q(**{f"{rule.day}__gte": period.start, f"{rule.day}__lt": period.end}, **rule.where)
    elif measure.endswith("_at_end") and measure.removesuffix("_at_end") in STOCK_NAMES.values():
        state = measure.removesuffix("_at_end")
        end = min(period.end, max(period.start, today_ or today()))
        fact_filter = Q(received_on__lt=end) & (Q(finished_on__isnull=True) | Q(finished_on__gte=end))
        if state == "open_late":
            fact_filter &= Q(late_mark_on__lt=end)
        elif state == "open_late_766":
            fact_filter &= Q(late_766_mark_on__lt=end)
    else:
        raise KeyError(measure)
    fact_ids = DossierFact.objects.filter(in_scope, fact_filter).values("dossier_id")
    return Dossier.objects.filter(pk__in=fact_ids).order_by("due_at", "pk")


def counts_many(
    scopes: list[Agency], period: Period, *, as_is: bool = False, today_: date | None = None
) -> dict[int, Counts]:
    """``counts`` of many scopes at once (rankings, reports): the same numbers in a handful of grouped queries.

    Cost grows with the number of scopes and of (scope, procedure) pairs with activity in the period."""
    owners: dict[int, list[int]] = {}  # an old unit may roll up into a commune and its province alike
    for scope in scopes:
        for member in scope_set(scope, as_is=as_is):
            owners.setdefault(member, []).append(scope.pk)
    if not owners:
        return {}
    end_stock = min(period.end, max(period.start, today_ or today()))
    values: dict[int, dict[str, int]] = {scope.pk: dict.fromkeys(NAMES, 0) for scope in scopes}
    for scope_id, sums in _day_sums(list(owners), period, end_stock).items():
        for owner in owners[scope_id]:
            _add_day_sums(values[owner], sums)
    offered: dict[int, dict[int, Offer]] = {scope.pk: {} for scope in scopes}
    for scope_id, *offer in ScopeOffer.objects.filter(scope_id__in=list(owners)).values_list(
        "scope_id", *OFFER_FIELDS
    ):
        for owner in owners[scope_id]:
            _merge_offer(offered[owner], *offer)
    for scope in scopes:
        values[scope.pk].update(_catalogue_of(offered[scope.pk]))
    active: dict[int, ActivitySets] = {scope.pk: {} for scope in scopes}
    for active_scope, sets in _active_procedures(list(owners), period, by_scope=True).items():
        for owner in owners.get(active_scope, []) if active_scope is not None else ():
            for name, procedures in sets.items():
                active[owner].setdefault(name, set()).update(procedures)
    for scope in scopes:
        values[scope.pk].update(_activity_from_sets(active[scope.pk], offered[scope.pk]))
    return {scope_id: Counts(v) for scope_id, v in values.items()}
