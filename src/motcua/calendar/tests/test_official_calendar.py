"""Deadlines on the REAL bundled calendar (data/holidays_2024_2026.csv), loaded through the importer.

Every expected date below was counted by hand against the file and a printed calendar; the comment next
to each assertion lists the days counted.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendar import services
from motcua.calendar.constants import TimeUnit
from motcua.calendar.models import CalendarDay, CalendarYear, DayKind, DayStatus
from motcua.core.clock import VN_TZ


def empty_calendar() -> None:
    from motcua.calendar.models import CalendarDay, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime on the Hanoi wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def load_real_data() -> None:
    report = services.import_official_days(services.default_data_path())
    assert report.rejected == []
    assert (report.rows, report.created) == (67, 67)
    assert report.years_marked == [2024, 2025, 2026]


@pytest.mark.django_db
def test_acceptance_example_24_april_2025() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    # Thu 24/4/2025 + 5: 25/4 Fri, 26/4 Sat (make-up), 28/4, 29/4, [30/4–4/5 off], 5/5 -> Mon 5/5/2025.
    assert services.due_at(vn(2025, 4, 24, 9, 15), 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 5, 9, 15)


@pytest.mark.django_db
def test_the_2025_swap() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert not calendar.is_working_day(date(2025, 5, 2))  # Fri, swapped day off
    assert calendar.is_working_day(date(2025, 4, 26))  # Sat, make-up working day
    # Tue 29/4 + 1: [30/4, 1/5 holidays, 2/5 swapped, 3–4/5 weekend], 5/5 -> Mon 5/5/2025.
    assert calendar.add_working_days(vn(2025, 4, 29, 10, 0), 1) == vn(2025, 5, 5, 10, 0)
    # Fri 25/4 + 1 -> the make-up Saturday 26/4.
    assert calendar.add_working_days(vn(2025, 4, 25, 10, 0), 1) == vn(2025, 4, 26, 10, 0)


@pytest.mark.django_db
def test_tet_2025() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert [
        d for d in (date(2025, 1, 24) + timedelta(days=i) for i in range(12)) if calendar.is_working_day(d)
    ] == [
        date(2025, 1, 24),
        date(2025, 2, 3),
        date(2025, 2, 4),
    ]
    # Fri 24/1 + 3: [25/1–2/2 Tết break], 3/2, 4/2, 5/2 -> Wed 5/2/2025.
    assert services.due_at(vn(2025, 1, 24, 16, 0), 3, TimeUnit.WORKING_DAYS) == vn(2025, 2, 5, 16, 0)


@pytest.mark.django_db
def test_tet_2026() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    # Fri 13/2 + 5: [14/2–22/2 Tết break], 23, 24, 25, 26, 27/2 -> Fri 27/2/2026.
    assert services.due_at(vn(2026, 2, 13, 8, 0), 5, TimeUnit.WORKING_DAYS) == vn(2026, 2, 27, 8, 0)


@pytest.mark.django_db
def test_new_year_2026_swap_across_the_year_boundary() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert not calendar.is_working_day(date(2026, 1, 2))  # Fri, swapped day off
    assert calendar.is_working_day(date(2026, 1, 10))  # Sat, make-up working day
    # Wed 31/12/2025 + 2: [1/1 holiday, 2/1 swapped, 3–4/1 weekend], 5/1, 6/1 -> Tue 6/1/2026.
    assert calendar.add_working_days(vn(2025, 12, 31, 10, 0), 2) == vn(2026, 1, 6, 10, 0)
    # Fri 9/1 + 1 -> Sat 10/1/2026 (make-up day).
    assert calendar.add_working_days(vn(2026, 1, 9, 10, 0), 1) == vn(2026, 1, 10, 10, 0)


@pytest.mark.django_db
def test_national_day_2026_swap() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert not calendar.is_working_day(date(2026, 8, 31))  # Mon, swapped day off
    assert calendar.is_working_day(date(2026, 8, 22))  # Sat, make-up working day
    assert calendar.add_working_days(vn(2026, 8, 21, 10, 0), 1) == vn(2026, 8, 22, 10, 0)
    # Fri 28/8 + 1: [29–30/8 weekend, 31/8 swapped, 1–2/9 holidays], 3/9 -> Thu 3/9/2026.
    assert calendar.add_working_days(vn(2026, 8, 28, 10, 0), 1) == vn(2026, 9, 3, 10, 0)


@pytest.mark.django_db
def test_compensatory_day_27_april_2026() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert not calendar.is_working_day(date(2026, 4, 27))  # Mon, nghỉ bù for Giỗ Tổ on Sun 26/4
    # Fri 24/4 + 1: [25–26/4 weekend, 27/4 compensatory], 28/4 -> Tue 28/4/2026.
    assert calendar.add_working_days(vn(2026, 4, 24, 10, 0), 1) == vn(2026, 4, 28, 10, 0)
    # Fri 24/4 + 3: 28/4, 29/4, [30/4, 1/5 holidays, 2–3/5 weekend], 4/5 -> Mon 4/5/2026.
    assert calendar.add_working_days(vn(2026, 4, 24, 10, 0), 3) == vn(2026, 5, 4, 10, 0)


@pytest.mark.django_db
def test_national_day_2025() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()
    assert not calendar.is_working_day(date(2025, 9, 1))
    assert not calendar.is_working_day(date(2025, 9, 2))
    # Fri 29/8 + 1: [30–31/8 weekend, 1–2/9 holidays], 3/9 -> Wed 3/9/2025.
    assert calendar.add_working_days(vn(2025, 8, 29, 10, 0), 1) == vn(2025, 9, 3, 10, 0)


@pytest.mark.django_db
def test_proposed_day_24_november_2026_is_a_working_day() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    proposed = CalendarDay.objects.get(date=date(2026, 11, 24))
    assert (proposed.kind, proposed.status) == (DayKind.HOLIDAY, DayStatus.PROPOSED)
    calendar = services.load_calendar()
    assert calendar.is_working_day(date(2026, 11, 24))  # Tuesday, proposal not in force
    assert calendar.add_working_days(vn(2026, 11, 23, 10, 0), 1) == vn(2026, 11, 24, 10, 0)


@pytest.mark.django_db
def test_year_without_data_falls_back_to_the_library() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    assert not CalendarYear.objects.filter(year=2027).exists()
    calendar = services.load_calendar()
    # Tết 2027 per the holidays library: Thu 4/2 – Wed 10/2/2027 (with the weekend 6–7/2).
    for day in (4, 5, 8, 9, 10):
        assert not calendar.is_working_day(date(2027, 2, day))
    # Wed 3/2 + 1: [4/2–10/2], 11/2 -> Thu 11/2/2027.
    assert calendar.add_working_days(vn(2027, 2, 3, 10, 0), 1) == vn(2027, 2, 11, 10, 0)
    # An admin closure in a fallback year applies on top of the library: Thu 11/2 closed -> Fri 12/2.
    CalendarDay.objects.create(date=date(2027, 2, 11), kind=DayKind.CLOSURE, name="Bão số 1")
    assert services.due_at(vn(2027, 2, 3, 10, 0), 1, TimeUnit.WORKING_DAYS) == vn(2027, 2, 12, 10, 0)


@pytest.mark.django_db
def test_calendar_days_and_months_roll_forward_over_real_holidays() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    # Mon 21/4/2025 + 9 days = Wed 30/4 (holiday) -> next working day Mon 5/5/2025.
    assert services.due_at(vn(2025, 4, 21, 10, 0), 9, TimeUnit.DAYS) == vn(2025, 5, 5, 10, 0)
    # Mon 21/4/2025 + 5 days = Sat 26/4, a make-up working day: no roll.
    assert services.due_at(vn(2025, 4, 21, 10, 0), 5, TimeUnit.DAYS) == vn(2025, 4, 26, 10, 0)
    # 31/3/2025 + 1 month = 30/4 (clamped from 31, holiday) -> Mon 5/5/2025.
    assert services.due_at(vn(2025, 3, 31, 10, 0), 1, TimeUnit.MONTHS) == vn(2025, 5, 5, 10, 0)
    # 31/1/2025 + 1 month = Fri 28/2/2025, a working day.
    assert services.due_at(vn(2025, 1, 31, 10, 0), 1, TimeUnit.MONTHS) == vn(2025, 2, 28, 10, 0)


@pytest.mark.django_db
def test_working_hours_across_a_holiday_and_time_zone() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    # Tue 29/4/2025 16:00 + 2 h: 16–17 (1 h), [30/4–4/5 off], Mon 5/5 8–9 -> 09:00.
    assert services.due_at(vn(2025, 4, 29, 16, 0), 2, TimeUnit.HOURS) == vn(2025, 5, 5, 9, 0)
    # Fri 25/4/2025 16:00 + 2 h: 16–17, then the make-up Saturday 26/4 8–9 -> Sat 09:00.
    assert services.due_at(vn(2025, 4, 25, 16, 0), 2, TimeUnit.HOURS) == vn(2025, 4, 26, 9, 0)
    # 24/4/2025 20:00 UTC is Fri 25/4 03:00 in Hanoi: + 5 -> 26/4, 28/4, 29/4, 5/5, 6/5 (Tue) 03:00.
    due = services.due_at(datetime(2025, 4, 24, 20, 0, tzinfo=UTC), 5, TimeUnit.WORKING_DAYS)
    assert due == vn(2025, 5, 6, 3, 0)
    assert due.tzinfo == VN_TZ


@pytest.mark.django_db
def test_property_working_days_land_on_the_nth_working_day_after_the_start() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    load_real_data()
    calendar = services.load_calendar()

    @settings(max_examples=300, deadline=None)
    @given(
        start=st.datetimes(
            min_value=datetime(2024, 1, 1),
            max_value=datetime(2027, 12, 31, 23, 59),
            timezones=st.sampled_from([VN_TZ, UTC]),
        ),
        n=st.integers(min_value=1, max_value=60),
    )
    def check(start: datetime, n: int) -> None:
        due = calendar.add_working_days(start, n)
        start_date = start.astimezone(VN_TZ).date()
        assert due.tzinfo == VN_TZ
        assert calendar.is_working_day(due.date())
        assert due.date() > start_date
        assert calendar.working_days_between(start_date, due.date()) == n
        assert due.time() == start.astimezone(VN_TZ).time()

    check()
