"""The public transparency page (công khai kết quả giải quyết thủ tục hành chính): on-time, online,
full-online and satisfaction rates of the nation, a province or any unit, and of the units directly below it.

Decree 61/2018 Art 29(2), 30(2) ask that the results of handling procedures be published on the portals
(``indicators.PUBLIC_TRANSPARENCY``). No sign-in and no personal data: only agency names and aggregate
numbers — never a dossier code or an applicant. Units are taken "as is" (the history of units merged in the
2025 reorganisation counts in their successor), so the list of provinces is today's. Nothing is cached:
every request reads the aggregates, which are kept current in the transaction of each change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from motcua.agencies.models import Agency, AgencyKind
from motcua.monitoring import charts, indicators, queries
from motcua.monitoring.indicators import IndicatorValue
from motcua.monitoring.periods import Period

#: The published indicators: the layout ``PUBLIC_TRANSPARENCY`` and the satisfaction rate (Decree 224/2026
#: Art 19 lists it among the monitored metrics).
PUBLIC_CODES: tuple[str, ...] = tuple(dict.fromkeys((*indicators.PUBLIC_TRANSPARENCY, "satisfaction_rate")))
#: The columns of the table of units.
UNIT_CODES: tuple[str, ...] = (
    "on_time_rate",
    "online_dossier_rate",
    "full_online_dossier_rate",
    "satisfaction_rate",
)
#: Short column headings of the table of units (the full names head the table of rates above it).
SHORT_NAMES: dict[str, tuple[str, str]] = {
    "on_time_rate": ("Đúng hạn", "On time"),
    "online_dossier_rate": ("Trực tuyến", "Online"),
    "full_online_dossier_rate": ("Toàn trình", "Full-online"),
    "satisfaction_rate": ("Hài lòng", "Satisfied"),
}
#: One sentence per formula, for citizens (the legal source is shown beside it from the indicator).
FORMULAS: dict[str, tuple[str, str]] = {
    "on_time_rate": (
        "Số hồ sơ giải quyết trước hạn và đúng hạn chia cho tổng số hồ sơ đã giải quyết trong kỳ, nhân 100.",
        "Dossiers resolved early or on time divided by all dossiers resolved in the period, times 100.",
    ),
    "early_rate": (
        "Số hồ sơ giải quyết trước hạn chia cho tổng số hồ sơ đã giải quyết trong kỳ, nhân 100.",
        "Dossiers resolved before the due date divided by all dossiers resolved in the period, times 100.",
    ),
    "late_rate": (
        "Số hồ sơ giải quyết quá hạn chia cho tổng số hồ sơ đã giải quyết trong kỳ, nhân 100.",
        "Dossiers resolved after the due date divided by all dossiers resolved in the period, times 100.",
    ),
    "online_service_rate": (
        "Số thủ tục được cung cấp dịch vụ công trực tuyến (toàn trình hoặc một phần) chia cho tổng số"
        " thủ tục của đơn vị, nhân 100.",
        "Procedures offered online (full or partial) divided by all procedures the unit offers, times 100.",
    ),
    "online_dossier_rate": (
        "Số hồ sơ tiếp nhận trực tuyến chia cho tổng số hồ sơ tiếp nhận trong kỳ, nhân 100.",
        "Dossiers received online divided by all dossiers received in the period, times 100.",
    ),
    "full_online_dossier_rate": (
        "Số hồ sơ trực tuyến toàn trình chia cho tổng số hồ sơ tiếp nhận trong kỳ, nhân 100.",
        "Full-online dossiers divided by all dossiers received in the period, times 100.",
    ),
    "satisfaction_rate": (
        "Số lượt đánh giá hài lòng chia cho tổng số lượt người dân đánh giá trong kỳ, nhân 100.",
        "Ratings 'satisfied' divided by all ratings given by citizens in the period, times 100.",
    ),
}


def _english(request: HttpRequest) -> bool:
    return (getattr(request, "LANGUAGE_CODE", "vi") or "vi").startswith("en")


def _pick(english: bool, vi: str, en: str) -> str:
    return en if english else vi


def _label(agency: Agency) -> str:
    return agency.short_name or agency.name


def public_periods(today: date) -> tuple[Period, Period]:
    """This year up to today (included) and the last whole month."""
    this_year = Period(date(today.year, 1, 1), today + timedelta(days=1))
    first_of_month = today.replace(day=1)
    before = first_of_month - timedelta(days=1)
    return this_year, Period.month(before.year, before.month)


def _value(value: IndicatorValue, english: bool) -> str:
    return charts.format_value(value.value, value.unit, english=english)


def _ratio(value: IndicatorValue, english: bool) -> str:
    if value.numerator is None or value.denominator is None:
        return ""
    return (
        f"{charts.format_number(value.numerator, english=english)}"
        f"/{charts.format_number(value.denominator, english=english)}"
    )


def _rows(
    this_year: Mapping[str, IndicatorValue], last_month: Mapping[str, IndicatorValue], english: bool
) -> list[dict[str, Any]]:
    rows = []
    for code in PUBLIC_CODES:
        indicator = indicators.get(code)
        vi, en = FORMULAS.get(code, (indicator.name_vi, indicator.name_en))
        rows.append(
            {
                "code": code,
                "name": _pick(english, indicator.name_vi, indicator.name_en),
                "formula": _pick(english, vi, en),
                "source": indicator.source,
                "year": _value(this_year[code], english),
                "year_ratio": _ratio(this_year[code], english),
                "month": _value(last_month[code], english),
                "month_ratio": _ratio(last_month[code], english),
            }
        )
    return rows


def _scope(code: str | None) -> Agency:
    if code:
        found = Agency.objects.filter(code=code).first()
    else:
        found = Agency.objects.filter(kind=AgencyKind.NATION).order_by("depth", "pk").first()
    if found is None:
        raise Http404
    return found


def _units(scope: Agency) -> list[Agency]:
    """The current units directly below ``scope``, provinces and communes in the order of their official
    administrative codes, other agencies after them by name."""
    return list(
        Agency.objects.filter(parent=scope, valid_to__isnull=True)
        .select_related("admin_unit")
        .order_by(F("admin_unit__code").asc(nulls_last=True), "name")
    )


def _chart(scope: Agency, period: Period, values: Mapping[str, IndicatorValue], english: bool) -> str:
    points = [
        charts.Point(
            _pick(english, indicators.get(code).name_vi, indicators.get(code).name_en),
            values[code].value,
            _value(values[code], english),
        )
        for code in UNIT_CODES
    ]
    return charts.ranking_bars(
        points,
        chart_id="public-chart",
        title=_pick(english, f"{_label(scope)}: các tỷ lệ chính", f"{_label(scope)}: key rates"),
        description=_pick(
            english,
            f"Tỷ lệ đúng hạn, trực tuyến, toàn trình và hài lòng, {period.label_vi}, thang 0–100 %."
            " Số liệu ở bảng bên dưới.",
            f"On-time, online, full-online and satisfaction rates, {period.label_en}, on a 0–100 % scale."
            " The figures are in the table below.",
        ),
        max_value=100,
    )


def _unit_rows(units: Sequence[Agency], period: Period, today: date, english: bool) -> list[dict[str, Any]]:
    if not units:
        return []
    many = queries.counts_many(list(units), period, as_is=True, today_=today)
    rows = []
    for unit in units:
        values = indicators.compute_all(many[unit.pk], UNIT_CODES)
        rows.append(
            {
                "label": unit.admin_unit.name if unit.admin_unit is not None else _label(unit),
                "url": reverse("portal:transparency_agency", args=[unit.code]),
                "cells": [_value(values[code], english) for code in UNIT_CODES],
            }
        )
    return rows


def transparency(request: HttpRequest, code: str | None = None) -> HttpResponse:
    english = _english(request)
    scope = _scope(code)
    today = queries.today()
    this_year, last_month = public_periods(today)
    year_values = indicators.compute_all(
        queries.counts(scope, this_year, as_is=True, today_=today), PUBLIC_CODES
    )
    month_values = indicators.compute_all(
        queries.counts(scope, last_month, as_is=True, today_=today), PUBLIC_CODES
    )
    by_month = request.GET.get("ky", "") == "thang"
    unit_period = last_month if by_month else this_year
    units = _units(scope)
    lineage = [a for a in scope.ancestors() if a.pk != scope.pk]
    return render(
        request,
        "portal/transparency.html",
        {
            "scope_label": _label(scope),
            "lineage": [
                {
                    "label": _label(a),
                    "url": reverse("portal:transparency_agency", args=[a.code])
                    if a.kind != AgencyKind.NATION
                    else reverse("portal:transparency"),
                }
                for a in lineage
            ],
            "year_label": _pick(english, f"Năm {this_year.start.year}", f"Year {this_year.start.year}"),
            "month_label": last_month.label_en if english else last_month.label_vi,
            "rows": _rows(year_values, month_values, english),
            "chart": _chart(scope, this_year, year_values, english),
            "unit_names": [
                (
                    _pick(english, *SHORT_NAMES[c]),
                    _pick(english, indicators.get(c).name_vi, indicators.get(c).name_en),
                )
                for c in UNIT_CODES
            ],
            "unit_rows": _unit_rows(units, unit_period, today, english),
            "unit_period_label": (
                _pick(
                    english, f"Năm {this_year.start.year} (đến nay)", f"Year {this_year.start.year} (to date)"
                )
                if not by_month
                else _pick(english, last_month.label_vi, last_month.label_en)
            ),
            "by_month": by_month,
            "is_nation": scope.kind == AgencyKind.NATION,
            "through": today,
        },
    )


#: Mounted under ``cong-khai/`` by ``portal/urls.py`` (in the ``portal`` namespace).
urlpatterns = [
    path("", transparency, name="transparency"),
    path("<str:code>/", transparency, name="transparency_agency"),
]
