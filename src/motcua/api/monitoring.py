"""Monitoring API (theo dõi, đánh giá): indicators, rankings, the Decision 766 index score, drill-down.

``indicators``, ``rankings`` and ``index766`` are public: they return aggregates (counts and rates of an
agency's dossiers), never personal data, and agencies must publish their on-time and online rates (Decree
61/2018 Art 29(2), 30(2); ``indicators.PUBLIC_TRANSPARENCY``). ``indicators/dossiers`` lists the dossiers
behind a counter: it needs a signed-in officer holding a role over the agency (a membership in it or an
ancestor, ``accounts.selectors.roles_over`` — the rule the back office applies); anyone else gets the same
404 as for an unknown agency.

Periods are given as ``from`` and ``to``, both included (``Period.between``), ISO dates, at most 10 years.
Values are decimal strings (``"96.88"``) or ``null`` for N/A (zero denominator) — never ``0``.

Mounting (``api/v1.py``): ``router`` at ``""`` and ``drilldown_router`` at ``"/indicators/dossiers"`` with
the API's authentication (``auth=AUTH``; the view also refuses an anonymous request by itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from motcua.accounts.models import User
from motcua.accounts.selectors import roles_over
from motcua.agencies.models import Agency
from motcua.agencies.selectors import agency_by_code
from motcua.api import errors
from motcua.api.schemas import ErrorOut
from motcua.core.errors import DomainError, NotFound
from motcua.monitoring import indicators, measures, queries, rankings, targets
from motcua.monitoring.index766 import IndexScore, score
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.periods import Period

E: dict[int, type[ErrorOut]] = {status: ErrorOut for status in errors.ERROR_STATUSES}

#: The longest period a request may cover.
MAX_YEARS = 10

Scope = Literal["subtree", "self"]
View = Literal["as_was", "as_is"]

#: The counters whose dossiers can be listed: every flow, and the stocks at the end of the period.
DRILLABLE: tuple[str, ...] = (
    *measures.FLOWS,
    *(f"{name}_at_end" for name in queries.STOCK_NAMES.values()),
)


# --- parameters -------------------------------------------------------------------------------------------

_VIEW_DOC = (
    "as_was (default): every unit with its own history; as_is: units that ceased in the 2025 reorganisation "
    "are rolled up into their successors (spec §8.3)"
)


class PeriodQuery(Schema):
    from_: str = Field(
        ...,
        alias="from",
        description="first day, included (ISO date, e.g. 2026-01-01)",
        json_schema_extra={"format": "date"},
    )
    to: str = Field(
        ...,
        description="last day, included (ISO date, e.g. 2026-03-31); at most 10 years after `from`",
        json_schema_extra={"format": "date"},
    )


class IndicatorsQuery(PeriodQuery):
    agency: str = Field(..., description="agency identifier code (mã định danh)")
    indicator: list[str] | None = Field(
        None,
        description="indicator codes, repeated or comma-separated; every indicator when absent",
    )
    scope: Scope = Field(
        "subtree",
        description="subtree (default): the agency and every unit below it; self: the agency's own dossiers "
        "(subtree minus its children) — only for indicators built from dossier counters, as_was only",
    )
    view: View = Field("as_was", description=_VIEW_DOC)


class RankingsQuery(PeriodQuery):
    parent: str = Field(..., description="code of the agency whose units are ranked")
    indicator: str | None = Field(None, description="indicator to rank on (or give `index`)")
    index: str | None = Field(None, description="index version to rank on, e.g. DVCQG-2026 (or `indicator`)")
    kind: str | None = Field(
        None,
        description="rank every unit of this agency kind below `parent` (e.g. commune); its direct children "
        "when absent",
    )
    view: View = Field("as_was", description=_VIEW_DOC)


class Index766Query(PeriodQuery):
    agency: str = Field(..., description="agency identifier code")
    version: str = Field(..., description="index version, e.g. DVCQG-2026 or 766-2022")
    view: View = Field("as_was", description=_VIEW_DOC)


class DrillDownQuery(PeriodQuery):
    agency: str = Field(..., description="agency identifier code (its whole subtree)")
    measure: str = Field(
        ...,
        description="a dossier counter: a flow (received, received_online, resolved_late, …) or a stock at "
        "the end of the period (open_at_end, open_late_at_end, open_late_766_at_end); an indicator's "
        "numerator_measure / denominator_measure",
    )
    view: View = Field("as_was", description=_VIEW_DOC)
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


# --- answers ------------------------------------------------------------------------------------------------


class AgencyRef(Schema):
    code: str
    name: str


class UnitRef(AgencyRef):
    kind: str


class PeriodOut(Schema):
    from_: date = Field(..., alias="from")
    to: date


class TargetOut(Schema):
    """A target (chỉ tiêu) on the indicator, assessed over the target's own period up to today."""

    framework: str
    legal_basis: str
    comparison: str
    threshold: str
    period: PeriodOut
    status: str = Field(..., description="met | missed | on_track | at_risk | no_data")
    value: str | None
    projected: str | None
    projection: str = Field(..., description="final | to_date | linear_trend | none")


class IndicatorOut(Schema):
    code: str
    name_vi: str
    name_en: str
    source: str
    unit: str = Field(..., description="percent | points | working_days")
    higher_is_better: bool
    numerator: int | None
    denominator: int | None
    value: str | None = Field(..., description="decimal string; null = N/A (zero denominator), never 0")
    numerator_measure: str | None = Field(..., description="counter to drill into (indicators/dossiers)")
    denominator_measure: str | None
    targets: list[TargetOut]


class IndicatorsOut(Schema):
    agency: AgencyRef
    period: PeriodOut
    scope: str
    view: str
    indicators: list[IndicatorOut]


class RankedUnitOut(Schema):
    rank: int | None = Field(..., description="1, 2, 2, 4 on ties; null = N/A (listed last)")
    agency: UnitRef
    value: str | None
    numerator: int | None
    denominator: int | None
    index_max_attainable: str | None = Field(
        None, description="index only: the maximum the total could reach"
    )
    index_scaled_total: str | None = Field(None, description="index only: total × 100 / max attainable")


class RankingOut(Schema):
    parent: AgencyRef
    period: PeriodOut
    kind: str | None
    view: str
    indicator: str | None
    index: str | None
    unit: str
    higher_is_better: bool
    units: list[RankedUnitOut]


class CriterionOut(Schema):
    code: str
    group: str
    name_vi: str
    name_en: str
    indicator: str
    value: str | None
    numerator: int | None
    denominator: int | None
    points: str | None
    max_points: str | None
    threshold_pct: str | None
    threshold_assumed: bool
    status: str = Field(..., description="scored | no_data | not_applicable | unverified")
    verified: bool
    published: str | None
    difference: str | None


class GroupOut(Schema):
    code: str
    name_vi: str
    name_en: str
    max_points: str | None
    points: str
    max_attainable: str


class IndexScoreOut(Schema):
    version: str
    agency: AgencyRef
    period: PeriodOut
    view: str
    total: str
    max_points: str | None
    max_attainable: str
    scaled_total: str | None
    band_code: str | None
    band_vi: str | None
    band_en: str | None
    band_is_estimate: bool
    published_total: str | None
    difference: str | None
    groups: list[GroupOut]
    criteria: list[CriterionOut]


class DrilledDossierOut(Schema):
    code: str | None
    status: str
    procedure_code: str
    channel: str
    submitted_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None


class DrillDownOut(Schema):
    agency: AgencyRef
    period: PeriodOut
    measure: str
    view: str
    count: int
    dossiers: list[DrilledDossierOut]


# --- helpers ------------------------------------------------------------------------------------------------


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(
            "invalid_date",
            f"Ngày “{text}” không hợp lệ; hãy nhập theo dạng NNNN-TT-NN, ví dụ 2026-01-31.",
            f"“{text}” is not a valid date; use YYYY-MM-DD, e.g. 2026-01-31.",
            field=field,
        ) from None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28) + timedelta(days=1)


def parse_period(params: PeriodQuery) -> Period:
    """``from``..``to`` (both included) as a ``Period``; 400 on a bad date, ``from`` after ``to``, or more
    than ``MAX_YEARS`` years."""
    first, last = _date(params.from_, "from"), _date(params.to, "to")
    if last < first:
        raise DomainError(
            "invalid_period",
            "Ngày kết thúc (to) không được trước ngày bắt đầu (from).",
            "The last day (to) cannot be before the first day (from).",
            field="to",
        )
    period = Period.between(first, last)
    if period.end > _years_after(first, MAX_YEARS):
        raise DomainError(
            "period_too_long",
            f"Kỳ báo cáo dài tối đa {MAX_YEARS} năm.",
            f"A period may cover at most {MAX_YEARS} years.",
            field="to",
        )
    return period


def indicator_codes(raw: Sequence[str] | None) -> list[str] | None:
    """The codes of repeated and/or comma-separated ``indicator`` parameters, in order, once each; ``None``
    when none is given. An unknown code is a 400 ``unknown_indicator``."""
    if not raw:
        return None
    codes: list[str] = []
    for item in raw:
        for code in item.split(","):
            code = code.strip()
            if code and code not in codes:
                indicators.get(code)
                codes.append(code)
    return codes or None


def _agency_ref(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": agency.name}


def _period_out(period: Period) -> dict[str, Any]:
    return {"from": period.start, "to": period.last}


def _target_out(assessment: targets.TargetAssessment) -> dict[str, Any]:
    target = assessment.target
    return {
        "framework": target.framework,
        "legal_basis": target.legal_basis,
        "comparison": target.comparison,
        "threshold": str(target.threshold),
        "period": _period_out(assessment.period),
        "status": str(assessment.status),
        "value": _dec(assessment.value.value) if assessment.value is not None else None,
        "projected": _dec(assessment.projected),
        "projection": assessment.projection,
    }


def _indicator_out(value: IndicatorValue, assessed: list[targets.TargetAssessment]) -> dict[str, Any]:
    indicator = indicators.get(value.code)
    return {
        "code": indicator.code,
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "source": indicator.source,
        "unit": value.unit,
        "higher_is_better": indicator.higher_is_better,
        "numerator": value.numerator,
        "denominator": value.denominator,
        "value": _dec(value.value),
        "numerator_measure": indicator.numerator_measure,
        "denominator_measure": indicator.denominator_measure,
        "targets": [_target_out(a) for a in assessed if a.target.indicator == value.code],
    }


def _index_out(result: IndexScore, agency: Agency, view: str) -> dict[str, Any]:
    return {
        "version": result.version,
        "agency": _agency_ref(agency),
        "period": _period_out(result.period),
        "view": view,
        "total": str(result.total),
        "max_points": _dec(result.max_points),
        "max_attainable": str(result.max_attainable),
        "scaled_total": _dec(result.scaled_total),
        "band_code": result.band_code,
        "band_vi": result.band_vi,
        "band_en": result.band_en,
        "band_is_estimate": result.band_is_estimate,
        "published_total": _dec(result.published_total),
        "difference": _dec(result.difference),
        "groups": [
            {
                "code": g.code,
                "name_vi": g.name_vi,
                "name_en": g.name_en,
                "max_points": _dec(g.max_points),
                "points": str(g.points),
                "max_attainable": str(g.max_attainable),
            }
            for g in result.groups
        ],
        "criteria": [
            {
                "code": c.code,
                "group": c.group,
                "name_vi": c.name_vi,
                "name_en": c.name_en,
                "indicator": c.indicator,
                "value": _dec(c.value.value) if c.value is not None else None,
                "numerator": c.value.numerator if c.value is not None else None,
                "denominator": c.value.denominator if c.value is not None else None,
                "points": _dec(c.points),
                "max_points": _dec(c.max_points),
                "threshold_pct": _dec(c.threshold_pct),
                "threshold_assumed": c.threshold_assumed,
                "status": c.status,
                "verified": c.verified,
                "published": _dec(c.published),
                "difference": _dec(c.difference),
            }
            for c in result.criteria
        ],
    }


# --- public routes --------------------------------------------------------------------------------------------

router = Router(tags=["monitoring"])


@router.get(
    "/indicators",
    response={200: IndicatorsOut, **E},
    by_alias=True,
    summary="Indicators of an agency over a period, with their targets",
)
def indicator_values(request: HttpRequest, params: Query[IndicatorsQuery]) -> dict[str, Any]:
    """Indicator values (``monitoring.indicators``) of an agency over ``from``..``to`` (both included).

    Public: aggregates only. ``indicator`` may be repeated or comma-separated; all indicators when absent.
    ``value`` is a decimal string, ``null`` when N/A (zero denominator) — never 0.

    ``scope=subtree`` (default) counts the dossiers of the agency and every unit below it. ``scope=self``
    counts only the agency's own dossiers (the subtree minus its children's subtrees): exact for indicators
    built from dossier counters; indicators reading the procedure catalogue or distinct-procedure counts
    cannot be split that way — asking for one answers 400 ``indicator_needs_subtree``, and without
    ``indicator`` only the others are listed. ``scope=self`` supports ``view=as_was`` only (400 otherwise).

    ``targets`` are the targets (chỉ tiêu) applicable to the agency, each assessed over its own period up to
    today, on the agency as a whole in the "as was" view, whatever ``scope`` and ``view`` ask.
    """
    agency = agency_by_code(params.agency, field="agency")
    period = parse_period(params)
    codes = indicator_codes(params.indicator)
    today = queries.today()
    if params.scope == "self":
        if params.view == "as_is":
            raise DomainError(
                "self_scope_as_was_only",
                "Phạm vi hồ sơ của riêng cơ quan (scope=self) chỉ hỗ trợ view=as_was.",
                "The agency's own dossiers (scope=self) are available in view=as_was only.",
                field="view",
            )
        values = rankings.evaluate_own(agency, period, codes, today=today)
    else:
        values = indicators.evaluate(agency, period, codes, as_is=params.view == "as_is", today=today)
    assessed = targets.assess(agency, period, today=today)
    return {
        "agency": _agency_ref(agency),
        "period": _period_out(period),
        "scope": params.scope,
        "view": params.view,
        "indicators": [_indicator_out(v, assessed) for v in values.values()],
    }


@router.get(
    "/rankings",
    response={200: RankingOut, **E},
    by_alias=True,
    summary="Units under a parent ranked on an indicator or on the 766 index",
)
def ranking(request: HttpRequest, params: Query[RankingsQuery]) -> dict[str, Any]:
    """The units under ``parent`` (its direct children, or every unit of ``kind`` below it) ranked over
    ``from``..``to`` on one ``indicator`` or on the total of one ``index`` version (exactly one of them).

    Best first (ascending for an indicator where lower is better, e.g. average_processing_days); equal
    values share a rank ("1, 2, 2, 4"), ties and unranked units by agency code; a unit whose value is N/A
    is listed last with ``rank`` and ``value`` null. On the index, ``value`` is the total of the criteria
    that could be scored; a unit with no criterion scored is N/A (``monitoring.rankings``).
    """
    parent = agency_by_code(params.parent, field="parent")
    period = parse_period(params)
    rows = rankings.rank(
        parent,
        period,
        indicator=params.indicator,
        index_version=params.index,
        kind=params.kind,
        as_is=params.view == "as_is",
        today=queries.today(),
    )
    chosen = indicators.get(params.indicator) if params.indicator is not None else None
    units = []
    for row in rows:
        units.append(
            {
                "rank": row.rank,
                "agency": {**_agency_ref(row.agency), "kind": row.agency.kind},
                "value": _dec(row.value),
                "numerator": row.numerator,
                "denominator": row.denominator,
                "index_max_attainable": _dec(row.score.max_attainable) if row.score else None,
                "index_scaled_total": _dec(row.score.scaled_total) if row.score else None,
            }
        )
    return {
        "parent": _agency_ref(parent),
        "period": _period_out(period),
        "kind": params.kind,
        "view": params.view,
        "indicator": params.indicator,
        "index": params.index,
        "unit": chosen.unit if chosen is not None else indicators.POINTS,
        "higher_is_better": chosen.higher_is_better if chosen is not None else True,
        "units": units,
    }


@router.get(
    "/index766",
    response={200: IndexScoreOut, **E},
    by_alias=True,
    summary="Decision 766 index score of an agency",
)
def index_score(request: HttpRequest, params: Query[Index766Query]) -> dict[str, Any]:
    """The Decision 766/QĐ-TTg index (``monitoring.index766``) of an agency over ``from``..``to``: groups,
    criteria with their status (scored, no_data, not_applicable, unverified), our total, the maximum we
    could attain, the band, and the score the national portal published beside ours when known.
    """
    agency = agency_by_code(params.agency, field="agency")
    period = parse_period(params)
    codes = rankings.index_indicator_codes(params.version, field="version")
    values = indicators.evaluate(agency, period, codes, as_is=params.view == "as_is", today=queries.today())
    return _index_out(score(params.version, agency, period, values=values), agency, params.view)


# --- drill-down (authenticated) -----------------------------------------------------------------------------

drilldown_router = Router(tags=["monitoring"])


def _hidden(code: str) -> NotFound:
    """The answer for an agency the person may not drill into: the same as for an unknown agency."""
    return NotFound(
        "agency_not_found",
        f"Không tìm thấy cơ quan có mã {code}.",
        f"No agency has the code {code}.",
        field="agency",
    )


@drilldown_router.get(
    "",
    response={200: DrillDownOut, **E},
    by_alias=True,
    summary="Dossiers behind a counter (officers of the agency)",
)
def dossiers_behind(request: HttpRequest, params: Query[DrillDownQuery]) -> dict[str, Any]:
    """The dossiers whose contribution makes up ``measure`` for the agency's subtree over ``from``..``to``
    (``queries.dossiers_behind``): codes, statuses and dates, no applicant data; ``count`` is the total,
    ``limit``/``offset`` page the list (ordered by due date).

    Needs authentication (bearer token or session) and an officer holding a role over the agency (in it or
    in an ancestor); anyone else gets 404 ``agency_not_found``, as for an unknown agency.
    """
    user = request.user
    if not (isinstance(user, User) and user.is_authenticated):
        raise DomainError(
            "not_authenticated",
            "Vui lòng đăng nhập để tiếp tục.",
            "Please sign in to continue.",
            status=401,
        )
    agency = Agency.objects.filter(code=params.agency).first()
    if agency is None or not roles_over(user, agency):
        raise _hidden(params.agency)
    period = parse_period(params)
    if params.measure not in DRILLABLE:
        raise DomainError(
            "unknown_measure",
            f"Không có bộ đếm hồ sơ “{params.measure}”.",
            f"There is no dossier counter “{params.measure}”.",
            field="measure",
        )
    qs = queries.dossiers_behind(agency, period, params.measure, as_is=params.view == "as_is")
    page = qs.select_related("procedure")[params.offset : params.offset + params.limit]
    return {
        "agency": _agency_ref(agency),
        "period": _period_out(period),
        "measure": params.measure,
        "view": params.view,
        "count": qs.count(),
        "dossiers": [
            {
                "code": d.code,
                "status": d.status,
                "procedure_code": d.procedure.national_code,
                "channel": d.channel,
                "submitted_at": d.submitted_at,
                "due_at": d.due_at,
                "resolved_at": d.resolved_at,
            }
            for d in page
        ],
    }
