"""The importer (validation, idempotence, dry run), the command, and cache invalidation."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from motcua.calendar import services
from motcua.calendar.constants import TimeUnit
from motcua.calendar.models import CalendarDay, CalendarYear, DayKind, DayStatus
from motcua.core.clock import VN_TZ

HEADER = "ngay,nam,thu,ten,loai,ap_dung,can_cu,nguon,trang_thai,ghi_chu\n"


def empty_calendar() -> None:
    from motcua.calendar.models import CalendarDay, CalendarYear

    CalendarDay.objects.all().delete()
    CalendarYear.objects.all().delete()


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware datetime on the Hanoi wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def write_csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "calendar.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_malformed_rows_are_reported_with_line_numbers_and_skipped(tmp_path: Path) -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    path = write_csv(
        tmp_path,
        # line 2: good (2025-04-30 is a Wednesday = T4)
        "2025-04-30,2025,T4,Ngày Chiến thắng,nghi_le_tet,CBCCVC,BLLĐ Điều 112,https://example.org,chinh_thuc,\n"
        # line 3: impossible date
        "2025-02-30,2025,T2,X,nghi_le_tet,CBCCVC,,,chinh_thuc,\n"
        # line 4: unknown loai
        "2025-05-01,2025,T5,Quốc tế Lao động,nghi_le,CBCCVC,,,chinh_thuc,\n"
        # line 5: weekday label does not match (2025-05-02 is a Friday = T6)
        "2025-05-02,2025,T5,Hoán đổi,nghi_hoan_doi,CBCCVC,,,chinh_thuc,\n"
        # line 6: make-up working day on a weekday
        "2025-04-25,2025,T6,Làm bù,lam_bu,CBCCVC,,,chinh_thuc,\n"
        # line 7: good, with a note spanning two physical lines (lines 7–8)
        '2024-01-01,2024,T2,Tết Dương lịch,nghi_le_tet,CBCCVC,BLLĐ,,chinh_thuc,"dòng 1\ndòng 2"\n'
        # line 9: duplicate of line 2
        "2025-04-30,2025,T4,Ngày Chiến thắng,nghi_le_tet,CBCCVC,,,chinh_thuc,\n"
        # line 10: unknown status
        "2024-09-02,2024,T2,Quốc khánh,nghi_le_tet,CBCCVC,,,chinh_thuc_2,\n"
        # line 11: proposed loai with an official status
        "2026-11-24,2026,T3,Ngày Văn hóa,de_xuat,CBCCVC,,,chinh_thuc,\n"
        # line 12: year column disagrees with the date
        "2026-01-01,2025,T5,Tết Dương lịch,nghi_le_tet,CBCCVC,,,chinh_thuc,\n"
        # line 13: too many fields
        "2026-09-02,2026,T4,Quốc khánh,nghi_le_tet,CBCCVC,,,chinh_thuc,,extra\n",
    )
    report = services.import_official_days(path)

    assert [(r.line, r.reason.split(":")[0]) for r in report.rejected] == [
        (3, "ngay"),
        (4, "loai"),
        (5, "thu"),
        (6, "loai"),
        (9, "duplicate of line 2 (2025-04-30, holiday)"),
        (10, "trang_thai"),
        (11, "loai and trang_thai disagree on whether the day is only proposed (de_xuat)"),
        (12, "nam"),
        (13, "too many fields"),
    ]
    assert "'2025-02-30' is not a date" in report.rejected[0].reason
    assert "'nghi_le'" in report.rejected[1].reason
    assert "2025-05-02 is T6" in report.rejected[2].reason
    assert (report.rows, report.created) == (11, 2)
    assert sorted(CalendarDay.objects.values_list("date", flat=True)) == [date(2024, 1, 1), date(2025, 4, 30)]
    assert CalendarDay.objects.get(date=date(2024, 1, 1)).note == "dòng 1\ndòng 2"
    # 2025 and 2024 had rejected rows: no year becomes authoritative; nothing was guessed.
    assert report.years_marked == []
    assert report.years_not_marked == [2024, 2025]
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_missing_column_rejects_the_whole_file(tmp_path: Path) -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    path = tmp_path / "bad.csv"
    path.write_text("ngay,nam,ten\n2025-01-01,2025,Tết\n", encoding="utf-8")
    report = services.import_official_days(path)
    assert len(report.rejected) == 1
    assert report.rejected[0].line == 1
    assert "thu" in report.rejected[0].reason
    assert not CalendarDay.objects.exists()


@pytest.mark.django_db
def test_importing_twice_is_idempotent() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    first = services.import_official_days(services.default_data_path())
    second = services.import_official_days(services.default_data_path())
    assert (first.created, first.updated, first.unchanged) == (67, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 67)
    assert CalendarDay.objects.count() == 67
    assert list(CalendarYear.objects.values_list("year", "authoritative")) == [
        (2024, True),
        (2025, True),
        (2026, True),
    ]
    # Row kinds per the file's loai column (counted in the CSV).
    assert CalendarDay.objects.filter(kind=DayKind.MAKE_UP_WORKING_DAY).count() == 4
    assert CalendarDay.objects.filter(kind=DayKind.SWAPPED_DAY_OFF).count() == 4
    assert CalendarDay.objects.filter(kind=DayKind.COMPENSATORY_DAY_OFF).count() == 1
    assert CalendarDay.objects.filter(status=DayStatus.PROPOSED).count() == 1
    assert CalendarDay.objects.filter(status=DayStatus.DERIVED_FROM_LAW).count() == 6


@pytest.mark.django_db
def test_a_changed_row_in_the_file_updates_the_existing_row(tmp_path: Path) -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    row = "2025-04-30,2025,T4,Ngày Chiến thắng,nghi_le_tet,CBCCVC,BLLĐ Điều 112,,{status},\n"
    services.import_official_days(write_csv(tmp_path, row.format(status="tinh_theo_luat")))
    report = services.import_official_days(write_csv(tmp_path, row.format(status="chinh_thuc")))
    assert (report.created, report.updated) == (0, 1)
    assert CalendarDay.objects.get().status == DayStatus.OFFICIAL


@pytest.mark.django_db
def test_dry_run_writes_nothing() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    report = services.import_official_days(services.default_data_path(), dry_run=True)
    assert (report.created, report.years_marked) == (67, [2024, 2025, 2026])
    assert not CalendarDay.objects.exists()
    assert not CalendarYear.objects.exists()


@pytest.mark.django_db
def test_admin_closure_changes_a_deadline_immediately() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    services.import_official_days(services.default_data_path())
    received = vn(2025, 4, 24, 10, 0)
    assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 5, 10, 0)

    # Typhoon closure on Mon 28/4/2025 (as saved by the admin form): 25, 26, 29/4, 5/5, 6/5 -> Tue 6/5.
    closure = CalendarDay.objects.create(
        date=date(2025, 4, 28),
        kind=DayKind.CLOSURE,
        name="Nghỉ do bão",
        legal_basis="Công điện của UBND tỉnh",
    )
    assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 6, 10, 0)

    # Downgrading it to "proposed" through save() makes it ineffective again.
    closure.status = DayStatus.PROPOSED
    closure.save()
    assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 5, 10, 0)

    closure.delete()
    CalendarDay.objects.filter(date=date(2025, 4, 26)).delete()  # the make-up Saturday removed
    # 25, 28, 29/4, 5/5, 6/5 -> Tue 6/5.
    assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 6, 10, 0)


@pytest.mark.django_db
def test_cache_is_not_stale_after_a_rolled_back_transaction() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    services.import_official_days(services.default_data_path())
    received = vn(2025, 4, 24, 10, 0)
    with transaction.atomic():
        CalendarDay.objects.create(date=date(2025, 4, 28), kind=DayKind.CLOSURE, name="Nghỉ do bão")
        assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 6, 10, 0)
        transaction.set_rollback(True)
    assert services.due_at(received, 5, TimeUnit.WORKING_DAYS) == vn(2025, 5, 5, 10, 0)


@pytest.mark.django_db
def test_unchanged_data_reuses_the_cached_calendar() -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    CalendarDay.objects.create(date=date(2025, 4, 28), kind=DayKind.CLOSURE, name="Nghỉ do bão")
    assert services.load_calendar() is services.load_calendar()
    only_2025 = services.load_calendar([2025])
    assert not only_2025.is_working_day(date(2025, 4, 28))
    assert only_2025 is not services.load_calendar()


@pytest.mark.django_db
def test_load_calendar_command_prints_counts_and_rejections(tmp_path: Path) -> None:
    empty_calendar()  # the session database holds the real calendar; start clean
    out = io.StringIO()
    call_command("load_calendar", "--dry-run", stdout=out)
    assert "[dry run] holidays_2024_2026.csv: 67 rows read, 67 created" in out.getvalue()
    assert not CalendarDay.objects.exists()

    out = io.StringIO()
    call_command("load_calendar", stdout=out)
    assert "67 created, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    assert "Authoritative years: 2024, 2025, 2026." in out.getvalue()

    bad = write_csv(tmp_path, "2025-13-01,2025,T2,X,nghi_le_tet,CBCCVC,,,chinh_thuc,\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("load_calendar", "--path", str(bad), stdout=io.StringIO(), stderr=err)
    assert "line 2: ngay: '2025-13-01' is not a date" in err.getvalue()


def test_model_str() -> None:
    day = CalendarDay(date=date(2025, 9, 2), kind=DayKind.HOLIDAY, name="Quốc khánh")
    assert str(day) == "2025-09-02 Ngày nghỉ lễ, Tết / public holiday: Quốc khánh"
    assert str(CalendarYear(year=2025, authoritative=True)) == "2025 (authoritative)"
