"""Database side of the calendar: build the calculator from the rows, and import the official file.

``load_calendar()`` keeps one calculator per process and per ``years`` argument, keyed by a cheap
version stamp read from the database on every call (row counts and latest ``updated_at`` of both
tables). Any change made through the ORM or the admin — in this process or another worker — gives a new
stamp, and a transaction rolled back (as in tests) brings the old stamp back together with the old rows,
so the cache is never stale. Only ``QuerySet.update()`` without touching ``updated_at`` escapes it: edit
rows with ``save()``. Code that computes many deadlines in a loop should call ``load_calendar()`` once.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Count, Max

from motcua.calendar.constants import TimeUnit
from motcua.calendar.models import (
    NON_WORKING_KINDS,
    WORKING_KINDS,
    CalendarDay,
    CalendarYear,
    DayKind,
    DayStatus,
)
from motcua.calendar.workingdays import WorkingCalendar, build_calendar

DATA_FILE_NAME = "holidays_2024_2026.csv"

# ----------------------------------------------------------------------------------------------------
# The calculator, built from the database
# ----------------------------------------------------------------------------------------------------

_Stamp = tuple[Any, ...]
_cache: dict[frozenset[int] | None, tuple[_Stamp, WorkingCalendar]] = {}
_cache_lock = threading.Lock()


def _stamp() -> _Stamp:
    days = CalendarDay.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    years = CalendarYear.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (days["n"], days["last"], years["n"], years["last"])


def _build(years: frozenset[int] | None) -> WorkingCalendar:
    days = CalendarDay.objects.exclude(status=DayStatus.PROPOSED).filter(
        kind__in=[*NON_WORKING_KINDS, *WORKING_KINDS]
    )
    year_rows = CalendarYear.objects.filter(authoritative=True)
    if years is not None:
        days = days.filter(date__year__in=years)
        year_rows = year_rows.filter(year__in=years)
    non_working: set[date] = set()
    working: set[date] = set()
    for day, kind in days.values_list("date", "kind"):
        (non_working if kind in NON_WORKING_KINDS else working).add(day)
    return build_calendar(
        non_working=non_working,
        working=working,
        authoritative_years=year_rows.values_list("year", flat=True),
    )


def load_calendar(years: Iterable[int] | None = None) -> WorkingCalendar:
    """The working calendar from the database (proposed rows ignored), cached while the data is unchanged.

    ``years`` restricts the rows read to those years; any other year is then computed with the
    ``holidays`` library fallback, so pass every year a deadline may reach, or ``None`` (all years).
    Use ``dataclasses.replace(calendar, policy=...)`` for non-default counting policies.
    """
    key = frozenset(years) if years is not None else None
    stamp = _stamp()
    cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    calendar = _build(key)
    with _cache_lock:
        _cache[key] = (stamp, calendar)
    return calendar


def due_at(received_at: datetime, limit: Decimal | int, unit: TimeUnit | str) -> datetime:
    """Deadline for a dossier received at ``received_at``; see ``WorkingCalendar.due_at`` for the rules."""
    return load_calendar().due_at(received_at, limit, unit)


# ----------------------------------------------------------------------------------------------------
# Import of the official file
# ----------------------------------------------------------------------------------------------------

LOAI_TO_KIND = {
    "nghi_le_tet": DayKind.HOLIDAY,
    "cuoi_tuan_trong_ky_nghi": DayKind.WEEKEND_IN_BREAK,
    "nghi_hoan_doi": DayKind.SWAPPED_DAY_OFF,
    "lam_bu": DayKind.MAKE_UP_WORKING_DAY,
    "nghi_bu": DayKind.COMPENSATORY_DAY_OFF,
    "de_xuat": DayKind.HOLIDAY,  # a proposed holiday; stored with status "proposed"
}
TRANG_THAI_TO_STATUS = {
    "chinh_thuc": DayStatus.OFFICIAL,
    "tinh_theo_luat": DayStatus.DERIVED_FROM_LAW,
    "de_xuat": DayStatus.PROPOSED,
}
WEEKDAY_LABELS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
REQUIRED_COLUMNS = ("ngay", "nam", "thu", "ten", "loai", "can_cu", "nguon", "trang_thai", "ghi_chu")
SAVED_FIELDS = ("name", "legal_basis", "source_url", "status", "note")
YEAR_LEGAL_BASIS = (
    "Bộ luật Lao động 2019, Điều 111–112; thông báo nghỉ lễ, Tết hằng năm cho CBCCVC "
    "(căn cứ ghi theo từng ngày)."
)


def default_data_path() -> Path:
    """The official calendar file bundled with the app (see ``data/README.md`` for its provenance)."""
    return Path(__file__).resolve().parent / "data" / DATA_FILE_NAME


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did. ``years_marked`` are now authoritative; ``years_not_marked`` had rejected rows."""

    path: Path
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    years_marked: list[int] = field(default_factory=list)
    years_not_marked: list[int] = field(default_factory=list)


class _RowError(Exception):
    def __init__(self, reason: str, year: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.year = year


def _parse_row(row: dict[str | None, Any]) -> tuple[date, DayKind, dict[str, str]]:
    """Validate one CSV row; raise ``_RowError`` with the reason (never guess a correction)."""
    if None in row:
        raise _RowError("too many fields", None)
    missing = [c for c in REQUIRED_COLUMNS if row.get(c) is None]
    if missing:
        raise _RowError(f"missing fields: {', '.join(missing)}", None)
    values = {k: (v or "").strip() for k, v in row.items() if k is not None}
    year_hint = int(values["nam"]) if values["nam"].isdigit() else None
    try:
        day = date.fromisoformat(values["ngay"])
    except ValueError:
        raise _RowError(f"ngay: {values['ngay']!r} is not a date YYYY-MM-DD", year_hint) from None
    if values["nam"] != str(day.year):
        raise _RowError(f"nam: {values['nam']!r} is not the year of {day.isoformat()}", year_hint or day.year)
    weekday = WEEKDAY_LABELS[day.weekday()]
    if values["thu"] != weekday:
        raise _RowError(f"thu: {values['thu']!r} but {day.isoformat()} is {weekday}", day.year)
    loai, trang_thai = values["loai"], values["trang_thai"]
    if loai not in LOAI_TO_KIND:
        raise _RowError(f"loai: unknown value {loai!r} (expected one of {', '.join(LOAI_TO_KIND)})", day.year)
    if trang_thai not in TRANG_THAI_TO_STATUS:
        raise _RowError(
            f"trang_thai: unknown value {trang_thai!r} (expected one of {', '.join(TRANG_THAI_TO_STATUS)})",
            day.year,
        )
    if (loai == "de_xuat") != (trang_thai == "de_xuat"):
        raise _RowError(
            "loai and trang_thai disagree on whether the day is only proposed (de_xuat)", day.year
        )
    if loai in ("lam_bu", "cuoi_tuan_trong_ky_nghi") and day.weekday() < 5:
        raise _RowError(f"loai: {loai} on a weekday ({weekday})", day.year)
    if not values["ten"]:
        raise _RowError("ten: empty", day.year)
    fields = {
        "name": values["ten"],
        "legal_basis": values["can_cu"],
        "source_url": values["nguon"],
        "status": TRANG_THAI_TO_STATUS[trang_thai],
        "note": values["ghi_chu"],
    }
    return day, LOAI_TO_KIND[loai], fields


def _save_day(day: date, kind: DayKind, fields: dict[str, str], report: ImportReport) -> None:
    existing = CalendarDay.objects.filter(date=day, kind=kind).first()
    if existing is None:
        CalendarDay.objects.create(date=day, kind=kind, **fields)
        report.created += 1
    elif any(getattr(existing, name) != fields[name] for name in SAVED_FIELDS):
        for name in SAVED_FIELDS:
            setattr(existing, name, fields[name])
        existing.save()
        report.updated += 1
    else:
        report.unchanged += 1


def _mark_years(years: Iterable[int], source: str) -> None:
    for year in years:
        row, _ = CalendarYear.objects.get_or_create(
            year=year, defaults={"legal_basis": YEAR_LEGAL_BASIS, "source": source}
        )
        if not row.authoritative:
            row.authoritative = True
            row.save(update_fields=["authoritative", "updated_at"])


def import_official_days(csv_path: Path, *, dry_run: bool = False) -> ImportReport:
    """Load the official calendar CSV (format: ``data/README.md``) into ``CalendarDay`` rows.

    Each invalid row is skipped and reported with its line number and reason. Rows are matched on
    (date, kind), so running twice creates nothing new; changed fields in the file overwrite the row.
    Each year with accepted rows and no rejected row is marked authoritative (never unmarked); a year
    with a rejected row is left to the library fallback until fixed. ``dry_run`` rolls everything back.
    """
    report = ImportReport(path=csv_path, dry_run=dry_run)
    with transaction.atomic(), csv_path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        absent = [c for c in REQUIRED_COLUMNS if c not in header]
        if absent:
            report.rejected.append(RejectedRow(1, f"header: missing columns {', '.join(absent)}"))
            return report
        seen: dict[tuple[date, DayKind], int] = {}
        years_ok: set[int] = set()
        years_bad: set[int] = set()
        line = reader.line_num + 1
        for row in reader:
            report.rows += 1
            try:
                day, kind, fields = _parse_row(row)
                if (day, kind) in seen:
                    raise _RowError(
                        f"duplicate of line {seen[(day, kind)]} ({day.isoformat()}, {kind})", day.year
                    )
            except _RowError as error:
                report.rejected.append(RejectedRow(line, error.reason))
                if error.year is not None:
                    years_bad.add(error.year)
            else:
                seen[(day, kind)] = line
                years_ok.add(day.year)
                _save_day(day, kind, fields, report)
            line = reader.line_num + 1
        report.years_marked = sorted(years_ok - years_bad)
        report.years_not_marked = sorted(years_ok & years_bad)
        _mark_years(report.years_marked, source=f"Imported from {csv_path.name}")
        if dry_run:
            transaction.set_rollback(True)
    return report
