"""The historical import (monitoring.history): CSV and XLSX, every validation class, all-or-nothing,
dry run, skip-invalid, the rejected-rows report, and the management command."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from motcua.agencies.services import add_agency
from motcua.catalogue.models import LevelScheme, OnlineMode, Procedure, ProcedureOffering
from motcua.core.clock import VN_TZ
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.monitoring import history, maintain
from motcua.monitoring.history import import_file
from motcua.monitoring.models import (
    DossierFact,
    HistoricalImport,
    ScopeDayCounts,
    ScopeOffer,
    ScopeProcedureDayCounts,
)

NINH_BINH = "000.00.00.H37"  # current province agency of the reference skeleton (valid_from empty)
NATION = "000.00.00.000"

DOSSIER_HEADER = (
    "code",
    "procedure_code",
    "competent_agency_code",
    "receiving_agency_code",
    "channel",
    "received_at",
    "due_at",
    "resolved_at",
    "returned_at",
    "finished_at",
    "status",
    "delivery",
    "supplement_count",
    "paid_online",
    "fee",
    "reused",
    "digitized",
    "population_data",
    "e_result",
    "satisfaction",
    "applicant_name",
)


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    delimiter: str = ",",
    bom: bool = False,
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def dossier_rows(rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[row.get(column, "") for column in DOSSIER_HEADER] for row in rows]


def procedure_codes(n: int) -> list[str]:
    return list(Procedure.objects.order_by("national_code").values_list("national_code", flat=True)[:n])


def a_returned_row(code: str, procedure: str, /, **changes: Any) -> dict[str, Any]:
    row = {
        "code": code,
        "procedure_code": procedure,
        "competent_agency_code": NINH_BINH,
        "channel": "online",
        "received_at": "2024-03-04 08:30",
        "due_at": "2024-03-11",
        "resolved_at": "2024-03-08 10:00",
        "returned_at": "2024-03-09 09:00",
        "status": "returned",
        "delivery": "post",
        "supplement_count": "1",
        "paid_online": "1",
        "fee": "50.000",
        "satisfaction": "hài lòng",
    }
    row.update(changes)
    return row


def rejected_report(path: Path) -> list[dict[str, str]]:
    with history.rejected_report_path(path).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def codes_of(batch: HistoricalImport) -> set[tuple[int, str]]:
    return {(r["row"], r["code"]) for r in batch.rejected}


# -- dossiers: the happy paths --------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_dossiers_are_written_with_their_timestamps_and_one_import_event(
    reference_data: None, tmp_path: Path
) -> None:
    # given three dossiers of an old system: returned, refused, still in progress
    first, second = procedure_codes(2)
    path = write_csv(
        tmp_path / "dossiers.csv",
        DOSSIER_HEADER,
        dossier_rows(
            [
                a_returned_row("OLD-1", first),
                {
                    "code": "OLD-2",
                    "procedure_code": second,
                    "competent_agency_code": NINH_BINH,
                    "channel": "trực tiếp",
                    "received_at": "05/03/2024 14:00",
                    "due_at": "15/03/2024",
                    "resolved_at": "12/03/2024 16:00",
                    "status": "từ chối giải quyết",
                },
                {
                    "code": "OLD-3",
                    "procedure_code": second,
                    "competent_agency_code": NINH_BINH,
                    "channel": "kiosk",
                    "received_at": "2024-03-06",
                    "due_at": "2024-03-20",
                    "status": "processing",
                },
            ]
        ),
    )

    # when it is imported
    batch = import_file(path, "dossiers")

    # then the three dossiers exist with the timestamps the brief lists
    assert (batch.status, batch.rows_total, batch.rows_imported, batch.rows_rejected) == ("done", 3, 3, 0)
    returned = Dossier.objects.get(code="OLD-1")
    received = datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)
    assert returned.accepted_at == returned.clock_started_at == received
    assert returned.system_received_at == returned.submitted_at == received
    due_end_of_day = datetime(2024, 3, 11, 23, 59, 59, tzinfo=VN_TZ)
    assert returned.original_due_at == returned.due_at == due_end_of_day
    assert returned.resolved_at == datetime(2024, 3, 8, 10, tzinfo=VN_TZ)
    assert returned.returned_at == returned.finished_at == datetime(2024, 3, 9, 9, tzinfo=VN_TZ)
    assert (returned.status, returned.channel, returned.delivery_method) == ("returned", "online", "post")
    assert returned.applicant_name == "(dữ liệu lịch sử)"
    assert returned.supplement_count == 1
    assert (
        returned.receiving_agency_id == returned.competent_agency_id == Agency.objects.get(code=NINH_BINH).pk
    )
    refused = Dossier.objects.get(code="OLD-2")
    assert (refused.status, refused.channel) == ("refused", "in_person")
    assert refused.resolved_at is None  # as dossiers.workflow leaves it for a refusal
    assert refused.finished_at == datetime(2024, 3, 12, 16, tzinfo=VN_TZ)
    running = Dossier.objects.get(code="OLD-3")
    assert running.finished_at is None
    assert running.resolved_at is None
    assert running.returned_at is None
    assert running.accepted_at == datetime(2024, 3, 6, tzinfo=VN_TZ)

    # and each has exactly one import event carrying the old system's flags
    events = list(DossierEvent.objects.filter(dossier=returned))
    assert len(events) == 1
    event = events[0]
    assert (event.sequence, event.action, event.from_status, event.to_status) == (1, "import", "", "returned")
    assert event.actor_id is None
    assert event.at == received
    assert event.agency_id == returned.competent_agency_id
    assert event.payload == {
        "batch": batch.pk,
        "flags": {
            "paid_online": True,
            "fee": "50000",
            "reused": False,
            "digitized": False,
            "population_data": False,
            "e_result": False,
        },
        "supplement_count": 1,
        "satisfaction": "satisfied",
    }
    assert DossierEvent.objects.filter(dossier__code__in=["OLD-2", "OLD-3"]).count() == 2
    assert set(history.imported_dossiers(batch)) == set(
        Dossier.objects.filter(code__startswith="OLD-").values_list("pk", flat=True)
    )
    # and monitoring derived their facts in the same transaction
    assert DossierFact.objects.filter(dossier__code__startswith="OLD-").count() == 3
    assert not history.rejected_report_path(path).exists()


@pytest.mark.django_db
def test_xlsx_with_vietnamese_headers_and_typed_cells(reference_data: None, tmp_path: Path) -> None:
    # given an Excel sheet with Vietnamese headers, real date cells, numbers and an unknown "STT" column
    (procedure,) = procedure_codes(1)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        [
            "STT",
            "Mã hồ sơ",
            "Mã thủ tục",
            "Mã cơ quan giải quyết",
            "Kênh nộp",
            "Ngày tiếp nhận",
            "Ngày hẹn trả",
            "Ngày có kết quả",
            "Ngày trả kết quả",
            "Trạng thái",
            "Hình thức nhận kết quả",
            "Lệ phí",
            "Số hóa",
            "Dữ liệu dân cư",
            "Kết quả điện tử",
            "Tái sử dụng",
            "Mức độ hài lòng",
            "Tên người nộp",
        ]
    )
    sheet.append(
        [
            1,
            "XL-1",
            procedure,
            NINH_BINH,
            "Trực tuyến",
            datetime(2023, 5, 2, 9, 15),
            datetime(2023, 5, 9),
            datetime(2023, 5, 8, 15, 0),
            datetime(2023, 5, 8, 16, 0),
            "Đã trả kết quả",
            "Trực tuyến",
            30000,
            1,
            1,
            1,
            0,
            "Rất hài lòng",
            "Nguyễn Văn A",
        ]
    )
    path = tmp_path / "dossiers.xlsx"
    book.save(path)

    # when it is imported
    batch = import_file(path, "dossiers")

    # then the typed cells were read as local times, amounts and flags
    assert batch.status == "done", batch.rejected
    dossier = Dossier.objects.get(code="XL-1")
    assert dossier.accepted_at == datetime(2023, 5, 2, 9, 15, tzinfo=VN_TZ)
    assert dossier.due_at == datetime(2023, 5, 9, 23, 59, 59, tzinfo=VN_TZ)
    assert (dossier.channel, dossier.delivery_method, dossier.applicant_name) == (
        "online",
        "online",
        "Nguyễn Văn A",
    )
    payload = DossierEvent.objects.get(dossier=dossier).payload
    assert payload["flags"] == {
        "paid_online": False,
        "fee": "30000",
        "reused": False,
        "digitized": True,
        "population_data": True,
        "e_result": True,
    }
    assert payload["satisfaction"] == "very_satisfied"


@pytest.mark.django_db
def test_csv_with_bom_semicolons_and_bilingual_headers(reference_data: None, tmp_path: Path) -> None:
    # given a CSV saved by Excel: BOM, semicolons, headers "Vietnamese (English)", dd/mm/yyyy dates
    (procedure,) = procedure_codes(1)
    header = [
        "Mã hồ sơ (code)",
        "Mã TTHC / procedure_code",
        "Cơ quan giải quyết",
        "Hình thức nộp",
        "Ngày tiếp nhận",
        "Hạn giải quyết",
        "Ngày giải quyết",
        "Tình trạng",
        "Phí",
    ]
    rows = [
        [
            "BOM-1",
            procedure,
            NINH_BINH,
            "bưu chính",
            "02/01/2021 07:45",
            "10/01/2021",
            "08/01/2021",
            "đã giải quyết",
            "1,5",
        ]
    ]
    path = write_csv(tmp_path / "excel.csv", header, rows, delimiter=";", bom=True)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    # when it is imported
    batch = import_file(path, "dossiers")

    # then the BOM and the semicolons did not get in the way
    assert batch.status == "done", batch.rejected
    dossier = Dossier.objects.get(code="BOM-1")
    assert (dossier.channel, dossier.status) == ("postal", "resolved")
    assert dossier.accepted_at == datetime(2021, 1, 2, 7, 45, tzinfo=VN_TZ)
    assert dossier.resolved_at == datetime(2021, 1, 8, tzinfo=VN_TZ)
    assert dossier.finished_at is None  # resolved, not yet returned: as the workflow leaves it
    assert DossierEvent.objects.get(dossier=dossier).payload["flags"]["fee"] == "1.5"


@pytest.mark.django_db
def test_a_date_with_an_offset_is_kept_as_that_instant(reference_data: None, tmp_path: Path) -> None:
    (procedure,) = procedure_codes(1)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row("TZ-1", procedure, received_at="2024-03-04T01:30:00Z")]),
    )
    assert import_file(path, "dossiers").status == "done"
    assert Dossier.objects.get(code="TZ-1").accepted_at == datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)


# -- dossiers: validation --------------------------------------------------------------------------------

FUTURE = (datetime.now(tz=VN_TZ).date() + timedelta(days=30)).isoformat()

DOSSIER_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, changes to a valid returned row, column at fault, error code)
    ("empty code", {"code": ""}, "code", "required"),
    ("code too long", {"code": "X" * 65}, "code", "too_long"),
    ("unknown procedure", {"procedure_code": "9.999999"}, "procedure_code", "unknown_procedure"),
    (
        "unknown competent agency",
        {"competent_agency_code": "NO.SUCH"},
        "competent_agency_code",
        "unknown_agency",
    ),
    (
        "unknown receiving agency",
        {"receiving_agency_code": "NO.SUCH"},
        "receiving_agency_code",
        "unknown_agency",
    ),
    ("bad channel", {"channel": "fax"}, "channel", "invalid_choice"),
    ("empty received", {"received_at": ""}, "received_at", "required"),
    ("bad received", {"received_at": "31/02/2024"}, "received_at", "invalid_date"),
    ("text as date", {"due_at": "next week"}, "due_at", "invalid_date"),
    ("empty due", {"due_at": ""}, "due_at", "required"),
    ("bad status", {"status": "lost"}, "status", "invalid_choice"),
    ("bad delivery", {"delivery": "pigeon"}, "delivery", "invalid_choice"),
    ("bad count", {"supplement_count": "-1"}, "supplement_count", "invalid_count"),
    ("fractional count", {"supplement_count": "1.5"}, "supplement_count", "invalid_count"),
    ("bad flag", {"paid_online": "maybe"}, "paid_online", "invalid_flag"),
    ("bad amount", {"fee": "năm mươi"}, "fee", "invalid_amount"),
    ("negative amount", {"fee": "-5"}, "fee", "invalid_amount"),
    ("bad satisfaction", {"satisfaction": "so-so"}, "satisfaction", "invalid_choice"),
    (
        "received in the future",
        {
            "received_at": FUTURE,
            "due_at": FUTURE,
            "resolved_at": "",
            "returned_at": "",
            "status": "processing",
        },
        "received_at",
        "date_in_future",
    ),
    ("returned in the future", {"returned_at": FUTURE}, "returned_at", "date_in_future"),
    ("due before received", {"due_at": "2024-03-01"}, "due_at", "due_before_received"),
    ("resolved before received", {"resolved_at": "2024-03-01"}, "resolved_at", "before_received"),
    (
        "returned before resolved",
        {"returned_at": "2024-03-08 09:00"},
        "returned_at",
        "returned_before_resolved",
    ),
    ("returned without return date", {"returned_at": ""}, "returned_at", "status_needs_date"),
    (
        "resolved without resolution date",
        {"status": "resolved", "resolved_at": "", "returned_at": ""},
        "resolved_at",
        "status_needs_date",
    ),
    ("resolved with a return date", {"status": "resolved"}, "returned_at", "status_forbids_date"),
    (
        "refused without end date",
        {"status": "refused", "resolved_at": "", "returned_at": ""},
        "finished_at",
        "status_needs_date",
    ),
    ("withdrawn with a return date", {"status": "withdrawn"}, "returned_at", "status_forbids_date"),
    (
        "stopped with two end dates",
        {"status": "stopped", "returned_at": "", "finished_at": "2024-03-07"},
        "finished_at",
        "end_dates_differ",
    ),
    (
        "processing with a result",
        {"status": "processing", "returned_at": "", "satisfaction": ""},
        "resolved_at",
        "status_forbids_date",
    ),
    (
        "rated while in progress",
        {"status": "processing", "resolved_at": "", "returned_at": ""},
        "satisfaction",
        "satisfaction_in_progress",
    ),
    (
        "agency not yet in force",
        {"competent_agency_code": "TEST.NEW"},
        "competent_agency_code",
        "agency_not_in_force",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "changes", "column", "code"), DOSSIER_CASES, ids=[c[0] for c in DOSSIER_CASES]
)
def test_each_dossier_error_is_reported_on_its_row_and_column(
    reference_data: None, tmp_path: Path, case: str, changes: dict[str, Any], column: str, code: str
) -> None:
    # given a file whose second data row breaks one rule (an agency created on 1/7/2025 exists for one case)
    created = add_agency(code="TEST.NEW", name="Created after the reform", kind=AgencyKind.COMMUNE)
    Agency.objects.filter(pk=created.pk).update(valid_from=date(2025, 7, 1))
    first, second = procedure_codes(2)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row("OK-1", first), a_returned_row("BAD-1", second, **changes)]),
    )

    # when it is imported
    batch = import_file(path, "dossiers")

    # then nothing is written, and the message names row 3 and the column, in Vietnamese and English
    assert batch.status == "rejected"
    assert (batch.rows_total, batch.rows_rejected, batch.rows_imported) == (2, 1, 0)
    assert (3, code) in codes_of(batch), batch.rejected
    message = next(r for r in batch.rejected if r["code"] == code)
    assert message["column"] == column
    assert message["message_vi"]
    assert message["message_en"]
    assert message["message_vi"] != message["message_en"]
    assert not Dossier.objects.filter(code__in=["OK-1", "BAD-1"]).exists()


@pytest.mark.django_db
def test_a_code_twice_in_the_file_is_refused_on_the_second_row(reference_data: None, tmp_path: Path) -> None:
    first, second = procedure_codes(2)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row("TWICE", first), a_returned_row("TWICE", second)]),
    )
    batch = import_file(path, "dossiers")
    assert batch.status == "rejected"
    assert codes_of(batch) == {(3, "duplicate_code")}
    assert "dòng 2" in batch.rejected[0]["message_vi"]
    assert "row 2" in batch.rejected[0]["message_en"]


@pytest.mark.django_db
def test_importing_the_same_file_twice_imports_nothing_twice(reference_data: None, tmp_path: Path) -> None:
    # given a file already imported
    first, second = procedure_codes(2)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row("AGAIN-1", first), a_returned_row("AGAIN-2", second)]),
    )
    assert import_file(path, "dossiers").status == "done"

    # when it is imported again
    again = import_file(path, "dossiers")

    # then every row is refused as already there, and no dossier is doubled
    assert again.status == "rejected"
    assert codes_of(again) == {(2, "dossier_exists"), (3, "dossier_exists")}
    assert Dossier.objects.filter(code__startswith="AGAIN-").count() == 2
    assert DossierEvent.objects.filter(dossier__code__startswith="AGAIN-").count() == 2
    # and even with --skip-invalid nothing is added
    assert import_file(path, "dossiers", skip_invalid=True).status == "rejected"
    assert Dossier.objects.filter(code__startswith="AGAIN-").count() == 2


@pytest.mark.django_db
def test_one_bad_row_makes_the_whole_import_write_nothing(reference_data: None, tmp_path: Path) -> None:
    # given 50 valid rows and one with an unknown procedure in the middle
    (procedure,) = procedure_codes(1)
    rows = [a_returned_row(f"ALL-{i}", procedure) for i in range(50)]
    rows.insert(25, a_returned_row("ALL-BAD", "0.000000"))
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows(rows))

    # when it is imported
    batch = import_file(path, "dossiers")

    # then not one dossier, event or fact was written; the attempt itself is recorded
    assert batch.status == "rejected"
    assert (batch.rows_total, batch.rows_rejected, batch.rows_imported) == (51, 1, 0)
    assert not Dossier.objects.filter(code__startswith="ALL-").exists()
    assert not DossierEvent.objects.filter(action="import").exists()
    assert HistoricalImport.objects.filter(pk=batch.pk, status="rejected").exists()
    # and the rejected-rows report lies next to the file
    report = rejected_report(path)
    assert report == [
        {
            "row": "27",
            "column": "procedure_code",
            "message_vi": "Không có thủ tục mã '0.000000' trong hệ thống.",
            "message_en": "No procedure with code '0.000000' exists.",
        }
    ]


@pytest.mark.django_db
def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(
    reference_data: None, tmp_path: Path
) -> None:
    # given three rows of which the second has two faults
    first, second = procedure_codes(2)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows(
            [
                a_returned_row("SKIP-1", first),
                a_returned_row("SKIP-2", second, channel="fax", received_at="not a date"),
                a_returned_row("SKIP-3", second),
            ]
        ),
    )

    # when imported with skip_invalid
    batch = import_file(path, "dossiers", skip_invalid=True)

    # then the two valid rows went in and the bad row is reported once per fault
    assert batch.status == "done"
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (3, 2, 1)
    assert set(Dossier.objects.filter(code__startswith="SKIP-").values_list("code", flat=True)) == {
        "SKIP-1",
        "SKIP-3",
    }
    assert codes_of(batch) == {(3, "invalid_choice"), (3, "invalid_date")}
    assert {(r["row"], r["column"]) for r in rejected_report(path)} == {
        ("3", "channel"),
        ("3", "received_at"),
    }


@pytest.mark.django_db
def test_dry_run_validates_and_writes_nothing_but_the_record(reference_data: None, tmp_path: Path) -> None:
    (procedure,) = procedure_codes(1)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row("DRY-1", procedure), a_returned_row("DRY-2", procedure, status="lost")]),
    )
    before = (Dossier.objects.count(), DossierEvent.objects.count(), DossierFact.objects.count())

    batch = import_file(path, "dossiers", dry_run=True)

    assert (batch.status, batch.dry_run, batch.rows_total, batch.rows_rejected, batch.rows_imported) == (
        "dry_run",
        True,
        2,
        1,
        0,
    )
    assert (Dossier.objects.count(), DossierEvent.objects.count(), DossierFact.objects.count()) == before
    assert HistoricalImport.objects.filter(pk=batch.pk).exists()
    assert [r["row"] for r in rejected_report(path)] == ["3"]


@pytest.mark.django_db
def test_a_failure_while_writing_rolls_everything_back(
    reference_data: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the monitoring counters (written in the same transaction) break
    def broken(self: Any) -> None:
        raise RuntimeError("counters failed")

    monkeypatch.setattr(maintain._Accumulator, "flush", broken)
    (procedure,) = procedure_codes(1)
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows([a_returned_row("ROLL-1", procedure)]))

    # when the import runs, the error surfaces
    with pytest.raises(RuntimeError, match="counters failed"):
        import_file(path, "dossiers")

    # then the dossiers written before the counters were rolled back with them, and the attempt says "failed"
    assert not Dossier.objects.filter(code="ROLL-1").exists()
    assert not DossierFact.objects.exists()
    assert HistoricalImport.objects.get(file_name="d.csv").status == "failed"


def varied_rows(procedures: Sequence[str], other_agency: str) -> list[dict[str, Any]]:
    """Dossiers in every status, channel and delivery, early, on time and late, with and without time of
    day, flags, fees, supplement requests and ratings, received elsewhere than their competent agency,
    of procedures offered at level 4, 3, 2 or not offered at all."""
    statuses: list[dict[str, Any]] = [
        {},  # returned
        {"status": "resolved", "returned_at": "", "resolved_at": "2024-03-11 17:00"},
        {"status": "refused", "returned_at": "", "resolved_at": "", "finished_at": "2024-03-06"},
        {"status": "stopped", "returned_at": "", "resolved_at": "", "finished_at": "2024-03-20 08:00"},
        {"status": "withdrawn", "returned_at": "", "resolved_at": "2024-03-05 10:00"},
        {"status": "processing", "returned_at": "", "resolved_at": "", "satisfaction": ""},
        {"status": "accepted", "returned_at": "", "resolved_at": "", "satisfaction": ""},
        {"status": "supplement_requested", "returned_at": "", "resolved_at": "", "satisfaction": ""},
        {"resolved_at": "2024-03-12 08:00", "returned_at": "2024-03-13"},  # late
        {"resolved_at": "2024-03-11 16:00", "returned_at": "2024-03-11 16:30"},  # on the due day
        {"received_at": "2024-02-08", "due_at": "2024-02-20", "resolved_at": "2024-02-19"},  # over Tết
    ]
    channels = ["online", "in_person", "postal", "kiosk"]
    deliveries = ["online", "counter", "post", ""]
    flags = ["paid_online", "reused", "digitized", "population_data", "e_result"]
    satisfactions = ["rất hài lòng", "hài lòng", "không hài lòng", ""]
    rows = []
    for i in range(66):
        changes: dict[str, Any] = {
            "channel": channels[i % 4],
            "delivery": deliveries[i % 3 if i % 5 else 3],
            "supplement_count": str(i % 3),
            "fee": ["50.000", "", "0"][i % 3],
            "satisfaction": satisfactions[i % 4],
        }
        changes.update({flag: str((i >> n) & 1) for n, flag in enumerate(flags)})
        changes.update(statuses[i % len(statuses)])
        if i % 7 == 0:
            changes["receiving_agency_code"] = other_agency
        if i % 6 == 0:
            changes["competent_agency_code"] = other_agency
        rows.append(a_returned_row(f"SAME-{i:02d}", procedures[i % len(procedures)], **changes))
    return rows


def monitoring_rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every fact and every counter row, comparable across two computations."""
    return {
        model.__name__: sorted(
            tuple(row[f.attname] for f in model._meta.concrete_fields if f.attname != "id")
            for row in model.objects.values(*(f.attname for f in model._meta.concrete_fields))
        )
        for model in (DossierFact, ScopeDayCounts, ScopeProcedureDayCounts)
    }


@pytest.mark.django_db
def test_imported_facts_and_counters_equal_a_rebuild_through_the_reference_path(
    reference_data: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given offerings at level 4, 3 and 2 (a fourth procedure offered nowhere), and counters that are
    # flushed after every chunk of three dossiers
    procedures = procedure_codes(4)
    offerings = [[NINH_BINH, code, str(level)] for code, level in zip(procedures, (4, 3, 2), strict=False)]
    levels = write_csv(tmp_path / "levels.csv", ("agency_code", "procedure_code", "level"), offerings)
    assert import_file(levels, "offerings").status == "done"
    other = Agency.objects.filter(parent__code=NINH_BINH, valid_from__isnull=True).order_by("code").first()
    assert other is not None
    monkeypatch.setattr(history, "DOSSIER_CHUNK", 3)
    monkeypatch.setattr(history, "FLUSH_KEYS", 1)
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows(varied_rows(procedures, other.code)))

    # when the dossiers are imported through the import's own derivation and counting
    batch = import_file(path, "dossiers")
    assert (batch.status, batch.rows_imported) == ("done", 66), batch.rejected[:3]
    imported_rows = monitoring_rows()

    # then recomputing everything through maintain.refresh_dossiers' path gives exactly the same rows
    assert maintain.rebuild() == 66
    rebuilt = monitoring_rows()
    assert len(imported_rows["DossierFact"]) == 66
    assert imported_rows == rebuilt


# -- file-level problems ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_missing_and_repeated_columns_reject_the_whole_file(reference_data: None, tmp_path: Path) -> None:
    (procedure,) = procedure_codes(1)
    path = write_csv(
        tmp_path / "d.csv",
        ["code", "Mã hồ sơ", "procedure_code", "channel", "received_at", "due_at", "status"],
        [["H-1", "H-1", procedure, "online", "2024-01-02", "2024-01-05", "processing"]],
    )
    batch = import_file(path, "dossiers", skip_invalid=True)
    assert batch.status == "rejected"
    assert (batch.rows_total, batch.rows_rejected) == (1, 1)
    assert codes_of(batch) == {(1, "duplicate_column"), (1, "missing_column")}
    assert [r["column"] for r in batch.rejected if r["code"] == "missing_column"] == ["competent_agency_code"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty_file"),
        (b"code,procedure_code,competent_agency_code,channel,received_at,due_at,status\n", "no_rows"),
        ("code,procedure_code\nhồ sơ,1\n".encode("utf-16"), "import_not_utf8"),
    ],
    ids=["empty", "header only", "not utf-8"],
)
def test_unusable_files_are_refused_and_recorded(
    reference_data: None, tmp_path: Path, content: bytes, code: str
) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(content)
    batch = import_file(path, "dossiers")
    assert batch.status == "rejected"
    assert [r["code"] for r in batch.rejected] == [code]


@pytest.mark.django_db
def test_a_file_named_xlsx_that_is_no_workbook_is_refused(reference_data: None, tmp_path: Path) -> None:
    path = tmp_path / "d.xlsx"
    path.write_text("code,procedure_code\n", encoding="utf-8")
    batch = import_file(path, "dossiers")
    assert batch.status == "rejected"
    assert [(r["row"], r["code"]) for r in batch.rejected] == [(0, "import_not_xlsx")]


@pytest.mark.django_db
def test_wrong_kind_type_or_missing_file_raise_before_anything(reference_data: None, tmp_path: Path) -> None:
    csv_file = write_csv(tmp_path / "d.csv", ["code"], [["x"]])
    (tmp_path / "d.txt").write_text("code\nx\n", encoding="utf-8")
    with pytest.raises(DomainError) as kind:
        import_file(csv_file, "payments")
    with pytest.raises(DomainError) as file_type:
        import_file(tmp_path / "d.txt", "dossiers")
    with pytest.raises(DomainError) as missing:
        import_file(tmp_path / "nothing.csv", "dossiers")
    assert (kind.value.code, file_type.value.code, missing.value.code) == (
        "import_kind",
        "import_file_type",
        "import_file_missing",
    )
    assert not HistoricalImport.objects.exists()


@pytest.mark.django_db
def test_a_stale_rejected_report_is_removed_by_a_clean_run(reference_data: None, tmp_path: Path) -> None:
    (procedure,) = procedure_codes(1)
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows([a_returned_row("S-1", "0.0")]))
    import_file(path, "dossiers", dry_run=True)
    assert history.rejected_report_path(path).exists()
    write_csv(path, DOSSIER_HEADER, dossier_rows([a_returned_row("S-1", procedure)]))
    assert import_file(path, "dossiers").status == "done"
    assert not history.rejected_report_path(path).exists()


# -- agencies ---------------------------------------------------------------------------------------------

AGENCY_HEADER = ("code", "name", "kind", "parent_code", "valid_from", "valid_to", "admin_unit_code")


def old_commune_code_reused_after_2025() -> str:
    """A commune code that names one unit before 1/7/2025 and another after (codes are reused)."""
    old = set(
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=False).values_list(
            "code", flat=True
        )
    )
    new = set(
        AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )
    return sorted(old & new)[0]


@pytest.mark.django_db
def test_historical_agencies_are_created_in_the_tree_in_any_row_order(
    reference_data: None, tmp_path: Path
) -> None:
    # given the old Hà Nam province, a district and a commune of it; the children come before their parent
    commune_code = old_commune_code_reused_after_2025()
    path = write_csv(
        tmp_path / "agencies.csv",
        AGENCY_HEADER,
        [
            ["H35.XA", "UBND xã (cũ)", "xã", "H35.PL", "", "2025-06-30", commune_code],
            ["H35.PL", "UBND thành phố Phủ Lý", "huyện", "000.00.00.H35", "01/01/1997", "30/06/2025", ""],
            ["000.00.00.H35", "UBND tỉnh Hà Nam", "province", NATION, "1997-01-01", "2025-06-30", "35"],
        ],
    )

    # when imported
    batch = import_file(path, "agencies")

    # then the tree is right (path and depth through add_agency) and the units are those of before 2025
    assert (batch.status, batch.rows_imported) == ("done", 3), batch.rejected
    nation = Agency.objects.get(code=NATION)
    ha_nam = Agency.objects.get(code="000.00.00.H35")
    assert (ha_nam.parent_id, ha_nam.depth, ha_nam.path) == (nation.pk, 1, f"{nation.path}{ha_nam.pk}/")
    assert (ha_nam.kind, ha_nam.valid_from, ha_nam.valid_to) == (
        "province",
        date(1997, 1, 1),
        date(2025, 6, 30),
    )
    assert ha_nam.admin_unit is not None
    assert (ha_nam.admin_unit.code, ha_nam.admin_unit.valid_to) == ("35", date(2025, 6, 30))
    district = Agency.objects.get(code="H35.PL")
    assert (district.kind, district.depth, district.parent_id) == ("district", 2, ha_nam.pk)
    assert district.admin_unit is None
    commune = Agency.objects.get(code="H35.XA")
    assert (commune.kind, commune.depth) == ("commune", 3)
    assert commune.path.startswith(district.path)
    assert commune.is_within(ha_nam)
    assert commune.admin_unit is not None
    assert (commune.admin_unit.code, commune.admin_unit.valid_to) == (commune_code, date(2025, 6, 30))


AGENCY_CASES: list[tuple[str, list[Any], str, str]] = [
    ("existing code", [NINH_BINH, "x", "province", NATION, "", "", ""], "code", "agency_exists"),
    ("empty name", ["T.1", "", "department", NATION, "", "", ""], "name", "required"),
    ("bad kind", ["T.1", "x", "hamlet", NATION, "", "", ""], "kind", "invalid_choice"),
    ("own parent", ["T.1", "x", "department", "T.1", "", "", ""], "parent_code", "parent_is_self"),
    ("unknown parent", ["T.1", "x", "department", "NO.SUCH", "", "", ""], "parent_code", "unknown_parent"),
    (
        "dates reversed",
        ["T.1", "x", "department", NATION, "2020-01-01", "2019-01-01", ""],
        "valid_to",
        "dates_out_of_order",
    ),
    ("district still open", ["T.1", "x", "district", NATION, "", "", ""], "valid_to", "district_after_2025"),
    (
        "district after reform",
        ["T.1", "x", "district", NATION, "", "2025-12-31", ""],
        "valid_to",
        "district_after_2025",
    ),
    (
        "unknown unit",
        ["T.1", "x", "province", NATION, "", "2025-06-30", "99"],
        "admin_unit_code",
        "unknown_admin_unit",
    ),
    (
        "old unit, agency open",
        ["T.1", "x", "province", NATION, "", "", "35"],
        "admin_unit_code",
        "admin_unit_not_in_force",
    ),
    ("bad date", ["T.1", "x", "department", NATION, "1/13/2020", "", ""], "valid_from", "invalid_date"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "row", "column", "code"), AGENCY_CASES, ids=[c[0] for c in AGENCY_CASES])
def test_each_agency_error_is_reported(
    reference_data: None, tmp_path: Path, case: str, row: list[Any], column: str, code: str
) -> None:
    path = write_csv(
        tmp_path / "a.csv", AGENCY_HEADER, [["OK.1", "ok", "department", NATION, "", "", ""], row]
    )
    batch = import_file(path, "agencies")
    assert batch.status == "rejected"
    assert (3, code) in codes_of(batch), batch.rejected
    assert next(r for r in batch.rejected if r["code"] == code)["column"] == column
    assert not Agency.objects.filter(code__in=["OK.1", "T.1"]).exists()


@pytest.mark.django_db
def test_agency_duplicates_rejected_parents_and_cycles(reference_data: None, tmp_path: Path) -> None:
    # given a repeated code, a child whose parent row is bad, and two agencies parenting each other
    path = write_csv(
        tmp_path / "a.csv",
        AGENCY_HEADER,
        [
            ["D.1", "first", "department", NATION, "", "", ""],
            ["D.1", "again", "department", NATION, "", "", ""],
            ["P.BAD", "bad parent", "nowhere", NATION, "", "", ""],
            ["P.CHILD", "child", "department", "P.BAD", "", "", ""],
            ["P.GRANDCHILD", "grandchild", "department", "P.CHILD", "", "", ""],
            ["C.1", "cycle one", "department", "C.2", "", "", ""],
            ["C.2", "cycle two", "department", "C.1", "", "", ""],
        ],
    )

    # when imported with skip_invalid
    batch = import_file(path, "agencies", skip_invalid=True)

    # then only the first D.1 is created; the rest is reported with its reason
    assert batch.status == "done"
    assert batch.rows_imported == 1
    assert list(
        Agency.objects.filter(code__in=["D.1", "P.BAD", "P.CHILD", "P.GRANDCHILD", "C.1", "C.2"]).values_list(
            "code", flat=True
        )
    ) == ["D.1"]
    assert codes_of(batch) == {
        (3, "duplicate_code"),
        (4, "invalid_choice"),
        (5, "parent_rejected"),
        (6, "parent_rejected"),
        (7, "parent_cycle"),
        (8, "parent_cycle"),
    }


# -- offerings --------------------------------------------------------------------------------------------

OFFERING_HEADER = (
    "agency_code",
    "procedure_code",
    "level",
    "online_mode",
    "partial_reason",
    "valid_from",
    "valid_to",
    "local_code",
)


@pytest.mark.django_db
def test_levels_map_to_online_modes_and_the_scope_catalogue_follows(
    reference_data: None, tmp_path: Path
) -> None:
    # given one procedure at each Decree 43/2011 level, and one given by its online mode only
    one, two, three, four, mode_only = procedure_codes(5)
    path = write_csv(
        tmp_path / "o.csv",
        OFFERING_HEADER,
        [
            [NINH_BINH, one, "1", "", "", "", "", ""],
            [NINH_BINH, two, "Mức độ 2", "", "", "", "", ""],
            [NINH_BINH, three, "3", "", "", "", "", f"{three}.H37"],
            [NINH_BINH, four, "4", "toàn trình", "", "2019-01-01", "", ""],
            [NINH_BINH, mode_only, "", "một phần", "Phải có mặt để đối chiếu", "2023-01-01", "", ""],
        ],
    )

    # when imported
    batch = import_file(path, "offerings")

    # then level 4 is full, level 3 partial with its documented reason, 1–2 not online (spec §1.3 DESIGN)
    assert (batch.status, batch.rows_imported) == ("done", 5), batch.rejected
    agency = Agency.objects.get(code=NINH_BINH)
    got = {
        o.procedure.national_code: (o.historical_level, o.online_mode, o.level_scheme, o.partial_reason)
        for o in ProcedureOffering.objects.filter(agency=agency).select_related("procedure")
    }
    nd43 = LevelScheme.ND43_2011.value
    assert got[one] == (1, OnlineMode.NONE, nd43, "")
    assert got[two] == (2, OnlineMode.NONE, nd43, "")
    assert got[three] == (3, OnlineMode.PARTIAL, nd43, "Mức độ 3 (Nghị định 43/2011)")
    assert got[four] == (4, OnlineMode.FULL, nd43, "")
    assert got[mode_only] == (
        None,
        OnlineMode.PARTIAL,
        LevelScheme.ND42_2022.value,
        "Phải có mặt để đối chiếu",
    )
    assert (
        ProcedureOffering.objects.get(agency=agency, procedure__national_code=three).local_code
        == f"{three}.H37"
    )
    # and the scope catalogue of monitoring (refresh_offers) knows the levels, up to the nation
    nation = Agency.objects.get(code=NATION)
    levels = dict(
        ScopeOffer.objects.filter(
            scope=nation, procedure__national_code__in=[one, two, three, four]
        ).values_list("procedure__national_code", "historical_level")
    )
    assert levels == {one: 1, two: 2, three: 3, four: 4}


@pytest.mark.django_db
def test_offerings_are_upserted(reference_data: None, tmp_path: Path) -> None:
    # given an offering already there with a local code
    (code,) = procedure_codes(1)
    agency = Agency.objects.get(code=NINH_BINH)
    procedure = Procedure.objects.get(national_code=code)
    ProcedureOffering.objects.create(
        agency=agency, procedure=procedure, local_code="KEEP", online_mode="none"
    )
    path = write_csv(tmp_path / "o.csv", OFFERING_HEADER, [[NINH_BINH, code, "4", "", "", "", "", ""]])

    # when a file gives it level 4
    assert import_file(path, "offerings").status == "done"

    # then the same row changed; the empty local code left the old one
    offering = ProcedureOffering.objects.get(agency=agency, procedure=procedure)
    assert (offering.historical_level, offering.online_mode, offering.local_code) == (4, "full", "KEEP")
    assert ProcedureOffering.objects.filter(agency=agency, procedure=procedure).count() == 1


OFFERING_CASES: list[tuple[str, list[Any], str, str]] = [
    ("unknown agency", ["NO.SUCH", "P", "3", "", "", "", "", ""], "agency_code", "unknown_agency"),
    (
        "unknown procedure",
        [NINH_BINH, "9.999999", "3", "", "", "", "", ""],
        "procedure_code",
        "unknown_procedure",
    ),
    ("level 5", [NINH_BINH, "P", "5", "", "", "", "", ""], "level", "invalid_level"),
    ("no level nor mode", [NINH_BINH, "P", "", "", "", "", "", ""], "level", "level_or_mode_required"),
    (
        "level and mode disagree",
        [NINH_BINH, "P", "4", "một phần", "x", "", "", ""],
        "online_mode",
        "level_mode_mismatch",
    ),
    (
        "partial without reason",
        [NINH_BINH, "P", "", "partial", "", "", "", ""],
        "partial_reason",
        "partial_reason_required",
    ),
    ("bad mode", [NINH_BINH, "P", "", "half", "", "", "", ""], "online_mode", "invalid_choice"),
    (
        "dates reversed",
        [NINH_BINH, "P", "2", "", "", "2020-01-01", "2019-12-31", ""],
        "valid_to",
        "dates_out_of_order",
    ),
    ("repeated pair", [NINH_BINH, "FIRST", "2", "", "", "", "", ""], "procedure_code", "duplicate_offering"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "row", "column", "code"), OFFERING_CASES, ids=[c[0] for c in OFFERING_CASES]
)
def test_each_offering_error_is_reported(
    reference_data: None, tmp_path: Path, case: str, row: list[Any], column: str, code: str
) -> None:
    first, second = procedure_codes(2)
    row = [first if cell == "FIRST" else second if cell == "P" else cell for cell in row]
    path = write_csv(tmp_path / "o.csv", OFFERING_HEADER, [[NINH_BINH, first, "3", "", "", "", "", ""], row])
    batch = import_file(path, "offerings")
    assert batch.status == "rejected"
    assert (3, code) in codes_of(batch), batch.rejected
    assert next(r for r in batch.rejected if r["code"] == code)["column"] == column
    assert not ProcedureOffering.objects.filter(
        agency__code=NINH_BINH, procedure__national_code=first
    ).exists()


@pytest.mark.django_db
def test_a_code_excel_turned_into_a_number_gets_a_hint(reference_data: None, tmp_path: Path) -> None:
    # given a procedure code typed into Excel as a number (trailing zeros lost)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["agency_code", "procedure_code", "level"])
    sheet.append([NINH_BINH, 1.00094, 4])
    path = tmp_path / "o.xlsx"
    book.save(path)
    batch = import_file(path, "offerings")
    assert batch.status == "rejected"
    assert "Text" in batch.rejected[0]["message_en"]
    assert "Văn bản" in batch.rejected[0]["message_vi"]


# -- cells ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-04", datetime(2024, 3, 4, tzinfo=VN_TZ)),
        ("2024-03-04 08:30", datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)),
        ("2024-03-04T08:30:15", datetime(2024, 3, 4, 8, 30, 15, tzinfo=VN_TZ)),
        ("04/03/2024", datetime(2024, 3, 4, tzinfo=VN_TZ)),
        ("4/3/2024 8:30", datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)),
        ("04-03-2024 08h30", datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)),
        ("08:30:00 04/03/2024", datetime(2024, 3, 4, 8, 30, tzinfo=VN_TZ)),
    ],
)
def test_date_spellings_of_old_systems(text: str, expected: datetime) -> None:
    assert history.parse_moment(text) == expected


def test_a_due_day_without_time_lasts_the_whole_day() -> None:
    assert history.parse_moment("11/03/2024", end_of_day=True) == datetime(
        2024, 3, 11, 23, 59, 59, tzinfo=VN_TZ
    )
    assert history.parse_moment(datetime(2024, 3, 11), end_of_day=True).hour == 23
    assert history.parse_moment("11/03/2024 10:00", end_of_day=True).hour == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50000", "50000"),
        ("50.000", "50000"),
        ("50,000", "50000"),
        ("1.234.567 đ", "1234567"),
        ("1,5", "1.5"),
        ("0", "0"),
    ],
)
def test_amount_spellings(text: str, expected: str) -> None:
    assert history.parse_amount(text) == Decimal(expected)


# -- the command ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_dry_run_then_import_with_a_progress_bar(reference_data: None, tmp_path: Path) -> None:
    (procedure,) = procedure_codes(1)
    path = write_csv(
        tmp_path / "d.csv",
        DOSSIER_HEADER,
        dossier_rows([a_returned_row(f"CMD-{i}", procedure) for i in range(5)]),
    )
    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", "dossiers", str(path), "--dry-run", stdout=out, stderr=err)
    assert "5 rows, 0 imported, 0 rejected — status dry_run" in out.getvalue()
    assert "5 rows would be imported" in out.getvalue()
    assert not Dossier.objects.filter(code__startswith="CMD-").exists()

    out, err = io.StringIO(), io.StringIO()
    call_command("import_history", "dossiers", str(path), stdout=out, stderr=err)
    assert "5 imported" in out.getvalue()
    assert "status done" in out.getvalue()
    assert "[##############################] 100%  5/5" in err.getvalue()
    assert "checking" in err.getvalue()
    assert "writing" in err.getvalue()
    assert Dossier.objects.filter(code__startswith="CMD-").count() == 5


@pytest.mark.django_db
def test_command_fails_when_rows_are_rejected(reference_data: None, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows([a_returned_row("CMDX", "0.0")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_history", "dossiers", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 2 [procedure_code]" in err.getvalue()
    assert str(history.rejected_report_path(path)) in err.getvalue()


def test_progress_bar_starts_a_new_line_per_phase() -> None:
    from motcua.monitoring.management.commands.import_history import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(out.write)
    for done in (1, 2, 4):
        bar(done, 4)
    for done in (2, 4):
        bar(done, 4)
    bar.close()
    lines = out.getvalue().split("\n")
    assert lines[0].endswith("100%  4/4")
    assert lines[0].lstrip("\r").startswith("checking")
    assert "\rwriting" in lines[1]
    assert lines[1].endswith("100%  4/4")


def one_by_one(fact: DossierFact, rule_set: Mapping[str, Any], names: Sequence[str]) -> dict[Any, int]:
    """The contributions of ``fact`` to ``names``, each rule read on its own with ``Rule.holds``."""
    out: dict[Any, int] = {}
    for measure in names:
        rule = rule_set[measure]
        day = getattr(fact, rule.day)
        if day is not None and rule.holds(fact):
            out[(measure, day)] = out.get((measure, day), 0) + (
                getattr(fact, rule.value) if rule.value else 1
            )
    return out


@pytest.mark.django_db
def test_compiled_and_remembered_contributions_equal_the_rules_read_one_by_one(
    reference_data: None, tmp_path: Path
) -> None:
    from motcua.monitoring import facts, measures

    # given the facts of dossiers of every kind
    procedures = procedure_codes(4)
    other = Agency.objects.filter(parent__code=NINH_BINH, valid_from__isnull=True).order_by("code").first()
    assert other is not None
    path = write_csv(tmp_path / "d.csv", DOSSIER_HEADER, dossier_rows(varied_rows(procedures, other.code)))
    assert import_file(path, "dossiers").status == "done"
    rule_set = facts.rules()

    for fact in DossierFact.objects.all():
        # when their contributions are computed (twice: the second time is remembered)
        first = facts.contributions(fact, rule_set)
        again = facts.contributions(fact, rule_set)
        per_procedure = facts.procedure_contributions(fact, rule_set)

        # then they are what each rule says, read one by one, plus the stock deltas
        expected = one_by_one(fact, rule_set, measures.FLOWS)
        for measure, mark in facts.STOCK_MARKS.items():
            for day, delta in facts._stock(fact, mark):
                expected[(measure, day)] = expected.get((measure, day), 0) + delta
        assert first == again == {key: value for key, value in expected.items() if value}
        expected_per_procedure = one_by_one(fact, rule_set, measures.PER_PROCEDURE)
        assert per_procedure == {key: value for key, value in expected_per_procedure.items() if value}


@pytest.mark.django_db
def test_imported_dossiers_never_reuse_the_key_of_a_deleted_dossier(
    reference_data: None, tmp_path: Path
) -> None:
    # given an imported dossier, and a later draft, the highest key, deleted (it had no event)
    (procedure,) = procedure_codes(1)
    first = write_csv(tmp_path / "a.csv", DOSSIER_HEADER, dossier_rows([a_returned_row("KEY-1", procedure)]))
    assert import_file(first, "dossiers").status == "done"
    columns = Dossier.objects.filter(code="KEY-1").values()[0]
    columns.pop("id")
    draft = Dossier.objects.create(**{**columns, "code": "KEY-DRAFT"})
    Dossier.objects.filter(pk=draft.pk).delete()

    # when another file is imported
    second = write_csv(tmp_path / "b.csv", DOSSIER_HEADER, dossier_rows([a_returned_row("KEY-2", procedure)]))
    assert import_file(second, "dossiers").status == "done"

    # then its dossier has a key of its own, above the deleted one (as the database would have given it)
    imported = Dossier.objects.get(code="KEY-2")
    assert imported.pk > draft.pk
    assert DossierEvent.objects.get(dossier=imported).action == "import"
    assert DossierFact.objects.filter(dossier=imported).exists()
