"""The leaders' monitoring pages (thống kê, theo dõi chỉ tiêu): the dashboard of an agency subtree over a
period, the list of dossiers behind any counter (drill-down), and the report exports.

Who sees what: the dashboard and the exports are for agency leaders and centre directors
(``access.LEADER_ROLES``), over the subtrees of the agencies where they hold that role; any other agency is
a 404. The drill-down list is open to any officer with a role in the agency's subtree (else 404) and is
written once to the audit log (no personal data in the entry).

Thin: the numbers come from ``monitoring`` (queries, indicators, targets, index766); this module parses
the request, picks the agencies and periods, and lays the numbers out. Every number that is a dossier
counter links to the drill-down list of exactly the dossiers behind it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse

from motcua.accounts.models import User
from motcua.accounts.selectors import memberships_of, scope_paths
from motcua.agencies.models import Agency
from motcua.backoffice.access import LEADER_ROLES, paths_with_roles, roles_required, staff_required
from motcua.catalogue.forms import FieldError
from motcua.core import audit
from motcua.core.errors import DomainError
from motcua.monitoring import charts, exports, index766, indicators, measures, queries, rankings, targets
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.periods import Period

#: The Decision 766 index versions shown, newest first.
INDEX_VERSIONS = ("DVCQG-2026", "766-2022")
DEFAULT_TREND = "online_dossier_rate"
DEFAULT_RANKING = "on_time_rate"
#: The columns of the table of units (DESIGN: the Decree 224/2026 Art 19 metrics that have dossier data).
KEY_INDICATORS = (
    "online_dossier_rate",
    "full_online_dossier_rate",
    "on_time_rate",
    "on_time_rate_766",
    "average_processing_days",
    "satisfaction_rate",
)
#: The ranking chart draws the best units only (the table below it lists every unit).
RANKING_CHART_MAX = 30
#: The trend shows at most this many months (the latest ones).
TREND_MAX_MONTHS = 24
PAGE_SIZE = 50
PERIOD_KINDS = ("ytd", "month", "quarter", "year", "range")
#: Counters that are sums of something else than dossiers: no list of dossiers makes them up.
_NOT_DOSSIER_COUNTS = frozenset(
    {"processing_centidays", *(m for m in measures.FLOWS if m.endswith("_points"))}
)
DRILLABLE = frozenset(
    {*(m for m in measures.FLOWS if m not in _NOT_DOSSIER_COUNTS)}
    | {f"{name}_at_end" for name in queries.STOCK_NAMES.values()}
)

#: What the dossiers behind a counter are, for the title of the drill-down list.
MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "received_online": ("Hồ sơ tiếp nhận trực tuyến", "Dossiers received online"),
    "received_in_person": ("Hồ sơ nộp trực tiếp", "Dossiers filed in person"),
    "received_postal": ("Hồ sơ nộp qua bưu chính công ích", "Dossiers filed by post"),
    "received_full_online": ("Hồ sơ trực tuyến toàn trình", "Full-online dossiers"),
    "received_full_online_of_eligible": (
        "Hồ sơ toàn trình của TTHC đủ điều kiện toàn trình",
        "Full-online dossiers of eligible procedures",
    ),
    "received_of_full_online_eligible": (
        "Hồ sơ của TTHC đủ điều kiện toàn trình",
        "Dossiers of procedures eligible for full-online",
    ),
    "received_with_fee": ("Hồ sơ có phí, lệ phí", "Dossiers with a fee"),
    "received_paid_online": ("Hồ sơ thanh toán trực tuyến", "Dossiers paid online"),
    "received_with_files": ("Hồ sơ có thành phần điện tử", "Dossiers with electronic components"),
    "received_reused": ("Hồ sơ tái sử dụng dữ liệu", "Dossiers reusing data"),
    "received_population_data": (
        "Hồ sơ xác thực qua dữ liệu dân cư",
        "Dossiers authenticated with population data",
    ),
    "resolved": ("Hồ sơ đã giải quyết", "Dossiers resolved"),
    "resolved_early": ("Hồ sơ giải quyết trước hạn", "Dossiers resolved early"),
    "resolved_on_time": ("Hồ sơ giải quyết đúng hạn", "Dossiers resolved on time"),
    "resolved_late": ("Hồ sơ giải quyết quá hạn", "Dossiers resolved late"),
    "resolved_with_e_result": ("Hồ sơ có kết quả điện tử", "Dossiers with an electronic result"),
    "processing_measured": ("Hồ sơ được tính thời gian giải quyết", "Dossiers with a processing time"),
    "finished": ("Hồ sơ kết thúc xử lý", "Dossiers finished"),
    "evaluations": ("Hồ sơ được đánh giá", "Dossiers rated"),
    "evaluations_satisfied": ("Hồ sơ được đánh giá hài lòng", "Dossiers rated satisfied"),
    "open_at_end": ("Hồ sơ đang giải quyết cuối kỳ", "Dossiers in progress at the end"),
    "open_late_at_end": ("Hồ sơ đang giải quyết quá hạn cuối kỳ", "Dossiers in progress and late at the end"),
    "open_late_766_at_end": (
        "Hồ sơ quá hạn cuối kỳ (QĐ 766)",
        "Dossiers late at the end (Decision 766)",
    ),
}

#: The counters of the overview, each with its parts (by channel, by outcome).
OVERVIEW: dict[str, tuple[str, str]] = {
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "received_online": ("trực tuyến", "online"),
    "received_in_person": ("trực tiếp", "in person"),
    "received_postal": ("bưu chính", "by post"),
    "resolved": ("Hồ sơ đã giải quyết", "Dossiers resolved"),
    "resolved_early": ("trước hạn", "early"),
    "resolved_on_time": ("đúng hạn", "on time"),
    "resolved_late": ("quá hạn", "late"),
    "open_at_end": ("Đang giải quyết cuối kỳ", "In progress at the end"),
    "open_late_at_end": ("quá hạn", "late"),
    "open_late_766_at_end": ("quá hạn theo QĐ 766", "late (Decision 766)"),
}
OVERVIEW_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("received", ("received_online", "received_in_person", "received_postal")),
    ("resolved", ("resolved_early", "resolved_on_time", "resolved_late")),
    ("open_at_end", ("open_late_at_end", "open_late_766_at_end")),
)
TARGET_STATUS_CLASS = {
    targets.TargetStatus.MET: "ok",
    targets.TargetStatus.ON_TRACK: "ok",
    targets.TargetStatus.AT_RISK: "warn",
    targets.TargetStatus.MISSED: "err",
    targets.TargetStatus.NO_DATA: "",
}
CRITERION_STATUS = {
    index766.SCORED: ("Đã chấm", "Scored"),
    index766.NO_DATA: ("Không có dữ liệu", "No data"),
    index766.NOT_APPLICABLE: ("Không áp dụng", "Not applicable"),
    index766.UNVERIFIED: ("Chưa xác minh điểm", "Points unverified"),
}


# --- Small helpers ----------------------------------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


def _english(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("en")


def _pick(english: bool, vi: str, en: str) -> str:
    return en if english else vi


def _na(english: bool) -> str:
    return "No data / N/A" if english else "Không có dữ liệu / N/A"


def _today() -> date:
    return queries.today()


def _within(agency: Agency, paths: Sequence[str]) -> bool:
    return any(agency.path.startswith(path) for path in paths if path)


def _agency(code: str, paths: Sequence[str]) -> Agency:
    """The agency ``code`` if it lies in one of the subtrees ``paths``; else 404 (never a 403: no hint)."""
    found = Agency.objects.filter(code=code).first() if code else None
    if found is None or not _within(found, paths):
        raise Http404
    return found


def _leader_roots(user: User) -> list[Agency]:
    """The agencies where ``user`` holds a leader role, without those inside another one, in tree order."""
    agencies = sorted(
        {m.agency for m in memberships_of(user) if m.role in {str(r) for r in LEADER_ROLES}},
        key=lambda a: a.path,
    )
    roots: list[Agency] = []
    for agency in agencies:
        if not any(agency.path.startswith(root.path) for root in roots):
            roots.append(agency)
    return roots


def _label(agency: Agency) -> str:
    return agency.short_name or agency.name


@dataclass(frozen=True)
class Cell:
    """A number as shown, with the drill-down address of its dossiers ("" when it is not a counter)."""

    text: str
    link: str = ""


# --- The period of a request ------------------------------------------------------------------------------


@dataclass
class PeriodChoice:
    period: Period
    values: dict[str, str]
    errors: dict[str, FieldError] = field(default_factory=dict)


def _int(raw: str, low: int, high: int) -> int | None:
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


def period_of(params: QueryDict | Mapping[str, str], today: date) -> PeriodChoice:
    """The period the form asks for: a month, a quarter, a year, from/to dates (both included), or by
    default this year up to today. A field that does not parse is an error and the default is used."""
    default = Period(date(today.year, 1, 1), today + timedelta(days=1))
    kind = str(params.get("period", "") or "ytd")
    kind = kind if kind in PERIOD_KINDS else "ytd"
    values = {
        "period": kind,
        "year": str(params.get("year", "") or today.year),
        "month": str(params.get("month", "") or today.month),
        "quarter": str(params.get("quarter", "") or (today.month - 1) // 3 + 1),
        "from": str(params.get("from", "") or default.start.isoformat()),
        "to": str(params.get("to", "") or today.isoformat()),
    }
    errors: dict[str, FieldError] = {}
    year = _int(values["year"], 2000, today.year + 1)
    if kind in ("month", "quarter", "year") and year is None:
        errors["year"] = FieldError("Năm không hợp lệ.", "The year is not valid.")
        return PeriodChoice(default, values, errors)
    if kind == "month":
        month = _int(values["month"], 1, 12)
        if month is None or year is None:
            errors["month"] = FieldError("Tháng không hợp lệ.", "The month is not valid.")
            return PeriodChoice(default, values, errors)
        return PeriodChoice(Period.month(year, month), values)
    if kind == "quarter":
        quarter = _int(values["quarter"], 1, 4)
        if quarter is None or year is None:
            errors["quarter"] = FieldError("Quý không hợp lệ.", "The quarter is not valid.")
            return PeriodChoice(default, values, errors)
        return PeriodChoice(Period.quarter(year, quarter), values)
    if kind == "year" and year is not None:
        return PeriodChoice(Period.year(year), values)
    if kind == "range":
        first, last = _day(values["from"]), _day(values["to"])
        for name, parsed in (("from", first), ("to", last)):
            if parsed is None:
                errors[name] = FieldError("Ngày không hợp lệ.", "The date is not valid.")
        if first is not None and last is not None:
            if last < first:
                errors["to"] = FieldError(
                    "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu.",
                    "The end date must not be before the start date.",
                )
            else:
                return PeriodChoice(Period.between(first, last), values)
        return PeriodChoice(default, values, errors)
    return PeriodChoice(default, values)


def _period_query(period: Period, as_is: bool) -> dict[str, str]:
    """The dashboard query that shows ``period`` again (as from/to dates)."""
    query = {"period": "range", "from": period.start.isoformat(), "to": period.last.isoformat()}
    if as_is:
        query["view"] = "as_is"
    return query


def drill_url(scope: Agency, period: Period, measure: str, *, as_is: bool = False) -> str:
    """The address of the list of dossiers behind ``measure`` of ``scope`` over ``period``."""
    query = {
        "agency": scope.code,
        "measure": measure,
        "from": period.start.isoformat(),
        "to": period.last.isoformat(),
    }
    if as_is:
        query["view"] = "as_is"
    return f"{reverse('backoffice:monitoring_dossiers')}?{urlencode(query)}"


def _count_cell(
    number: int | None,
    measure: str | None,
    counts: Mapping[str, int],
    link: str,
    english: bool,
) -> Cell:
    """``number`` as text; linked to its dossiers when it is exactly the dossier counter ``measure``."""
    if number is None:
        return Cell("")
    text = charts.format_number(number, english=english)
    if measure and measure in DRILLABLE and counts.get(measure) == number:
        return Cell(text, link)
    return Cell(text)


# --- Dashboard rows ---------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    code: str
    name: str
    source: str
    value: str
    available: bool
    numerator: Cell
    denominator: Cell
    targets: list[dict[str, Any]]


def _indicator_rows(
    codes: Sequence[str],
    values: Mapping[str, IndicatorValue],
    counts: Mapping[str, int],
    scope: Agency,
    period: Period,
    as_is: bool,
    assessments: Mapping[str, list[dict[str, Any]]],
    english: bool,
) -> list[IndicatorRow]:
    rows = []
    for code in codes:
        indicator = indicators.get(code)
        value = values[code]
        rows.append(
            IndicatorRow(
                code=code,
                name=_pick(english, indicator.name_vi, indicator.name_en),
                source=indicator.source,
                value=charts.format_value(value.value, value.unit, english=english, na=_na(english)),
                available=value.value is not None,
                numerator=_side(
                    value.numerator, indicator.numerator_measure, counts, scope, period, as_is, english
                ),
                denominator=_side(
                    value.denominator, indicator.denominator_measure, counts, scope, period, as_is, english
                ),
                targets=assessments.get(code, []),
            )
        )
    return rows


def _side(
    number: int | None,
    measure: str | None,
    counts: Mapping[str, int],
    scope: Agency,
    period: Period,
    as_is: bool,
    english: bool,
) -> Cell:
    link = drill_url(scope, period, measure, as_is=as_is) if measure else ""
    return _count_cell(number, measure, counts, link, english)


def _assessments(
    scope: Agency, period: Period, today: date, english: bool
) -> dict[str, list[dict[str, Any]]]:
    """The targets of ``scope`` overlapping ``period`` with their status, by indicator code."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in targets.assess(scope, period, today=today):
        target = item.target
        known = indicators.REGISTRY.get(target.indicator)
        unit = item.value.unit if item.value is not None else (known.unit if known else charts.PERCENT)
        status_vi, _, status_en = str(item.status.label).partition(" / ")
        out.setdefault(target.indicator, []).append(
            {
                "framework": target.framework,
                "legal_basis": target.legal_basis,
                "rule": f"{target.get_comparison_display()} "
                + charts.format_value(Decimal(target.threshold), unit, english=english),
                "period": item.period.label_en if english else item.period.label_vi,
                "value": charts.format_value(
                    item.value.value if item.value else None, unit, english=english, na=_na(english)
                ),
                "projected": charts.format_value(item.projected, unit, english=english, na=_na(english)),
                "projection": item.projection,
                "status": item.status.value,
                "status_label": status_en if english else status_vi,
                "status_class": TARGET_STATUS_CLASS.get(item.status, ""),
            }
        )
    return out


def _trend(
    scope: Agency, period: Period, code: str, as_is: bool, today: date, english: bool
) -> tuple[list[dict[str, Any]], str]:
    """One value of ``code`` per month of ``period`` up to today (the latest ``TREND_MAX_MONTHS``) and its
    line chart."""
    indicator = indicators.get(code)
    months = [m for m in period.months() if m.start <= today][-TREND_MAX_MONTHS:]
    rows: list[dict[str, Any]] = []
    points: list[charts.Point] = []
    for month in months:
        counts = queries.counts(scope, month, as_is=as_is, today_=today)
        value = indicator.compute(counts)
        label = f"{month.start.month:02d}/{month.start.year % 100:02d}"
        shown = charts.format_value(value.value, value.unit, english=english)
        points.append(charts.Point(label, value.value, shown))
        rows.append(
            {
                "label": month.label_en if english else month.label_vi,
                "value": charts.format_value(value.value, value.unit, english=english, na=_na(english)),
                "numerator": _side(
                    value.numerator, indicator.numerator_measure, counts, scope, month, as_is, english
                ),
                "denominator": _side(
                    value.denominator, indicator.denominator_measure, counts, scope, month, as_is, english
                ),
            }
        )
    name = _pick(english, indicator.name_vi, indicator.name_en)
    chart = charts.line_chart(
        points,
        chart_id="trend-chart",
        title=name,
        description=_pick(
            english,
            f"{name} theo tháng, {period.label_vi}. Số liệu chi tiết ở bảng bên dưới.",
            f"{name} by month, {period.label_en}. The figures are in the table below.",
        ),
        max_value=charts.percent_scale(indicator.unit),
    )
    return rows, chart


def _index_scores(
    scope: Agency, period: Period, values: dict[str, IndicatorValue], english: bool
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for version in INDEX_VERSIONS:
        try:
            result = index766.score(version, scope, period, values=values)
        except DomainError:
            out.append({"version": version, "missing": True})
            continue

        def points(value: Decimal | None) -> str:
            return charts.format_value(value, "", english=english, na=_na(english))

        out.append(
            {
                "version": version,
                "missing": False,
                "total": points(result.total),
                "max_points": points(result.max_points),
                "max_attainable": points(result.max_attainable),
                "scaled_total": points(result.scaled_total),
                "band": (result.band_en if english else result.band_vi) or "",
                "band_is_estimate": result.band_is_estimate,
                "published": points(result.published_total) if result.published_total is not None else "",
                "difference": points(result.difference) if result.difference is not None else "",
                "groups": [
                    {
                        "name": _pick(english, g.name_vi, g.name_en),
                        "points": points(g.points),
                        "max_attainable": points(g.max_attainable),
                        "max_points": points(g.max_points),
                    }
                    for g in result.groups
                ],
                "criteria": [
                    {
                        "code": c.code,
                        "name": _pick(english, c.name_vi, c.name_en),
                        "value": charts.format_value(
                            c.value.value if c.value else None,
                            c.value.unit if c.value else charts.PERCENT,
                            english=english,
                            na=_na(english),
                        )
                        if c.indicator
                        else "",
                        "points": points(c.points) if c.points is not None else "",
                        "max_points": points(c.max_points) if c.max_points is not None else "",
                        "status": c.status,
                        "status_label": _pick(english, *CRITERION_STATUS.get(c.status, (c.status, c.status))),
                        "threshold_assumed": c.threshold_assumed,
                        "published": points(c.published) if c.published is not None else "",
                        "difference": points(c.difference) if c.difference is not None else "",
                    }
                    for c in result.criteria
                ],
            }
        )
    return out


def units_of(scope: Agency, period: Period, *, as_is: bool) -> list[Agency]:
    """The direct children of ``scope`` ranked and tabled (``rankings.peers``): the current ones "as is",
    every one that existed during the period "as was"."""
    return rankings.peers(scope, during=None if as_is else period)


def _picker(roots: Sequence[Agency], scope: Agency, children: Sequence[Agency]) -> list[dict[str, Any]]:
    """The agencies the picker offers: the leader's subtrees, the way down to the chosen one, its children
    (the way further down is through the table of units)."""
    lineage = list(scope.ancestors())  # (the path holds the agency itself)
    seen: set[int] = set()
    options: list[dict[str, Any]] = []
    for agency in [*roots, *lineage, *children]:
        if agency.pk in seen or not _within(agency, [r.path for r in roots]):
            continue
        seen.add(agency.pk)
        depth = max(0, agency.depth - min(r.depth for r in roots))
        options.append({"code": agency.code, "label": "– " * depth + _label(agency), "path": agency.path})
    options.sort(key=lambda o: str(o["path"]))
    return options


def _hidden(params: QueryDict, *, without: Sequence[str]) -> list[tuple[str, str]]:
    """The current query as hidden fields, less ``without`` (the fields the form sets itself)."""
    return [(k, v) for k in params for v in params.getlist(k) if k not in without and k != "trang"][:20]


@dataclass
class Request:
    """What the dashboard and the exports read from the request."""

    scope: Agency
    roots: list[Agency]
    choice: PeriodChoice
    as_is: bool
    today: date

    @property
    def period(self) -> Period:
        return self.choice.period


def _read(request: HttpRequest) -> Request:
    roots = _leader_roots(_me(request))
    if not roots:
        raise Http404
    scope = _agency(request.GET.get("agency", "") or roots[0].code, [r.path for r in roots])
    today = _today()
    return Request(
        scope=scope,
        roots=roots,
        choice=period_of(request.GET, today),
        as_is=request.GET.get("view", "") == "as_is",
        today=today,
    )


def _code(request: HttpRequest, name: str, default: str) -> str:
    code = request.GET.get(name, "")
    return code if code in indicators.REGISTRY else default


@roles_required(LEADER_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    english = _english(request)
    asked = _read(request)
    scope, period, as_is, today = asked.scope, asked.period, asked.as_is, asked.today
    counts = queries.counts(scope, period, as_is=as_is, today_=today)
    values = indicators.compute_all(counts)
    assessments = _assessments(scope, period, today, english)
    layout = indicators.REPORT_DEFAULT
    rows = _indicator_rows(layout, values, counts, scope, period, as_is, assessments, english)
    other_targets = [
        {**item, "indicator": _pick(english, *_names(code))}
        for code, items in assessments.items()
        if code not in layout
        for item in items
    ]
    trend_code = _code(request, "trend", DEFAULT_TREND)
    trend_rows, trend_chart = _trend(scope, period, trend_code, as_is, today, english)
    ranking_code = _code(request, "rank", DEFAULT_RANKING)
    ranking_indicator = indicators.get(ranking_code)
    units = units_of(scope, period, as_is=as_is)
    unit_counts = queries.counts_many(units, period, as_is=as_is, today_=today) if units else {}
    unit_values = {u.pk: indicators.compute_all(unit_counts[u.pk], KEY_INDICATORS) for u in units}
    ranking = rankings.rank(scope, period, indicator=ranking_code, as_is=as_is, today=today) if units else []
    ranking_rows = [
        {
            "rank": r.rank,
            "agency": r.agency,
            "label": _label(r.agency),
            "value": charts.format_value(r.value, ranking_indicator.unit, english=english, na=_na(english)),
            "numerator": _side(
                r.numerator,
                ranking_indicator.numerator_measure,
                unit_counts[r.agency.pk],
                r.agency,
                period,
                as_is,
                english,
            ),
            "denominator": _side(
                r.denominator,
                ranking_indicator.denominator_measure,
                unit_counts[r.agency.pk],
                r.agency,
                period,
                as_is,
                english,
            ),
        }
        for r in ranking
    ]
    ranking_name = _pick(english, ranking_indicator.name_vi, ranking_indicator.name_en)
    ranking_chart = (
        charts.ranking_bars(
            [
                charts.Point(
                    f"{r.rank or '–'}. {_label(r.agency)}",
                    r.value,
                    charts.format_value(r.value, ranking_indicator.unit, english=english),
                )
                for r in ranking[:RANKING_CHART_MAX]
            ],
            chart_id="ranking-chart",
            title=ranking_name,
            description=_pick(
                english,
                f"Xếp hạng các đơn vị trực thuộc {_label(scope)} theo {ranking_name}, {period.label_vi}"
                f" ({min(len(ranking), RANKING_CHART_MAX)} đơn vị đứng đầu). Số liệu của mọi đơn vị ở bảng bên dưới.",
                f"Units of {_label(scope)} ranked by {ranking_name}, {period.label_en}"
                f" (the first {min(len(ranking), RANKING_CHART_MAX)}). Every unit's figures are in the table below.",
            ),
            max_value=charts.percent_scale(ranking_indicator.unit),
        )
        if units
        else ""
    )
    unit_rows = [
        {
            "agency": unit,
            "label": _label(unit),
            "ceased": unit.valid_to is not None,
            "dashboard": f"{reverse('backoffice:monitoring')}?"
            + urlencode({"agency": unit.code, **_period_query(period, as_is)}),
            "received": _side(
                unit_counts[unit.pk]["received"],
                "received",
                unit_counts[unit.pk],
                unit,
                period,
                as_is,
                english,
            ),
            "open_late": _side(
                unit_counts[unit.pk]["open_late_at_end"],
                "open_late_at_end",
                unit_counts[unit.pk],
                unit,
                period,
                as_is,
                english,
            ),
            "cells": [
                charts.format_value(
                    unit_values[unit.pk][code].value, unit_values[unit.pk][code].unit, english=english
                )
                for code in KEY_INDICATORS
            ],
        }
        for unit in units
    ]
    query = request.GET.copy()
    return render(
        request,
        "backoffice/monitoring/dashboard.html",
        {
            "scope": scope,
            "scope_label": _label(scope),
            "period": period,
            "period_label": period.label_en if english else period.label_vi,
            "choice": asked.choice,
            "errors": asked.choice.errors,
            "as_is": as_is,
            "picker": _picker(asked.roots, scope, units),
            "years": list(range(today.year, today.year - 8, -1)),
            "months": list(range(1, 13)),
            "overview": [
                (
                    _pick(english, *OVERVIEW[name]),
                    _side(counts[name], name, counts, scope, period, as_is, english),
                    [
                        (
                            _pick(english, *OVERVIEW[part]),
                            _side(counts[part], part, counts, scope, period, as_is, english),
                        )
                        for part in parts
                    ],
                )
                for name, parts in OVERVIEW_PARTS
            ],
            "rows": rows,
            "other_targets": other_targets,
            "indicator_choices": [(code, _pick(english, *_names(code))) for code in layout],
            "trend_code": trend_code,
            "trend_name": _pick(english, *_names(trend_code)),
            "trend_rows": trend_rows,
            "trend_chart": trend_chart,
            "index_scores": _index_scores(scope, period, values, english),
            "ranking_code": ranking_code,
            "ranking_name": ranking_name,
            "ranking_rows": ranking_rows,
            "ranking_chart": ranking_chart,
            "key_names": [_pick(english, *_names(code)) for code in KEY_INDICATORS],
            "unit_rows": unit_rows,
            "hidden_for_trend": _hidden(query, without=["trend"]),
            "hidden_for_rank": _hidden(query, without=["rank"]),
            "export_query": urlencode({"agency": scope.code, **_period_query(period, as_is)}),
        },
        status=400 if asked.choice.errors else 200,
    )


def _names(code: str) -> tuple[str, str]:
    indicator = indicators.REGISTRY.get(code)
    return (indicator.name_vi, indicator.name_en) if indicator is not None else (code, code)


# --- Exports ----------------------------------------------------------------------------------------------

#: kind → (function of ``monitoring.exports``, content type, file extension)
EXPORTS = {
    "excel": (
        exports.excel_report,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    ),
    "pdf": (exports.pdf_report, "application/pdf", "pdf"),
}


@roles_required(LEADER_ROLES)
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The report of units × indicators of the chosen agency and period, as Excel or PDF."""
    if kind not in EXPORTS:
        raise Http404
    asked = _read(request)
    if asked.choice.errors:
        raise Http404
    build, content_type, extension = EXPORTS[kind]
    data = build(asked.scope, asked.period, as_is=asked.as_is, today=asked.today)
    response = HttpResponse(data, content_type=content_type)
    name = f"bao-cao-{asked.scope.code}-{asked.period.start}-{asked.period.last}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Drill-down -------------------------------------------------------------------------------------------


@staff_required
def dossiers(request: HttpRequest) -> HttpResponse:
    """The dossiers behind one counter of one agency subtree and period, 50 a page; read is audited once."""
    me = _me(request)
    english = _english(request)
    scope = _agency(request.GET.get("agency", ""), scope_paths(me))
    measure = request.GET.get("measure", "")
    first, last = _day(request.GET.get("from", "")), _day(request.GET.get("to", ""))
    if measure not in DRILLABLE or first is None or last is None or last < first:
        raise Http404
    period = Period.between(first, last)
    as_is = request.GET.get("view", "") == "as_is"
    found = (
        queries.dossiers_behind(scope, period, measure, as_is=as_is)
        .select_related("procedure", "competent_agency")
        .annotate(received_on=F("dossierfact__received_on"), finished_on=F("dossierfact__finished_on"))
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang"))
    audit.record(
        request,
        action=audit.AuditAction.READ,
        actor=me,
        object_type="dossier_list",
        object_label=measure,
        agency=scope,
        detail={
            "measure": measure,
            "from": first.isoformat(),
            "to": last.isoformat(),
            "as_is": as_is,
            "page": page.number,
            "count": page.paginator.count,
        },
    )
    base = request.GET.copy()
    base.pop("trang", None)
    vi, en = MEASURE_LABELS.get(measure, (measure, measure))
    return render(
        request,
        "backoffice/monitoring/dossiers.html",
        {
            "scope": scope,
            "scope_label": _label(scope),
            "measure": measure,
            "title": _pick(english, vi, en),
            "period_label": period.label_en if english else period.label_vi,
            "as_is": as_is,
            "page": page,
            "total": charts.format_number(page.paginator.count, english=english),
            "base_query": base.urlencode(),
            "back": f"{reverse('backoffice:monitoring')}?"
            + urlencode({"agency": scope.code, **_period_query(period, as_is)})
            if _within(scope, paths_with_roles(me, LEADER_ROLES))
            else "",
        },
    )
