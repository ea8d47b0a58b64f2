"""The same counters as ``queries.counts``, recomputed from scratch: from the dossiers, their events and the
catalogue, without reading any aggregate or stored fact.

This is the reference the aggregates must equal (tests on random data, ``bench/monitoring.py``). Each dossier
of the scope is derived afresh (``facts.derive``, the definition of what a dossier means); then every
counter is decided directly from dates: a flow counts when its day lies in the period, a stock when the
dossier was received before the instant, not finished before it and (for "late") past its mark.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q

from motcua.agencies.models import Agency
from motcua.catalogue.models import OnlineMode, ProcedureChannel, ProcedureOffering
from motcua.dossiers.models import Dossier
from motcua.monitoring import facts, measures
from motcua.monitoring.maintain import CITIZEN_WORDS
from motcua.monitoring.periods import Period
from motcua.monitoring.queries import ACTIVITY, CATALOGUE, STOCK_NAMES, Counts, scope_set, today


def _subtree(ids: list[int]) -> Q:
    paths = Agency.objects.filter(id__in=ids).values_list("path", flat=True)
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def counts(
    scope: Agency, period: Period, *, as_is: bool = False, today_: date | None = None, chunk: int = 2000
) -> Counts:
    ids = scope_set(scope, as_is=as_is)
    agencies = list(Agency.objects.filter(_subtree(ids)).values_list("id", flat=True))
    end = min(period.end, max(period.start, today_ or today()))
    rules = facts.rules()
    values: dict[str, int] = dict.fromkeys(measures.FLOWS, 0)
    for name in STOCK_NAMES.values():
        values[f"{name}_at_start"] = values[f"{name}_at_end"] = 0
    with_activity: dict[str, set[int]] = defaultdict(set)

    dossier_ids = list(
        Dossier.objects.filter(competent_agency_id__in=agencies, accepted_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(dossier_ids), chunk):
        batch = list(
            Dossier.objects.select_related("procedure").filter(pk__in=dossier_ids[start : start + chunk])
        )
        related = facts.load_related(batch)
        for dossier in batch:
            fact = facts.derive(dossier, related)
            if fact is None or fact.received_on is None:
                continue
            for measure in measures.FLOWS:
                rule = rules[measure]
                day = getattr(fact, rule.day)
                if day is not None and period.contains(day) and rule.holds(fact):
                    values[measure] += getattr(fact, rule.value) if rule.value else 1
            for edge, instant in (("start", period.start), ("end", end)):
                in_progress = fact.received_on < instant and (
                    fact.finished_on is None or fact.finished_on >= instant
                )
                if not in_progress:
                    continue
                values[f"open_at_{edge}"] += 1
                if fact.late_mark_on is not None and fact.late_mark_on < instant:
                    values[f"open_late_at_{edge}"] += 1
                if fact.late_766_mark_on is not None and fact.late_766_mark_on < instant:
                    values[f"open_late_766_at_{edge}"] += 1
            if period.contains(fact.received_on):
                with_activity["received"].add(fact.procedure_id)
                if fact.channel == "online":
                    with_activity["online"].add(fact.procedure_id)
                if fact.paid_online:
                    with_activity["paid_online"].add(fact.procedure_id)
                if fact.postal_any:
                    with_activity["postal"].add(fact.procedure_id)
                if fact.population_data:
                    with_activity["population"].add(fact.procedure_id)

    offered = _offered(ids)
    values.update(_catalogue_counts(offered))
    online = {p for p, (mode, _level) in offered.items() if mode != OnlineMode.NONE}
    level3 = {p for p, (_mode, level) in offered.items() if level == 3}
    level4 = {p for p, (_mode, level) in offered.items() if level == 4}
    with_fee = _with_fee(set(offered))
    activity = {
        "offered_online_with_online_dossier": len(online & with_activity["online"]),
        "offered_level3_with_online_dossier": len(level3 & with_activity["online"]),
        "offered_level4_with_online_dossier": len(level4 & with_activity["online"]),
        "offered_with_fee_with_paid_online": len(with_fee & with_activity["paid_online"]),
        "procedures_with_dossiers": len(with_activity["received"]),
        "procedures_with_postal": len(with_activity["postal"]),
        "procedures_with_population_data": len(with_activity["population"]),
    }
    assert set(activity) == set(ACTIVITY)
    values.update(activity)
    return Counts(values)


def _offered(ids: list[int]) -> dict[int, tuple[str, int | None]]:
    """Procedure -> (best online mode, highest historical level) over the offerings of the scope."""
    rank = {OnlineMode.FULL: 2, OnlineMode.PARTIAL: 1}
    best: dict[int, tuple[str, int | None]] = {}
    offerings = ProcedureOffering.objects.filter(
        agency_id__in=Agency.objects.filter(_subtree(ids)).values("id")
    ).values_list("procedure_id", "online_mode", "historical_level")
    for procedure, mode, level in offerings:
        if procedure not in best:
            best[procedure] = (mode, level)
            continue
        seen_mode, seen_level = best[procedure]
        if rank.get(mode, 0) > rank.get(seen_mode, 0):  # type: ignore[call-overload]
            seen_mode = mode
        if level is not None and (seen_level is None or level > seen_level):
            seen_level = level
        best[procedure] = (seen_mode, seen_level)
    return best


def _with_fee(procedures: set[int]) -> set[int]:
    return set(
        ProcedureChannel.objects.filter(procedure_id__in=procedures, fee_amount__gt=0).values_list(
            "procedure_id", flat=True
        )
    )


def _catalogue_counts(offered: dict[int, tuple[str, int | None]]) -> dict[str, int]:
    from motcua.catalogue.models import Procedure

    details = {
        p.pk: p
        for p in Procedure.objects.filter(pk__in=set(offered)).only("eligible_full_online", "applicant_types")
    }
    fee = _with_fee(set(offered))
    out = dict.fromkeys(CATALOGUE, 0)
    for procedure, (mode, level) in offered.items():
        out["offered"] += 1
        out["offered_online"] += mode != OnlineMode.NONE
        out["offered_full_online"] += mode == OnlineMode.FULL
        out["offered_partial_online"] += mode == OnlineMode.PARTIAL
        out["offered_level2"] += level == 2
        out["offered_level3"] += level == 3
        out["offered_level4"] += level == 4
        out["offered_with_fee"] += procedure in fee
        out["offered_full_online_eligible"] += bool(details[procedure].eligible_full_online)
        out["offered_for_citizens"] += any(
            w in details[procedure].applicant_types.lower() for w in CITIZEN_WORDS
        )
    return out
