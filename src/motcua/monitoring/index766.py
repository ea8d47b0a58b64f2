"""The Decision 766/QĐ-TTg index (Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân,
doanh nghiệp) scored from our indicators, as versioned data (addendum §A4.3 DESIGN).

Two versions are seeded from ``data/index_versions.json`` (provenance of each value in ``data/README.md``):

* ``766-2022`` — the decision as it reads: five groups 18/20/22/22/18 (verified, addendum §A4.1), criterion
  points verified only for 1.2 = 4, 2.1 = 20, 5.c = 6; every other criterion's points are empty
  (unverified, so unscored);
* ``DVCQG-2026`` — how the national portal scores it in 2026 (addendum §A4.2, I766-A — SECONDARY), with
  payment shown as its own group and full points for a commune on the criteria that do not apply to it.

A criterion is scored ``criterion_points(rate, max_points, threshold)`` (addendum §A4.3, SECONDARY). A
criterion we have no data for (publicity 1.1–1.4, feedback, electronic certified copies…) or whose rate is
N/A is reported as ``no_data`` and left out of our total and of the maximum we could attain — never counted
as 0. The score the national portal published for the same unit and period is kept beside ours with the
difference (ours − published).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from motcua.agencies.models import Agency
from motcua.core.errors import DomainError
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.models import IndexCriterion, IndexVersion, PublishedIndexScore
from motcua.monitoring.periods import Period

DATA_FILE = Path(__file__).resolve().parent / "data" / "index_versions.json"

#: The threshold assumed when none is published: proportional points (addendum §A4.3 — UNVERIFIED).
DEFAULT_THRESHOLD = Decimal(100)

SCORED = "scored"
NO_DATA = "no_data"
NOT_APPLICABLE = "not_applicable"
UNVERIFIED = "unverified"

GROUP_NAMES: dict[str, tuple[str, str]] = {
    "publicity": ("Công khai, minh bạch", "Publicity and transparency"),
    "progress": ("Tiến độ, kết quả giải quyết", "Progress and results"),
    "online": ("Cung cấp dịch vụ trực tuyến", "Online service provision"),
    "payment": ("Thanh toán trực tuyến", "Online payment"),
    "digitisation": ("Số hóa hồ sơ", "Dossier digitisation"),
    "satisfaction": ("Mức độ hài lòng", "Satisfaction"),
}

_CENT = Decimal("0.01")


def _points(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def criterion_points(
    rate_pct: Decimal | None, max_points: Decimal | int, threshold_pct: Decimal | int | None
) -> Decimal | None:
    """Points of one criterion (addendum §A4.3, SECONDARY [F766, I766-A, I766-C]):
    ``min(max_points, max_points × rate / threshold)``, shown to 2 decimals (half-up).

    * ``rate_pct`` ``None`` (denominator 0) → ``None``: N/A, never 0 points [F766];
    * ``threshold_pct`` ``None`` → 100 (proportional), an UNVERIFIED assumption;
    * a negative rate (inconsistent counts) gives 0, never negative points.
    """
    if rate_pct is None:
        return None
    threshold = DEFAULT_THRESHOLD if threshold_pct is None else Decimal(threshold_pct)
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, not {threshold}")
    maximum = Decimal(max_points)
    earned = maximum * max(Decimal(rate_pct), Decimal(0)) / threshold
    return _points(min(maximum, earned))


# --- Loading the versions ----------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _apply(obj: IndexVersion | IndexCriterion, wanted: Mapping[str, Any]) -> bool:
    """Set the fields that differ; True when something changed."""
    changed = False
    for name, value in wanted.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


@transaction.atomic
def load_index_versions(path: Path | None = None) -> int:
    """Create or update the index versions and criteria of ``data/index_versions.json``; returns how many
    rows were created, changed or removed (0 when the database already matches — idempotent).

    The file owns the versions it names: a criterion of such a version that the file no longer lists is
    removed. Other versions (entered by hand) are left alone.
    """
    data = json.loads((path or DATA_FILE).read_text(encoding="utf-8"))
    changes = 0
    for spec in data["versions"]:
        version_fields = {
            "name": spec["name"],
            "legal_basis": spec["legal_basis"],
            "valid_from": _date(spec.get("valid_from")),
            "valid_to": _date(spec.get("valid_to")),
            "bands": spec.get("bands", []),
            "note": spec.get("note", ""),
        }
        version = IndexVersion.objects.filter(code=spec["code"]).first()
        if version is None:
            version = IndexVersion.objects.create(code=spec["code"], **version_fields)
            changes += 1
        elif _apply(version, version_fields):
            version.save()
            changes += 1
        groups: dict[str, Any] = spec["groups"]
        existing = {c.code: c for c in IndexCriterion.objects.filter(version=version)}
        listed: set[str] = set()
        for position, row in enumerate(spec["criteria"], start=1):
            listed.add(row["code"])
            criterion_fields = {
                "group": row["group"],
                "group_max_points": _decimal(groups.get(row["group"])),
                "name_vi": row["name_vi"],
                "name_en": row["name_en"],
                "indicator": row.get("indicator", ""),
                "max_points": _decimal(row.get("max_points")),
                "threshold_pct": _decimal(row.get("threshold_pct")),
                "applies_to_levels": row.get("applies_to_levels", []),
                "not_applicable": row.get("not_applicable", "excluded"),
                "valid_from": _date(row.get("valid_from")),
                "valid_to": _date(row.get("valid_to")),
                "legal_basis": row.get("legal_basis", ""),
                "verified": bool(row.get("verified", False)),
                "position": position,
            }
            criterion = existing.get(row["code"])
            if criterion is None:
                IndexCriterion.objects.create(version=version, code=row["code"], **criterion_fields)
                changes += 1
            elif _apply(criterion, criterion_fields):
                criterion.save()
                changes += 1
        stale = [c.pk for code, c in existing.items() if code not in listed]
        if stale:
            changes += IndexCriterion.objects.filter(pk__in=stale).delete()[0]
    return changes


# --- Scoring -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionScore:
    code: str
    group: str
    name_vi: str
    name_en: str
    #: the indicator code read ("" = no data source in the system)
    indicator: str
    value: IndicatorValue | None
    #: ``None`` unless ``status`` is "scored" (or "not_applicable" with full points)
    points: Decimal | None
    max_points: Decimal | None
    threshold_pct: Decimal | None
    #: no threshold published: 100 % assumed (UNVERIFIED)
    threshold_assumed: bool
    #: "scored" | "no_data" | "not_applicable" | "unverified" (points not known)
    status: str
    verified: bool
    published: Decimal | None
    #: ours − published, when both exist
    difference: Decimal | None


@dataclass(frozen=True)
class GroupScore:
    code: str
    name_vi: str
    name_en: str
    #: the group maximum of the version (``None`` when not known)
    max_points: Decimal | None
    #: sum of the points of the criteria that counted
    points: Decimal
    #: sum of the maxima of the criteria that counted
    max_attainable: Decimal


@dataclass(frozen=True)
class IndexScore:
    version: str
    scope_id: int
    period: Period
    criteria: tuple[CriterionScore, ...]
    groups: tuple[GroupScore, ...]
    #: our total: the points of the criteria that counted (excluded criteria are not 0, they are absent)
    total: Decimal
    #: the maximum of the version (sum of its group maxima, 100) or ``None`` when a group maximum is unknown
    max_points: Decimal | None
    #: the maximum our total could reach with the criteria that counted
    max_attainable: Decimal
    #: ``total × 100 / max_attainable`` — our total on the 100-point scale when criteria were excluded
    scaled_total: Decimal | None
    band_code: str | None
    band_vi: str | None
    band_en: str | None
    #: the band was read on ``scaled_total`` because some criteria were excluded (an estimate, DESIGN)
    band_is_estimate: bool
    published_total: Decimal | None
    #: ours − published (our total, not the scaled one)
    difference: Decimal | None


def _version(code: str) -> IndexVersion:
    version = IndexVersion.objects.filter(code=code).first()
    if version is None:
        raise DomainError(
            "index_version_not_found",
            f"Không có phiên bản bộ chỉ số “{code}”.",
            f"There is no index version “{code}”.",
            field="version",
        )
    return version


def _band(bands: list[dict[str, Any]], total: Decimal) -> dict[str, Any] | None:
    for band in sorted(bands, key=lambda b: Decimal(str(b["min"])), reverse=True):
        if total >= Decimal(str(band["min"])):
            return band
    return None


def _applies(criterion: IndexCriterion, scope: Agency) -> bool:
    levels = criterion.applies_to_levels or []
    return not levels or scope.kind in levels


def _in_period(criterion: IndexCriterion, period: Period) -> bool:
    if criterion.valid_from and criterion.valid_from >= period.end:
        return False
    return not (criterion.valid_to and criterion.valid_to <= period.start)


def _score_criterion(
    criterion: IndexCriterion, scope: Agency, value: IndicatorValue | None
) -> tuple[Decimal | None, str]:
    maximum = criterion.max_points
    if not _applies(criterion, scope):
        full = criterion.not_applicable == "full" and maximum is not None
        return (maximum if full else None), NOT_APPLICABLE
    if maximum is None:
        return None, UNVERIFIED
    if not criterion.indicator or value is None or value.value is None:
        return None, NO_DATA
    return criterion_points(value.value, maximum, criterion.threshold_pct), SCORED


def _difference(ours: Decimal | None, published: Decimal | None) -> Decimal | None:
    if ours is None or published is None:
        return None
    return _points(ours - published)


def score(
    version_code: str,
    scope: Agency,
    period: Period,
    values: dict[str, IndicatorValue] | None = None,
) -> IndexScore:
    """Score ``scope`` over ``period`` with the index version ``version_code``.

    ``values`` are the indicator values to read (computed with ``indicators.evaluate`` when ``None``); an
    indicator missing from ``values`` counts as no data.
    """
    version = _version(version_code)
    criteria = [c for c in version.criteria.order_by("position") if _in_period(c, period)]
    if values is None:
        from motcua.monitoring import indicators

        codes = sorted({c.indicator for c in criteria if c.indicator})
        values = indicators.evaluate(scope, period, codes)
    published = {
        p.criterion_code: p.score
        for p in PublishedIndexScore.objects.filter(
            version=version, agency=scope, period_start=period.start, period_end=period.end
        )
    }
    scored: list[CriterionScore] = []
    for criterion in criteria:
        value = values.get(criterion.indicator) if criterion.indicator else None
        points, status = _score_criterion(criterion, scope, value)
        scored.append(
            CriterionScore(
                code=criterion.code,
                group=criterion.group,
                name_vi=criterion.name_vi,
                name_en=criterion.name_en,
                indicator=criterion.indicator,
                value=value,
                points=points,
                max_points=criterion.max_points,
                threshold_pct=criterion.threshold_pct,
                threshold_assumed=criterion.threshold_pct is None and status == SCORED,
                status=status,
                verified=criterion.verified,
                published=published.get(criterion.code),
                difference=_difference(points, published.get(criterion.code)),
            )
        )
    groups = _groups(criteria, scored)
    total = sum((g.points for g in groups), Decimal("0.00"))
    attainable = sum((g.max_attainable for g in groups), Decimal("0.00"))
    group_maxima = [g.max_points for g in groups]
    version_max = (
        sum((m for m in group_maxima if m is not None), Decimal("0.00"))
        if all(m is not None for m in group_maxima)
        else None
    )
    scaled = _points(total * 100 / attainable) if attainable > 0 else None
    complete = version_max is not None and attainable == version_max
    band = _band(version.bands or [], total if complete else scaled) if scaled is not None else None
    published_total = published.get("")
    return IndexScore(
        version=version.code,
        scope_id=scope.pk,
        period=period,
        criteria=tuple(scored),
        groups=tuple(groups),
        total=total,
        max_points=version_max,
        max_attainable=attainable,
        scaled_total=scaled,
        band_code=band["code"] if band else None,
        band_vi=band["label_vi"] if band else None,
        band_en=band["label_en"] if band else None,
        band_is_estimate=band is not None and not complete,
        published_total=published_total,
        difference=_difference(total, published_total),
    )


def _groups(criteria: list[IndexCriterion], scored: list[CriterionScore]) -> list[GroupScore]:
    order: list[str] = []
    maxima: dict[str, Decimal | None] = {}
    points: dict[str, Decimal] = {}
    attainable: dict[str, Decimal] = {}
    for criterion, result in zip(criteria, scored, strict=True):
        if criterion.group not in maxima:
            order.append(criterion.group)
            maxima[criterion.group] = criterion.group_max_points
            points[criterion.group] = Decimal("0.00")
            attainable[criterion.group] = Decimal("0.00")
        if result.points is not None and result.max_points is not None:
            points[criterion.group] += result.points
            attainable[criterion.group] += result.max_points
    return [
        GroupScore(
            code=code,
            name_vi=GROUP_NAMES.get(code, (code, code))[0],
            name_en=GROUP_NAMES.get(code, (code, code))[1],
            max_points=maxima[code],
            points=points[code],
            max_attainable=attainable[code],
        )
        for code in order
    ]
