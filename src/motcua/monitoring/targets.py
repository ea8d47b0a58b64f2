"""Targets (chỉ tiêu) as data, their assessment, and published figures kept verbatim (spec §5.4–§5.7).

Targets
    Each framework is one JSON file in ``monitoring/data/targets/`` (provenance inside: ``source``,
    ``legal_basis``, ``note``). A target names either one agency (``agency``) or every agency of a kind
    (``agency_kind``), optionally only those under ``within`` (spec §5.7 DESIGN: ``(indicator, agency or
    level, period, operator, threshold, legal_basis)``). Several targets may apply to a unit at once
    (national, provincial, its own). Frameworks of merged provinces (Bắc Kạn 1189/2018, Hòa Bình 279/2022)
    are scoped ``within`` the former provincial People's Committee, which exists only in imported
    historical data: while it is missing, those targets are **skipped and reported, never widened** to the
    whole country; the load is idempotent, so running it again after the historical import adds them.

Assessment
    ``assess`` compares each applicable target with the indicator over the target's own period clipped to
    today. Status: ``met``/``missed`` once the period has ended; while it runs, ``on_track`` or ``at_risk``
    from a projection of the end-of-period value; ``no_data`` when the value is N/A. The projection
    (DESIGN): for a rate the value to date is the best estimate of the end-of-period rate when the
    month-by-month rates are stable, so it is used as is when fewer than 3 months have elapsed; from 3
    months on, a least-squares line through the monthly values predicts each remaining month, and the
    end-of-period value is the mean of the elapsed part (the value to date, weighted by the months elapsed)
    and the predicted months, i.e. assuming every month carries the same volume of dossiers. A running
    target is at risk when the projection misses the threshold or lies less than
    ``MONITORING_POLICY["target_risk_margin_points"]`` (default 5 percentage points, ``policies.py``) from it.

Published figures
    ``published_figures.json`` holds every row of spec §5.6 (and the actual values of §5.7) as printed;
    ``figure_check`` recomputes a figure from its published counts at the published precision.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil, floor
from pathlib import Path
from typing import Any, Protocol

from django.db import models, transaction
from django.db.models import Q

from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from motcua.monitoring import policies
from motcua.monitoring.indicators import PERCENT, REGISTRY, IndicatorValue
from motcua.monitoring.models import Comparison, PublishedFigure, Target
from motcua.monitoring.periods import Period
from motcua.monitoring.rates import percent, quotient

DATA_DIR = Path(__file__).resolve().parent / "data"
TARGETS_DIR = DATA_DIR / "targets"
FIGURES_FILE = DATA_DIR / "published_figures.json"

#: Months that must have elapsed (and carry a value) before the projection follows a linear trend.
TREND_MIN_MONTHS = 3
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


# --- load reports -------------------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a load did: rows created, updated, unchanged; lines about rows skipped or worth knowing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = f"tạo mới / created {self.created}, cập nhật / updated {self.updated}, "
        head += f"không đổi / unchanged {self.unchanged}"
        return [head, *self.skipped, *self.notes]


# --- agency references in the data files -----------------------------------------------------------------


def _reference_label(ref: Mapping[str, Any]) -> tuple[str, str]:
    if "label_vi" in ref or "label_en" in ref:
        return str(ref.get("label_vi", ref.get("label_en"))), str(ref.get("label_en", ref.get("label_vi")))
    if "old_province" in ref:
        code = ref["old_province"]
        return f"tỉnh cũ mã {code}", f"the former province {code}"
    return f"mã {ref.get('code')}", f"code {ref.get('code')}"


def resolve_agency(ref: Mapping[str, Any]) -> tuple[Agency | None, str]:
    """The agency a data file names, and an empty string; or ``None`` and why (Vietnamese / English).

    ``{"code": "..."}`` names an agency by its identifier code. ``{"old_province": "06"}`` names the
    People's Committee of a province as it was before 1 July 2025: the agency of kind ``province`` whose
    administrative unit is the pre-2025 province with that GSO code (``valid_to`` set, 30/06/2025). Such an
    agency is created by the historical import (``admin_unit_code``), never by the reference data.
    """
    label_vi, label_en = _reference_label(ref)
    if "code" in ref:
        agency = Agency.objects.filter(code=ref["code"]).first()
        if agency is None:
            return None, f"chưa nạp cơ quan {label_vi} / agency for {label_en} not loaded"
        return agency, ""
    if "old_province" in ref:
        units = AdministrativeUnit.objects.filter(
            level=UnitLevel.PROVINCE, code=ref["old_province"], valid_to__isnull=False
        )
        found = list(Agency.objects.filter(kind=AgencyKind.PROVINCE, admin_unit__in=units)[:2])
        if not found:
            return None, f"chưa nạp cơ quan {label_vi} / agency for {label_en} not loaded"
        if len(found) > 1:
            return None, (
                f"có nhiều cơ quan cấp tỉnh cho {label_vi} / several provincial agencies for {label_en}"
            )
        return found[0], ""
    raise ValueError(f"agency reference needs 'code' or 'old_province': {dict(ref)}")


# --- targets ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetSpec:
    """One target as a data file states it, before its agencies are looked up."""

    framework: str
    ref: str
    indicator: str
    agency: Mapping[str, Any] | None
    agency_kind: str
    within: Mapping[str, Any] | None
    period: Period
    comparison: str
    threshold: Decimal
    legal_basis: str
    note: str


@dataclass(frozen=True)
class NotLoaded:
    """A target kept in a data file but deliberately not loaded (e.g. a definition that is UNVERIFIED)."""

    framework: str
    ref: str
    reason: str


def _date(text: str) -> date:
    return date.fromisoformat(text)


def _period(data: Mapping[str, Any]) -> Period:
    return Period(_date(data["start"]), _date(data["end"]))


def read_target_file(path: Path) -> tuple[list[TargetSpec], list[NotLoaded]]:
    """The targets of one framework file, expanded per level; a malformed file raises ``ValueError``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    framework: str = data["framework"]
    specs: list[TargetSpec] = []
    skipped: list[NotLoaded] = []
    levels: Mapping[str, Any] = data.get("levels", {})
    kinds = set(AgencyKind.values)
    comparisons = set(Comparison.values)
    for row in data["indicators"]:
        ref = str(row.get("ref", row.get("indicator")))
        if row.get("load", True) is False:
            skipped.append(NotLoaded(framework, ref, row.get("reason", "")))
            continue
        code = row["indicator"]
        if code not in REGISTRY:
            raise ValueError(f"{path.name}: {ref}: unknown indicator {code!r}")
        comparison = row.get("comparison", data.get("comparison", Comparison.AT_LEAST))
        if comparison not in comparisons:
            raise ValueError(f"{path.name}: {ref}: unknown comparison {comparison!r}")
        lines = [f"{ref}. {row.get('name_vi', '')} / {row.get('name_en', '')}".strip()]
        if row.get("note"):
            lines.append(row["note"])
        source = row.get("source", data.get("source"))
        if source:
            lines.append(f"Nguồn / Source: {source}")
        base = TargetSpec(
            framework=framework,
            ref=ref,
            indicator=code,
            agency=None,
            agency_kind="",
            within=row["within"] if "within" in row else data.get("within"),
            period=_period(row.get("period", data.get("period"))),
            comparison=comparison,
            threshold=Decimal(0),
            legal_basis=row.get("legal_basis", data["legal_basis"]),
            note="\n".join(lines),
        )
        if "agency" in row:
            specs.append(
                replace(base, agency=row["agency"], within=None, threshold=Decimal(row["threshold"]))
            )
            continue
        thresholds: Mapping[str, str | None] = row.get("thresholds") or {row["agency_kind"]: row["threshold"]}
        for kind, threshold in thresholds.items():
            if kind not in kinds:
                raise ValueError(f"{path.name}: {ref}: unknown agency kind {kind!r}")
            if threshold is None:  # "–" in the decision: no target for that level
                continue
            level_note = levels.get(kind, {}).get("note", "")
            note = f"{base.note}\n{level_note}" if level_note else base.note
            specs.append(replace(base, agency_kind=kind, threshold=Decimal(threshold), note=note))
    return specs, skipped


def target_files() -> list[Path]:
    return sorted(TARGETS_DIR.glob("*.json"))


@transaction.atomic
def load_targets(paths: Sequence[Path] | None = None) -> LoadReport:
    """Create or update the targets of the framework files (all of ``data/targets`` by default).

    Idempotent: a target is identified by (framework, indicator, agency or kind, period); a second run
    changes nothing. A target whose agency or ``within`` agency is not loaded is skipped and reported.
    """
    report = LoadReport()
    for path in paths if paths is not None else target_files():
        specs, not_loaded = read_target_file(path)
        for item in not_loaded:
            report.skipped.append(
                f"{item.framework}: {item.ref} không nạp / not loaded — {item.reason}".rstrip(" —")
            )
        missing: dict[str, int] = {}
        for spec in specs:
            agency = within = None
            if spec.agency is not None:
                agency, why = resolve_agency(spec.agency)
                if agency is None:
                    missing[why] = missing.get(why, 0) + 1
                    continue
            if spec.within is not None:
                within, why = resolve_agency(spec.within)
                if within is None:
                    missing[why] = missing.get(why, 0) + 1
                    continue
            _upsert_target(spec, agency, within, report)
        for why, count in missing.items():
            report.skipped.append(
                f"{specs[0].framework}: bỏ qua {count} chỉ tiêu / skipped {count} targets — {why}; "
                "nạp cơ quan lịch sử rồi chạy lại / import the historical agencies, then load again"
            )
    return report


def _upsert_target(
    spec: TargetSpec, agency: Agency | None, within: Agency | None, report: LoadReport
) -> None:
    key = {
        "framework": spec.framework,
        "indicator": spec.indicator,
        "agency": agency,
        "agency_kind": spec.agency_kind,
        "period_start": spec.period.start,
        "period_end": spec.period.end,
    }
    wanted: dict[str, Any] = {
        "within": within,
        "comparison": spec.comparison,
        "threshold": spec.threshold,
        "legal_basis": spec.legal_basis,
        "note": spec.note,
    }
    target = Target.objects.filter(**key).first()
    if target is None:
        Target.objects.create(**key, **wanted)
        report.created += 1
        return
    changed = [name for name, value in wanted.items() if getattr(target, name) != value]
    if not changed:
        report.unchanged += 1
        return
    for name in changed:
        setattr(target, name, wanted[name])
    target.save(update_fields=changed)
    report.updated += 1


def applicable_targets(agency: Agency, period: Period) -> list[Target]:
    """Every target on ``agency`` whose period overlaps ``period``.

    A target applies when it names the agency itself, or names the agency's kind and either has no
    ``within`` (anywhere) or ``within`` is the agency or one of its ancestors. Several may apply at once.
    """
    lineage = [int(part) for part in agency.path.strip("/").split("/") if part] or [agency.pk]
    by_kind = Q(agency__isnull=True, agency_kind=agency.kind) & (
        Q(within__isnull=True) | Q(within_id__in=lineage)
    )
    return list(
        Target.objects.filter(period_start__lt=period.end, period_end__gt=period.start)
        .filter(Q(agency=agency) | by_kind)
        .select_related("agency", "within")
        .order_by("period_start", "framework", "indicator", "agency_kind", "id")
    )


# --- assessment ---------------------------------------------------------------------------------------


class TargetStatus(models.TextChoices):
    MET = "met", "Đạt / Met"
    MISSED = "missed", "Không đạt / Missed"
    ON_TRACK = "on_track", "Đúng tiến độ / On track"
    AT_RISK = "at_risk", "Có nguy cơ không đạt / At risk"
    NO_DATA = "no_data", "Chưa có dữ liệu / No data"


@dataclass(frozen=True)
class TargetAssessment:
    """Where one target stands for one agency.

    ``evaluated`` is the part of the target's period measured so far (``None`` before it starts);
    ``projection`` says how ``projected`` was obtained: ``final`` (the period ended), ``to_date`` (the
    value so far), ``linear_trend`` (see the module docstring) or ``none`` (no value).
    """

    target: Target
    period: Period
    evaluated: Period | None
    value: IndicatorValue | None
    projected: Decimal | None
    projection: str
    months_elapsed: int
    months_total: int
    margin: Decimal
    status: TargetStatus

    @property
    def threshold(self) -> Decimal:
        return Decimal(self.target.threshold)

    @property
    def gap(self) -> Decimal | None:
        """Projected (or final) value minus the threshold; positive is above it."""
        return None if self.projected is None else self.projected - self.threshold


def satisfies(comparison: str, value: Decimal, threshold: Decimal) -> bool:
    if comparison == Comparison.AT_LEAST:
        return value >= threshold
    if comparison == Comparison.MORE_THAN:
        return value > threshold
    if comparison == Comparison.AT_MOST:
        return value <= threshold
    if comparison == Comparison.LESS_THAN:
        return value < threshold
    raise ValueError(f"unknown comparison {comparison!r}")


def is_at_risk(comparison: str, projected: Decimal, threshold: Decimal, margin: Decimal) -> bool:
    """The projection misses the threshold, or clears it by less than ``margin`` points."""
    if not satisfies(comparison, projected, threshold):
        return True
    if comparison in (Comparison.AT_LEAST, Comparison.MORE_THAN):
        return projected - threshold < margin
    return threshold - projected < margin


def linear_fit(points: Sequence[tuple[int, Decimal]]) -> tuple[Decimal, Decimal]:
    """Least-squares line ``y = a + b·x`` through ``points``: returns ``(a, b)``; needs two distinct x."""
    n = Decimal(len(points))
    mean_x = sum((Decimal(x) for x, _ in points), Decimal(0)) / n
    mean_y = sum((y for _, y in points), Decimal(0)) / n
    sxx = sum(((Decimal(x) - mean_x) ** 2 for x, _ in points), Decimal(0))
    sxy = sum(((Decimal(x) - mean_x) * (y - mean_y) for x, y in points), Decimal(0))
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def project(
    value_to_date: Decimal,
    monthly: Sequence[Decimal | None],
    months_total: int,
    *,
    unit: str = PERCENT,
) -> tuple[Decimal, str]:
    """The projected end-of-period value and the method (module docstring).

    ``monthly`` holds the value of each month elapsed so far (the last one possibly partial), in order;
    ``None`` for a month without data. With at least ``TREND_MIN_MONTHS`` months elapsed and valued, and
    months left, each remaining month ``x`` is predicted by the least-squares line (a percentage is kept
    within 0–100, any other unit at or above 0) and the result is
    ``(k × value_to_date + Σ predictions) / months_total`` with ``k`` the months elapsed.
    """
    elapsed = len(monthly)
    points = [(x, y) for x, y in enumerate(monthly) if y is not None]
    if elapsed >= months_total or elapsed < TREND_MIN_MONTHS or len(points) < TREND_MIN_MONTHS:
        return value_to_date, "to_date"
    intercept, slope = linear_fit(points)
    ceiling = _HUNDRED if unit == PERCENT else None
    predicted = Decimal(0)
    for x in range(elapsed, months_total):
        y = max(Decimal(0), intercept + slope * x)
        predicted += min(ceiling, y) if ceiling is not None else y
    total = (elapsed * value_to_date + predicted) / months_total
    return total.quantize(_CENT, rounding=ROUND_HALF_UP), "linear_trend"


def assess(
    agency: Agency,
    period: Period,
    *,
    today: date | None = None,
    values: Mapping[str, IndicatorValue] | None = None,
    monthly: Mapping[str, Sequence[IndicatorValue | None]] | None = None,
) -> list[TargetAssessment]:
    """Assess every target applicable to ``agency`` during ``period`` (``applicable_targets``).

    Each target is measured over its own period clipped to ``today`` (included). Without ``values`` the
    indicators are evaluated from the aggregates (``indicators.evaluate``, one call per distinct clipped
    period, plus one per elapsed month of a running target when 3 months or more have elapsed). With
    ``values`` (code → value over the measured part of the period) nothing is read from the aggregates:
    a code missing from ``values`` has no data, and ``monthly`` (code → one value per elapsed month)
    feeds the trend; without ``monthly`` the projection is the value to date.
    """
    from motcua.monitoring.indicators import evaluate
    from motcua.monitoring.queries import today as local_today

    today = today or local_today()
    margin = Decimal(policies.current().target_risk_margin_points)
    targets = applicable_targets(agency, period)
    measured: dict[Target, Period | None] = {}
    codes_by_period: dict[Period, set[str]] = {}
    for target in targets:
        whole = Period(target.period_start, target.period_end)
        part = None if today < whole.start else Period(whole.start, min(whole.end, today + timedelta(days=1)))
        measured[target] = part
        if part is None or target.indicator not in REGISTRY:
            continue
        codes_by_period.setdefault(part, set()).add(target.indicator)
        months = part.months()
        if today < whole.end and len(months) >= TREND_MIN_MONTHS:  # running: the trend needs each month
            for month in months:
                codes_by_period.setdefault(month, set()).add(target.indicator)

    evaluated: dict[Period, dict[str, IndicatorValue]] = {}

    def value_of(code: str, part: Period) -> IndicatorValue | None:
        if values is not None:
            return values.get(code)
        if code not in REGISTRY:
            return None
        if code not in evaluated.get(part, {}):
            wanted = sorted(codes_by_period.get(part, set()) | {code})
            evaluated.setdefault(part, {}).update(evaluate(agency, part, wanted, today=today))
        return evaluated[part].get(code)

    def series_of(code: str, part: Period) -> list[Decimal | None]:
        if values is not None:
            given = (monthly or {}).get(code)
            return [] if given is None else [None if v is None else v.value for v in given]
        months = part.months()
        if len(months) < TREND_MIN_MONTHS:
            return []
        out: list[Decimal | None] = []
        for month in months:
            one = value_of(code, month)
            out.append(None if one is None else one.value)
        return out

    results = []
    for target in targets:
        whole = Period(target.period_start, target.period_end)
        part = measured[target]
        months_total = len(whole.months())
        elapsed = 0 if part is None else len(part.months())
        value = None if part is None else value_of(target.indicator, part)
        threshold = Decimal(target.threshold)
        projected: Decimal | None = None
        method = "none"
        if value is None or value.value is None:
            status = TargetStatus.NO_DATA
        elif today >= whole.end:
            projected, method = value.value, "final"
            met = satisfies(target.comparison, value.value, threshold)
            status = TargetStatus.MET if met else TargetStatus.MISSED
        else:
            assert part is not None
            series = series_of(target.indicator, part)
            if series:
                projected, method = project(value.value, series, months_total, unit=value.unit)
            else:
                projected, method = value.value, "to_date"
            risky = is_at_risk(target.comparison, projected, threshold, margin)
            status = TargetStatus.AT_RISK if risky else TargetStatus.ON_TRACK
        results.append(
            TargetAssessment(
                target=target,
                period=whole,
                evaluated=part,
                value=value,
                projected=projected,
                projection=method,
                months_elapsed=elapsed,
                months_total=months_total,
                margin=margin,
                status=status,
            )
        )
    return results


# --- published figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    """One row of ``published_figures.json``: a published figure as printed, with what it was made of."""

    ref: str
    source: str
    agency_label: str
    agency: Mapping[str, Any] | None
    indicator: str
    period_start: date | None
    period_end: date | None
    published_value: str
    numerator: int | None
    denominator: int | None
    parts: tuple[int, ...]
    reproducible: bool
    status: str
    note: str

    @property
    def stored_note(self) -> str:
        """The note kept in the database: the spec's status column, the note, the published parts."""
        text = [self.status.rstrip(".") + "."] if self.status else []
        if self.note:
            text.append(self.note)
        if self.parts:
            text.append("Thành phần / Parts: " + " + ".join(f"{p:,}" for p in self.parts) + ".")
        return " ".join(text)


class FigureLike(Protocol):
    @property
    def published_value(self) -> str: ...
    @property
    def numerator(self) -> int | None: ...
    @property
    def denominator(self) -> int | None: ...


@dataclass(frozen=True)
class PublishedNumber:
    """A published number read from its printed form: its value, decimals shown, and whether it had "%"."""

    value: Decimal
    places: int
    percent_sign: bool


def parse_published(text: str) -> PublishedNumber | None:
    """Read "80.06 %", "33 %", "2,067", "86.80", "80,06%" (a comma before exactly three digits groups
    thousands, any other comma is a decimal comma); ``None`` when the text is not a single number."""
    raw = text.strip().replace("\u00a0", " ")
    sign = raw.endswith("%")
    raw = raw.rstrip("%").strip().replace(" ", "")
    if not raw:
        return None
    head, dot, tail = raw.partition(".")
    groups = head.split(",")
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
        head = "".join(groups)
    elif len(groups) == 2 and not dot:
        head, dot, tail = groups[0], ".", groups[1]
    number = head + (dot + tail if dot else "")
    if not number.replace(".", "", 1).isdigit():
        return None
    return PublishedNumber(Decimal(number), len(tail) if dot else 0, sign)


def denominators_for(numerator: int, value: Decimal, places: int) -> tuple[int, ...]:
    """Every integer denominator ``d`` with ``numerator / d × 100`` rounding half-up to ``value`` at
    ``places`` decimals. Empty = no integer denominator reproduces the published rate."""
    half = Fraction(1, 2 * 10**places)
    target = Fraction(value)
    low_rate, high_rate = target - half, target + half  # rounds to value iff low_rate <= r < high_rate
    if low_rate <= 0 or numerator <= 0:
        return ()
    hundred_n = Fraction(100 * numerator)
    first = max(1, floor(hundred_n / high_rate))
    last = ceil(hundred_n / low_rate)
    if last - first > 1_000_000:
        raise ValueError("published value too imprecise to search denominators")
    return tuple(d for d in range(first, last + 1) if quotient(numerator * 100, d, places) == value)


@dataclass(frozen=True)
class FigureCheck:
    """The arithmetic check of one published figure.

    ``status``: ``match`` / ``mismatch`` (recomputed from published counts at the published precision),
    ``derived`` (the counts were published, the rate was not: ``recomputed`` is ours), ``consistent`` /
    ``irreproducible`` (the denominator was not published; ``candidates`` are the integer denominators that
    reproduce the printed rate, none for ``irreproducible``), ``not_checkable`` (nothing to recompute from).
    """

    status: str
    published: Decimal | None
    places: int | None
    recomputed: Decimal | None
    candidates: tuple[int, ...] = ()

    @property
    def matches(self) -> bool | None:
        """Whether the published value equals our recomputation; ``None`` when nothing is compared."""
        if self.status == "match":
            return True
        if self.status in ("mismatch", "irreproducible"):
            return False
        return None


def figure_check(figure: FigureLike) -> FigureCheck:
    """Recompute a published figure from its published counts and compare at the published precision.

    A rate printed with a "%" and both counts known: ``percent(numerator, denominator)`` (2 decimals,
    half-up) is ``recomputed``; the comparison rounds the exact ratio to the decimals printed ("33 %" is
    the integer rounding of 1,024 / 3,087 = 33.17). A count with published ``parts`` (a ``FigureRow``):
    their sum. A rate with only the numerator: the integer denominators that reproduce it.
    """
    parsed = parse_published(figure.published_value)
    if parsed is None:
        return FigureCheck("not_checkable", None, None, None)
    parts: Sequence[int] = getattr(figure, "parts", ()) or ()
    n, d = figure.numerator, figure.denominator
    if parts and not parsed.percent_sign:
        total = Decimal(sum(parts))
        return FigureCheck("match" if total == parsed.value else "mismatch", parsed.value, 0, total)
    if n is not None and d is not None:
        ours = percent(n, d)
        if not parsed.percent_sign:
            same_count = Decimal(n) == parsed.value
            return FigureCheck("derived" if same_count else "mismatch", parsed.value, parsed.places, ours)
        at_precision = quotient(n * 100, d, parsed.places)
        status = "match" if at_precision == parsed.value else "mismatch"
        return FigureCheck(status, parsed.value, parsed.places, ours)
    if n is not None and parsed.percent_sign:
        found = denominators_for(n, parsed.value, parsed.places)
        return FigureCheck(
            "consistent" if found else "irreproducible", parsed.value, parsed.places, None, found
        )
    return FigureCheck("not_checkable", parsed.value, parsed.places, None)


def read_published_figures(path: Path | None = None) -> list[FigureRow]:
    """The rows of the published-figures file; raises ``ValueError`` when a row flagged reproducible does
    not recompute to its published value, or a non-reproducible row does (the file would contradict itself)."""
    data = json.loads((path or FIGURES_FILE).read_text(encoding="utf-8"))
    rows: list[FigureRow] = []
    for item in data["figures"]:
        period = item.get("period")
        row = FigureRow(
            ref=item["ref"],
            source=item["source"],
            agency_label=item["agency_label"],
            agency=item.get("agency"),
            indicator=item.get("indicator") or "",
            period_start=_date(period["start"]) if period else None,
            period_end=_date(period["end"]) if period else None,
            published_value=item["published_value"],
            numerator=item.get("numerator"),
            denominator=item.get("denominator"),
            parts=tuple(item.get("parts") or ()),
            reproducible=bool(item["reproducible"]),
            status=item.get("status", ""),
            note=item.get("note", ""),
        )
        if row.indicator and row.indicator not in REGISTRY:
            raise ValueError(f"published figure {row.ref}: unknown indicator {row.indicator!r}")
        checked = figure_check(row)
        recomputes = checked.status == "match"
        if row.reproducible != recomputes:
            raise ValueError(
                f"published figure {row.ref}: reproducible={row.reproducible} but check {checked}"
            )
        rows.append(row)
    return rows


@transaction.atomic
def load_published_figures(path: Path | None = None) -> LoadReport:
    """Create or update the published figures (idempotent: a figure is identified by source, agency label,
    indicator, period and the value as printed). The agency is linked when it is loaded, else left empty
    and reported (the label is kept); a later run links it."""
    report = LoadReport()
    unlinked: dict[str, int] = {}
    for row in read_published_figures(path):
        agency = None
        if row.agency is not None:
            agency, why = resolve_agency(row.agency)
            if agency is None:
                unlinked[why] = unlinked.get(why, 0) + 1
        key = {
            "source": row.source,
            "agency_label": row.agency_label,
            "indicator": row.indicator,
            "period_start": row.period_start,
            "period_end": row.period_end,
            "published_value": row.published_value,
        }
        wanted: dict[str, Any] = {
            "numerator": row.numerator,
            "denominator": row.denominator,
            "reproducible": row.reproducible,
            "note": row.stored_note,
        }
        figure = PublishedFigure.objects.filter(**key).first()
        if figure is None:
            PublishedFigure.objects.create(**key, **wanted, agency=agency)
            report.created += 1
            continue
        if agency is not None:
            wanted["agency"] = agency
        changed = [name for name, value in wanted.items() if getattr(figure, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(figure, name, wanted[name])
        figure.save(update_fields=changed)
        report.updated += 1
    for why, count in unlinked.items():
        report.notes.append(f"{count} số liệu chưa gắn cơ quan / figures not linked to an agency — {why}")
    return report
