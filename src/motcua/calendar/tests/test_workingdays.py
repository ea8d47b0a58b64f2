"""The pure calculator on small hand-built calendars (no database).

Dates used (checked on a printed calendar): 2025-03-03 is a Monday; 2025-03-07 a Friday; 2025-03-08 a
Saturday; 2025-01-31 a Friday; 2025-02-28 a Friday; 2024-02-29 a Thursday; 2026-02-28 a Saturday.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest

from motcua.calendar.constants import TimeUnit
from motcua.calendar.workingdays import CalendarPolicy, WorkingCalendar, build_calendar, vn_statutory_holidays
from motcua.core.clock import VN_TZ
from motcua.core.errors import DomainError


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime on the Hanoi wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# A calendar with weekends only: no holiday data, no library fallback.
PLAIN = build_calendar(fallback_holidays=None)


def test_plain_weekdays_and_weekends() -> None:
    assert PLAIN.is_working_day(date(2025, 3, 3))  # Monday
    assert PLAIN.is_working_day(date(2025, 3, 7))  # Friday
    assert not PLAIN.is_working_day(date(2025, 3, 8))  # Saturday
    assert not PLAIN.is_working_day(date(2025, 3, 9))  # Sunday
    assert PLAIN.next_working_day(date(2025, 3, 7)) == date(2025, 3, 10)  # Fri -> Mon
    assert PLAIN.next_working_day(date(2025, 3, 3)) == date(2025, 3, 4)  # strictly after


def test_make_up_saturday_works_but_a_closure_on_it_wins() -> None:
    saturday = date(2025, 3, 8)
    with_make_up = build_calendar(working=[saturday], fallback_holidays=None)
    assert with_make_up.is_working_day(saturday)
    closed_too = build_calendar(working=[saturday], non_working=[saturday], fallback_holidays=None)
    assert not closed_too.is_working_day(saturday)


def test_working_days_count_from_the_next_day_and_keep_time_of_day() -> None:
    # Mon 3/3 14:30 + 1 -> Tue 4/3 14:30; + 5 -> Mon 10/3 (4, 5, 6, 7, [8, 9 weekend], 10).
    assert PLAIN.add_working_days(vn(2025, 3, 3, 14, 30), 1) == vn(2025, 3, 4, 14, 30)
    assert PLAIN.add_working_days(vn(2025, 3, 3, 14, 30), 5) == vn(2025, 3, 10, 14, 30)
    assert PLAIN.add_working_days(vn(2025, 3, 3, 14, 30), 0) == vn(2025, 3, 3, 14, 30)


def test_received_on_a_non_working_day_counts_working_days_after_it() -> None:
    # Sat 8/3 + 1 -> Mon 10/3; + 2 -> Tue 11/3.
    assert PLAIN.add_working_days(vn(2025, 3, 8, 9, 0), 1) == vn(2025, 3, 10, 9, 0)
    assert PLAIN.add_working_days(vn(2025, 3, 8, 9, 0), 2) == vn(2025, 3, 11, 9, 0)


def test_policy_variants_same_day_counting_and_end_of_office_day() -> None:
    same_day = replace(PLAIN, policy=CalendarPolicy(count_from_next_day=False))
    # Mon 3/3 is day 1, so 5 working days end Fri 7/3; on a Saturday reception nothing changes.
    assert same_day.add_working_days(vn(2025, 3, 3, 9, 0), 5) == vn(2025, 3, 7, 9, 0)
    assert same_day.add_working_days(vn(2025, 3, 8, 9, 0), 1) == vn(2025, 3, 10, 9, 0)
    end_of_day = replace(PLAIN, policy=CalendarPolicy(keep_time_of_day=False))
    assert end_of_day.add_working_days(vn(2025, 3, 3, 9, 0), 1) == vn(2025, 3, 4, 17, 0)


def test_utc_input_is_counted_in_vietnam_time_and_returned_in_vietnam_time() -> None:
    # 2025-03-07 20:00 UTC is Sat 8/3 03:00 in Hanoi: a Saturday reception, so +1 -> Mon 10/3 03:00.
    due = PLAIN.add_working_days(datetime(2025, 3, 7, 20, 0, tzinfo=UTC), 1)
    assert due == vn(2025, 3, 10, 3, 0)
    assert due.tzinfo == VN_TZ


def test_calendar_days_roll_forward_off_a_weekend_and_can_be_disabled() -> None:
    # Mon 3/3 + 5 days = Sat 8/3 -> rolled to Mon 10/3; + 4 days = Fri 7/3 stays.
    assert PLAIN.add_calendar_days(vn(2025, 3, 3, 10, 0), 5) == vn(2025, 3, 10, 10, 0)
    assert PLAIN.add_calendar_days(vn(2025, 3, 3, 10, 0), 4) == vn(2025, 3, 7, 10, 0)
    no_roll = replace(PLAIN, policy=CalendarPolicy(roll_forward_non_working_end=False))
    assert no_roll.add_calendar_days(vn(2025, 3, 3, 10, 0), 5) == vn(2025, 3, 8, 10, 0)


def test_months_clamp_to_the_last_day_of_the_month() -> None:
    assert PLAIN.add_months(vn(2025, 1, 31, 9, 0), 1) == vn(2025, 2, 28, 9, 0)  # Fri
    assert PLAIN.add_months(vn(2024, 1, 31, 9, 0), 1) == vn(2024, 2, 29, 9, 0)  # leap year, Thu
    assert PLAIN.add_months(vn(2025, 11, 15, 9, 0), 3) == vn(2026, 2, 16, 9, 0)  # 15/2/2026 is a Sunday
    # 30/1/2026 + 1 month = 28/2/2026 (Saturday) -> Monday 2/3/2026.
    assert PLAIN.add_months(vn(2026, 1, 30, 9, 0), 1) == vn(2026, 3, 2, 9, 0)


def test_working_hours_skip_lunch_nights_and_weekends() -> None:
    # 10:00 + 4 h: 10-12 (2 h), 13-15 (2 h).
    assert PLAIN.add_working_hours(vn(2025, 3, 3, 10, 0), 4) == vn(2025, 3, 3, 15, 0)
    # Exactly the morning: ends at 12:00, not 13:00.
    assert PLAIN.add_working_hours(vn(2025, 3, 3, 8, 0), 4) == vn(2025, 3, 3, 12, 0)
    # Fri 15:00 + 4 h: 15-17 (2 h), Mon 8-10 (2 h).
    assert PLAIN.add_working_hours(vn(2025, 3, 7, 15, 0), 4) == vn(2025, 3, 10, 10, 0)
    # Started during lunch or on Saturday evening: the clock starts at the next office moment.
    assert PLAIN.add_working_hours(vn(2025, 3, 3, 12, 30), 1) == vn(2025, 3, 3, 14, 0)
    assert PLAIN.add_working_hours(vn(2025, 3, 8, 20, 0), 1) == vn(2025, 3, 10, 9, 0)
    # Fractions of an hour: 16:30 + 1.5 h = 16:30-17:00 (0.5 h) + Tue 8:00-9:00.
    assert PLAIN.add_working_hours(vn(2025, 3, 3, 16, 30), Decimal("1.5")) == vn(2025, 3, 4, 9, 0)


def test_custom_office_hours() -> None:
    single_shift = replace(PLAIN, policy=CalendarPolicy(office_hours=((time(7, 30), time(11, 30)),)))
    # 10:30 + 2 h on a 7:30-11:30 office: 10:30-11:30 (1 h), next day 7:30-8:30.
    assert single_shift.add_working_hours(vn(2025, 3, 3, 10, 30), 2) == vn(2025, 3, 4, 8, 30)
    with pytest.raises(ValueError, match="office_hours"):
        CalendarPolicy(office_hours=((time(13, 0), time(17, 0)), (time(8, 0), time(12, 0))))


def test_due_at_dispatches_on_the_unit() -> None:
    received = vn(2025, 3, 3, 10, 0)  # Monday
    assert PLAIN.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 3, 10, 10, 0)
    assert PLAIN.due_at(received, 5, TimeUnit.DAYS) == vn(2025, 3, 10, 10, 0)  # Sat 8/3 rolled forward
    assert PLAIN.due_at(received, 4, TimeUnit.HOURS) == vn(2025, 3, 3, 15, 0)
    assert PLAIN.due_at(received, 1, TimeUnit.MONTHS) == vn(2025, 4, 3, 10, 0)  # Thursday
    assert PLAIN.due_at(received, 5, "working_days") == vn(2025, 3, 10, 10, 0)


def test_fractional_working_days_become_office_hours() -> None:
    received = vn(2025, 3, 3, 10, 0)  # Monday
    # 0.5 day = 4 office hours: 10-12, 13-15.
    assert PLAIN.due_at(received, Decimal("0.5"), TimeUnit.WORKING_DAYS) == vn(2025, 3, 3, 15, 0)
    # 1.5 days: Tue 4/3 10:00, then 4 office hours -> Tue 15:00.
    assert PLAIN.due_at(received, Decimal("1.5"), TimeUnit.WORKING_DAYS) == vn(2025, 3, 4, 15, 0)


def test_naive_datetimes_are_rejected() -> None:
    naive = datetime(2025, 3, 3, 10, 0)
    for call in (
        lambda: PLAIN.add_working_days(naive, 1),
        lambda: PLAIN.add_calendar_days(naive, 1),
        lambda: PLAIN.add_months(naive, 1),
        lambda: PLAIN.add_working_hours(naive, 1),
        lambda: PLAIN.due_at(naive, 1, TimeUnit.WORKING_DAYS),
    ):
        with pytest.raises(ValueError, match="naive"):
            call()


@pytest.mark.parametrize(
    ("limit", "unit"),
    [
        (0, TimeUnit.WORKING_DAYS),
        (-3, TimeUnit.WORKING_DAYS),
        (Decimal("-0.5"), TimeUnit.HOURS),
        (Decimal("NaN"), TimeUnit.DAYS),
        (Decimal("Infinity"), TimeUnit.WORKING_DAYS),
        (Decimal("1.5"), TimeUnit.DAYS),
        (Decimal("0.5"), TimeUnit.MONTHS),
    ],
)
def test_invalid_limits_are_refused_with_a_bilingual_error(limit: Decimal | int, unit: TimeUnit) -> None:
    with pytest.raises(DomainError) as caught:
        PLAIN.due_at(vn(2025, 3, 3, 10, 0), limit, unit)
    assert caught.value.code == "invalid_time_limit"
    assert caught.value.message("vi").startswith("Thời hạn giải quyết không hợp lệ")
    assert caught.value.message("en").startswith("Invalid time limit")


def test_negative_counts_are_refused_by_each_method() -> None:
    with pytest.raises(DomainError):
        PLAIN.add_working_days(vn(2025, 3, 3, 10, 0), -1)
    with pytest.raises(DomainError):
        PLAIN.add_calendar_days(vn(2025, 3, 3, 10, 0), -1)


def test_fallback_years_use_the_library_but_authoritative_years_do_not() -> None:
    # The holidays library (0.109) lists 24/11/2026 (proposed "Vietnam Cultural Day") and 4–10/2/2027 for
    # Tết 2027. A year marked authoritative ignores the library; another year uses it.
    assert date(2026, 11, 24) in vn_statutory_holidays(2026)
    authoritative_2026 = WorkingCalendar(authoritative_years=frozenset({2026}))
    assert authoritative_2026.is_working_day(date(2026, 11, 24))
    assert not authoritative_2026.is_working_day(date(2027, 2, 8))  # Monday of Tết 2027 (fallback)
    assert not WorkingCalendar().is_working_day(date(2026, 11, 24))


def test_working_days_between_is_half_open() -> None:
    # (Mon 3/3, Mon 10/3] holds 4, 5, 6, 7, 10 -> 5 working days.
    assert PLAIN.working_days_between(date(2025, 3, 3), date(2025, 3, 10)) == 5
    assert PLAIN.working_days_between(date(2025, 3, 3), date(2025, 3, 3)) == 0
