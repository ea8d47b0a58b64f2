"""Pure deadline calculator over the Vietnamese civil-service working calendar.

Rule (Bộ luật Lao động 2019 — Labour Code 2019, Art. 111–112): the weekly rest days of state bodies are
Saturday and Sunday; the public holidays are those of Art. 112; a holiday that falls on the weekly rest
day is compensated on the next working day (Art. 111(3)). Each year the Prime Minister also decides the
Tết break, day swaps ("nghỉ hoán đổi") and make-up working Saturdays ("làm bù"). Those yearly decisions
are *data* (``motcua.calendar.models``); this module only receives them as plain sets.

A day is a working day when it is Monday–Friday or a make-up working day, and it is not in the
non-working set (holidays, compensatory days off, swapped days off, ad-hoc closures). A non-working row
beats a make-up row on the same date (a storm closure on a make-up Saturday closes the office).

Years listed in ``authoritative_years`` use ONLY that data plus weekends. For any other year (e.g. 2027,
before its official data is entered) the ``fallback_holidays`` function is consulted as well — by
default :func:`vn_statutory_holidays`, the ``holidays`` library's VN public holidays with observed
days — and the explicit data (closures entered by administrators) still applies on top of it.

The counting conventions are not settled by the law; they are the UNVERIFIED policies of
:class:`CalendarPolicy`, each documented there. No method touches the database.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

import holidays

from motcua.calendar.constants import TimeUnit
from motcua.core.clock import VN_TZ
from motcua.core.errors import DomainError

ONE_DAY = timedelta(days=1)
# A deadline search never needs more than this many days; it guards against a calendar with no working
# day at all (e.g. a closure entered for a whole year by mistake) turning into an endless loop.
MAX_SCAN_DAYS = 3 * 366


@dataclass(frozen=True)
class CalendarPolicy:
    """Counting conventions the law leaves open (UNVERIFIED in the spec; record changes in an ADR).

    * ``count_from_next_day`` — a limit in working days starts counting on the day after reception
      (Bộ luật Dân sự 2015 — Civil Code 2015, Art. 147: a period "starts from the day after" the event).
      The due date is the Nth working day after the received date, also when the dossier was received
      on a non-working day. If False, a reception on a working day counts as day 1.
    * ``keep_time_of_day`` — the deadline keeps the local time of day of reception (received 14:30 →
      due 14:30 on the due day). If False, it is the close of office hours on the due day.
    * ``roll_forward_non_working_end`` — a limit in calendar days or months whose last day is not a
      working day ends on the next working day (by analogy with Civil Code 2015, Art. 148(1); UNVERIFIED
      for administrative procedures).
    * ``office_hours`` — local intervals of a working day in which working hours are consumed
      (default 08:00–12:00 and 13:00–17:00; UNVERIFIED, provinces set their own reception hours). A
      fraction of a working day is converted to hours of this office day (0.5 day = 4 h by default).
    """

    count_from_next_day: bool = True
    keep_time_of_day: bool = True
    roll_forward_non_working_end: bool = True
    office_hours: tuple[tuple[time, time], ...] = (
        (time(8, 0), time(12, 0)),
        (time(13, 0), time(17, 0)),
    )

    def __post_init__(self) -> None:
        if not self.office_hours:
            raise ValueError("office_hours must contain at least one interval")
        previous_end = time.min
        for start, end in self.office_hours:
            if not previous_end <= start < end:
                raise ValueError("office_hours must be ordered, non-overlapping intervals within a day")
            previous_end = end

    @property
    def office_day(self) -> timedelta:
        """Length of one office day (8 hours by default)."""
        return sum(
            (
                datetime.combine(date.min, end) - datetime.combine(date.min, start)
                for start, end in self.office_hours
            ),
            timedelta(),
        )


def vn_statutory_holidays(year: int) -> frozenset[date]:
    """Vietnam public holidays of ``year`` from the ``holidays`` library, observed days included.

    Used only for years without official data in the database. The library encodes the Labour Code
    rules and some announced swaps; it does not know the make-up Saturdays, so it is a fallback.
    """
    return frozenset(holidays.country_holidays("VN", years=year, observed=True).keys())


def invalid_limit(detail_en: str, detail_vi: str) -> DomainError:
    """The error for a time limit that cannot be applied (zero, negative, not a number, wrong unit)."""
    return DomainError(
        "invalid_time_limit",
        f"Thời hạn giải quyết không hợp lệ: {detail_vi}",
        f"Invalid time limit: {detail_en}",
        field="limit",
    )


def _local(moment: datetime) -> datetime:
    """``moment`` in Asia/Ho_Chi_Minh; a naive datetime is refused (ValueError)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: the calendar needs an aware datetime")
    return moment.astimezone(VN_TZ)


def _check_count(n: int | Decimal) -> None:
    if isinstance(n, Decimal) and not n.is_finite():
        raise invalid_limit("it must be a finite number.", "phải là một số hữu hạn.")
    if n < 0:
        raise invalid_limit("it must not be negative.", "không được là số âm.")


@dataclass(frozen=True)
class WorkingCalendar:
    """The working calendar built from plain data; every method is a pure computation.

    ``non_working_dates`` are holidays, compensatory and swapped days off and closures that are in force;
    ``working_dates`` are make-up working days (usually Saturdays). Proposed days are not passed in.
    """

    non_working_dates: frozenset[date] = frozenset()
    working_dates: frozenset[date] = frozenset()
    authoritative_years: frozenset[int] = frozenset()
    fallback_holidays: Callable[[int], frozenset[date]] | None = vn_statutory_holidays
    policy: CalendarPolicy = field(default_factory=CalendarPolicy)

    def __post_init__(self) -> None:
        fallback = self.fallback_holidays
        if fallback is not None:
            # Computing a year's holidays is slow-ish; keep one result per year for this calendar.
            object.__setattr__(self, "fallback_holidays", cache(fallback))

    # -- days ------------------------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """True when ``d`` is a working day of state bodies (see the module docstring for the rule)."""
        if d in self.non_working_dates:
            return False
        fallback = self.fallback_holidays
        if fallback is not None and d.year not in self.authoritative_years and d in fallback(d.year):
            return False
        return d.weekday() < 5 or d in self.working_dates

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        for _ in range(MAX_SCAN_DAYS):
            d += ONE_DAY
            if self.is_working_day(d):
                return d
        raise RuntimeError(f"no working day within {MAX_SCAN_DAYS} days after {d.isoformat()}")

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days in the half-open interval (start, end]."""
        count, d = 0, start
        while d < end:
            d += ONE_DAY
            count += self.is_working_day(d)
        return count

    def _on_or_after(self, d: date) -> date:
        return d if self.is_working_day(d) else self.next_working_day(d)

    def _at(self, d: date, local_start: datetime) -> datetime:
        """The deadline moment on day ``d``: same local time of day, or close of office (policy)."""
        clock = local_start.time() if self.policy.keep_time_of_day else self.policy.office_hours[-1][1]
        return datetime.combine(d, clock, tzinfo=VN_TZ)

    # -- additions -------------------------------------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The due moment ``n`` working days after ``start`` (n=0 returns ``start`` in local time).

        With the default policy the due date is the Nth working day after the received date, at the
        received local time. Example (official 2025 data): received Thu 24/4/2025 + 5 working days →
        25/4, Sat 26/4 (make-up day), 28/4, 29/4, [30/4–4/5 off], 5/5 → due Mon 5/5/2025.
        """
        local = _local(start)
        _check_count(n)
        if n == 0:
            return local
        d = local.date()
        if not self.policy.count_from_next_day and self.is_working_day(d):
            n -= 1  # the received day itself is day 1
        for _ in range(n):
            d = self.next_working_day(d)
        return self._at(d, local)

    def add_calendar_days(self, start: datetime, n: int) -> datetime:
        """``start`` + ``n`` calendar days; a non-working last day rolls forward (policy)."""
        local = _local(start)
        _check_count(n)
        return self._end_on(local.date() + timedelta(days=n), local)

    def add_months(self, start: datetime, n: int) -> datetime:
        """Same day of month ``n`` months later, clamped to the month's last day (31/1 + 1 → 28/2 or 29/2);
        a non-working last day rolls forward (policy)."""
        local = _local(start)
        _check_count(n)
        month_index = local.month - 1 + n
        year, month = local.year + month_index // 12, month_index % 12 + 1
        day = min(local.day, pycalendar.monthrange(year, month)[1])
        return self._end_on(date(year, month, day), local)

    def _end_on(self, d: date, local_start: datetime) -> datetime:
        if self.policy.roll_forward_non_working_end:
            d = self._on_or_after(d)
        return self._at(d, local_start)

    def add_working_hours(self, start: datetime, hours: Decimal | int) -> datetime:
        """The moment after consuming ``hours`` inside office hours of working days.

        A start outside office hours begins at the next office moment; time outside the office intervals
        (lunch, nights, weekends, holidays) does not count. A limit that ends exactly at the close of an
        interval ends there (12:00, not 13:00). ``hours=0`` returns ``start`` in local time.
        """
        local = _local(start)
        _check_count(hours)
        remaining = timedelta(microseconds=int(Decimal(hours) * 3_600_000_000))
        if not remaining:
            return local
        d, clock = local.date(), local.time()
        for _ in range(MAX_SCAN_DAYS):
            if self.is_working_day(d):
                for open_at, close_at in self.policy.office_hours:
                    if clock >= close_at:
                        continue
                    cursor = datetime.combine(d, max(clock, open_at), tzinfo=VN_TZ)
                    available = datetime.combine(d, close_at, tzinfo=VN_TZ) - cursor
                    if remaining <= available:
                        return cursor + remaining
                    remaining -= available
            d, clock = d + ONE_DAY, time.min
        raise RuntimeError(f"no office hours within {MAX_SCAN_DAYS} days after {local.isoformat()}")

    # -- the one entry point for a published time limit ------------------------------------------------

    def due_at(self, received_at: datetime, limit: Decimal | int, unit: TimeUnit | str) -> datetime:
        """Deadline of a dossier received at ``received_at`` for a published limit (thời hạn giải quyết).

        ``limit`` must be > 0. Working days may be fractional: the whole days are added first, then the
        fraction as hours of one office day (``CalendarPolicy.office_hours``). Calendar days and months
        must be whole numbers. Returns an aware datetime in Asia/Ho_Chi_Minh; naive input → ValueError.
        """
        _local(received_at)
        amount = Decimal(limit)
        if not amount.is_finite() or amount <= 0:
            raise invalid_limit("it must be a number greater than zero.", "phải là một số lớn hơn 0.")
        if amount > MAX_LIMIT[TimeUnit(unit)]:
            raise invalid_limit(
                f"it must not exceed {MAX_LIMIT[TimeUnit(unit)]} {TimeUnit(unit).value}.",
                f"không được vượt quá {MAX_LIMIT[TimeUnit(unit)]} ({TimeUnit(unit).label}).",
            )
        unit = TimeUnit(unit)
        whole = int(amount)
        fraction = amount - whole
        if unit == TimeUnit.HOURS:
            return self.add_working_hours(received_at, amount)
        if unit == TimeUnit.WORKING_DAYS:
            due = self.add_working_days(received_at, whole)
            if fraction:
                hours_per_day = Decimal(self.policy.office_day.total_seconds()) / 3600
                due = self.add_working_hours(due, fraction * hours_per_day)
            return due
        if fraction:
            raise invalid_limit(
                "calendar days and months must be whole numbers.",
                "số ngày theo lịch và số tháng phải là số nguyên.",
            )
        if unit == TimeUnit.DAYS:
            return self.add_calendar_days(received_at, whole)
        return self.add_months(received_at, whole)


#: Largest published time limit accepted per unit (ten years); larger values are input errors, not deadlines.
MAX_LIMIT: dict[TimeUnit, int] = {
    TimeUnit.WORKING_DAYS: 2600,
    TimeUnit.DAYS: 3660,
    TimeUnit.HOURS: 20800,
    TimeUnit.MONTHS: 120,
}


def build_calendar(
    *,
    non_working: Iterable[date] = (),
    working: Iterable[date] = (),
    authoritative_years: Iterable[int] = (),
    fallback_holidays: Callable[[int], frozenset[date]] | None = vn_statutory_holidays,
    policy: CalendarPolicy | None = None,
) -> WorkingCalendar:
    """Convenience constructor from any iterables."""
    return WorkingCalendar(
        non_working_dates=frozenset(non_working),
        working_dates=frozenset(working),
        authoritative_years=frozenset(authoritative_years),
        fallback_holidays=fallback_holidays,
        policy=policy or CalendarPolicy(),
    )
