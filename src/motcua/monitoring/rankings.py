"""Rankings (xếp hạng) of the units of one level under a parent, on one indicator or on the 766 index total,
and the counters of a unit's own dossiers (its subtree minus its children's subtrees).

Choices (DESIGN unless marked; the legal texts publish rankings but not their tie or no-data rules):

* **Peers** — ``peers(parent)`` are the parent's direct children; ``peers(parent, kind)`` every agency of that
  ``AgencyKind`` below the parent (all communes of a province, all provinces of the nation). In the "as is"
  view only current units are ranked (a unit that ceased in the 2025 reorganisation is rolled up into its
  successor by ``queries.scope_set``, so listing it too would count its dossiers twice); in the "as was" view
  every unit that existed during the period is ranked on its own history.
* **Counting** — one ``queries.counts_many`` call for all peers, then the indicator formulas
  (``indicators.compute_all``) on each unit's counts: never one ``counts()`` per unit.
* **Order** — by value, best first: descending when the indicator is ``higher_is_better`` (every rate and
  the index), ascending otherwise (``average_processing_days``). Values are compared as computed (2 decimals
  for rates and working days, points to 2 decimals), so what is shown equal ranks equal.
* **Ties** — standard competition ranking "1, 2, 2, 4": equal values share the best rank; the next unit's
  rank counts every unit above it. Within a tie, and among unranked units, units are listed by agency code
  (neutral and stable).
* **N/A** — a unit whose value is N/A (zero denominator, spec §5.1 [F766]) is listed last with rank
  ``None``: it is not ranked, and never treated as 0 %.
* **766 index** — units are ranked on ``IndexScore.total``: the points of the criteria that could be scored,
  the figure the national portal ranks on (addendum §A4.3, SECONDARY). Every peer is scored with the same
  version and the same not-applicable rules, and a criterion without data is absent for everyone who lacks
  that data. A unit for which **no** criterion could be scored is N/A: the full points a commune receives on
  criteria that do not apply to it (I766-A) are not a performance and alone must not rank an idle unit.
  ``scaled_total`` (total × 100 / max attainable) is *not* used to rank: it would put a unit with a single
  perfect criterion above a unit scored on all of them. The full ``IndexScore`` is kept on each row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum

from motcua.agencies.models import Agency, AgencyKind
from motcua.core.errors import DomainError
from motcua.monitoring import index766, indicators, measures, queries
from motcua.monitoring.index766 import IndexScore
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.models import IndexCriterion, IndexVersion, ScopeDayCounts
from motcua.monitoring.periods import Period


@dataclass(frozen=True)
class RankedUnit:
    """One unit of a ranking. ``value`` is the indicator value or the index total (``None`` = N/A, then
    ``rank`` is ``None``); ``numerator``/``denominator`` are the indicator's counts (``None`` for the index);
    ``score`` is the unit's full index score when ranking on the index."""

    agency: Agency
    rank: int | None
    value: Decimal | None
    numerator: int | None
    denominator: int | None
    score: IndexScore | None = None


def _check_kind(kind: str | None) -> None:
    if kind is not None and kind not in AgencyKind.values:
        raise DomainError(
            "unknown_agency_kind",
            f"Không có loại cơ quan “{kind}”; các loại: {', '.join(AgencyKind.values)}.",
            f"There is no agency kind “{kind}”; kinds: {', '.join(AgencyKind.values)}.",
            field="kind",
        )


def peers(parent: Agency, kind: str | None = None, *, during: Period | None = None) -> list[Agency]:
    """The units ranked under ``parent``: its direct children, or every agency of ``kind`` below it.

    ``during`` ``None``: current units only (``valid_to`` empty). With a period: every unit that existed at
    some time during it (``valid_from`` before its end, ``valid_to`` — the last day, inclusive — on or after
    its start). Ordered by agency code.
    """
    _check_kind(kind)
    if kind is None:
        qs = Agency.objects.filter(parent=parent)
    else:
        qs = Agency.objects.filter(path__startswith=parent.path, kind=kind).exclude(pk=parent.pk)
    if during is None:
        qs = qs.filter(valid_to__isnull=True)
    else:
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lt=during.end)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=during.start)
        )
    return list(qs.order_by("code"))


def index_indicator_codes(version_code: str, *, field: str = "index") -> list[str]:
    """The registered indicators the criteria of index version ``version_code`` read; a ``DomainError``
    (``index_version_not_found``, on ``field``) when the version does not exist."""
    if not IndexVersion.objects.filter(code=version_code).exists():
        raise DomainError(
            "index_version_not_found",
            f"Không có phiên bản bộ chỉ số “{version_code}”.",
            f"There is no index version “{version_code}”.",
            field=field,
        )
    codes = IndexCriterion.objects.filter(version__code=version_code).values_list("indicator", flat=True)
    return sorted({code for code in codes if code in indicators.REGISTRY})


def competition_ranks(
    entries: Sequence[tuple[Agency, Decimal | None]], *, higher_is_better: bool
) -> list[tuple[Agency, int | None]]:
    """Order ``(agency, value)`` best first and give each its competition rank ("1, 2, 2, 4"); ``None``
    values last, unranked. Ties and unranked units are ordered by agency code."""
    valued = [(a, v) for a, v in entries if v is not None]
    missing = sorted((a for a, v in entries if v is None), key=lambda a: a.code)
    valued.sort(key=lambda item: item[0].code)
    valued.sort(key=lambda item: item[1], reverse=higher_is_better)
    out: list[tuple[Agency, int | None]] = []
    previous: Decimal | None = None
    rank = 0
    for position, (agency, value) in enumerate(valued, start=1):
        if previous is None or value != previous:
            rank = position
            previous = value
        out.append((agency, rank))
    out.extend((agency, None) for agency in missing)
    return out


def rank(
    parent: Agency,
    period: Period,
    *,
    indicator: str | None = None,
    index_version: str | None = None,
    kind: str | None = None,
    as_is: bool = False,
    today: date | None = None,
) -> list[RankedUnit]:
    """Rank the peers of ``parent`` (``peers``) over ``period`` on ``indicator`` or on the total of the
    index version ``index_version`` (exactly one of them); see the module docstring for the rules."""
    if (indicator is None) == (index_version is None):
        raise DomainError(
            "ranking_measure_required",
            "Hãy chọn đúng một tiêu chí xếp hạng: một chỉ số (indicator) hoặc một bộ chỉ số (index).",
            "Choose exactly one thing to rank on: an indicator or an index version.",
            field="indicator",
        )
    _check_kind(kind)
    chosen = indicators.get(indicator) if indicator is not None else None
    codes = index_indicator_codes(index_version) if index_version is not None else []
    units = peers(parent, kind, during=None if as_is else period)
    all_counts = queries.counts_many(units, period, as_is=as_is, today_=today)
    computed: dict[int, tuple[Decimal | None, int | None, int | None, IndexScore | None]] = {}
    for unit in units:
        counts = all_counts[unit.pk]
        if chosen is not None:
            value = chosen.compute(counts)
            computed[unit.pk] = (value.value, value.numerator, value.denominator, None)
        else:
            assert index_version is not None
            values = indicators.compute_all(counts, codes)
            score = index766.score(index_version, unit, period, values=values)
            scored = any(c.status == index766.SCORED for c in score.criteria)
            computed[unit.pk] = (score.total if scored else None, None, None, score)
    higher = chosen.higher_is_better if chosen is not None else True
    ordered = competition_ranks([(u, computed[u.pk][0]) for u in units], higher_is_better=higher)
    return [
        RankedUnit(
            agency=unit,
            rank=position,
            value=computed[unit.pk][0],
            numerator=computed[unit.pk][1],
            denominator=computed[unit.pk][2],
            score=computed[unit.pk][3],
        )
        for unit, position in ordered
    ]


# --- A unit's own dossiers (scope "self") ------------------------------------------------------------------

#: Counters that add up over disjoint subtrees: flows and stocks. The catalogue and the distinct-procedure
#: activity counters do not (a procedure offered by the parent and by a child counts once in the parent).
ADDITIVE: tuple[str, ...] = (
    *measures.FLOWS,
    *(f"{name}_at_{edge}" for name in queries.STOCK_NAMES.values() for edge in ("start", "end")),
)


class NotAdditive(KeyError):
    """A counter that cannot be computed for a unit's own dossiers by subtraction."""


class OwnCounts(Mapping[str, int]):
    """The additive counters of a unit's own dossiers; reading any other raises ``NotAdditive``."""

    def __init__(self, values: Mapping[str, int]) -> None:
        self._values = {name: values[name] for name in ADDITIVE}

    def __getitem__(self, key: str) -> int:
        if key not in self._values:
            raise NotAdditive(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def own_counts(agency: Agency, period: Period, *, today: date | None = None) -> OwnCounts:
    """The counters of the dossiers whose competent agency is ``agency`` itself, not one of its children:
    the subtree's counters minus the sum of its direct children's (two queries; the "as was" view only —
    a ceased unit rolled into a successor would have to be removed from whichever subtree holds it).

    Exact for flows and stocks, which add up over disjoint subtrees; the catalogue and the distinct
    procedure counters do not, so they are absent (``NotAdditive``)."""
    whole = queries.counts(agency, period, today_=today)
    end_stock = min(period.end, max(period.start, today or queries.today()))
    aggregates = {}
    for name in measures.FLOWS:
        aggregates[f"flow_{name}"] = Sum(name, filter=Q(day__gte=period.start, day__lt=period.end), default=0)
    for delta, stock in queries.STOCK_NAMES.items():
        aggregates[f"start_{stock}"] = Sum(delta, filter=Q(day__lt=period.start), default=0)
        aggregates[f"end_{stock}"] = Sum(delta, filter=Q(day__lt=end_stock), default=0)
    children = ScopeDayCounts.objects.filter(
        scope__parent=agency, day__lt=max(period.end, end_stock)
    ).aggregate(**aggregates)
    below: dict[str, int] = {name: int(children[f"flow_{name}"]) for name in measures.FLOWS}
    for stock in queries.STOCK_NAMES.values():
        below[f"{stock}_at_start"] = int(children[f"start_{stock}"])
        below[f"{stock}_at_end"] = int(children[f"end_{stock}"])
    return OwnCounts({name: whole[name] - below[name] for name in ADDITIVE})


def evaluate_own(
    agency: Agency, period: Period, codes: Sequence[str] | None = None, *, today: date | None = None
) -> dict[str, IndicatorValue]:
    """The indicators of ``codes`` over ``agency``'s own dossiers (``own_counts``).

    Without ``codes``: every registered indicator that can be computed that way, in registry order. An
    indicator of ``codes`` that reads the catalogue or distinct-procedure counters is refused
    (``indicator_needs_subtree``, on the field ``scope``)."""
    chosen = [indicators.get(code) for code in codes] if codes is not None else None
    counts = own_counts(agency, period, today=today)
    values: dict[str, IndicatorValue] = {}
    refused: list[str] = []
    for indicator in chosen if chosen is not None else indicators.REGISTRY.values():
        try:
            values[indicator.code] = indicator.compute(counts)
        except NotAdditive:
            refused.append(indicator.code)
    if refused and chosen is not None:
        names = ", ".join(refused)
        raise DomainError(
            "indicator_needs_subtree",
            f"Không tính được chỉ số {names} trên hồ sơ của riêng cơ quan (scope=self) vì chỉ số dựa trên "
            "danh mục thủ tục hoặc số thủ tục phân biệt của cả cơ quan và các đơn vị trực thuộc; hãy dùng "
            "scope=subtree.",
            f"{names} cannot be computed on the agency's own dossiers (scope=self): it reads the procedure "
            "catalogue or distinct-procedure counts, which cannot be split between an agency and the units "
            "below it; use scope=subtree.",
            field="scope",
        )
    return values
