"""Historical import (nhập dữ liệu lịch sử): agencies, catalogue levels and dossiers of an old system.

A province migrating years of data loads three kinds of file, CSV (UTF-8 with or without BOM, comma or
semicolon) or Excel ``.xlsx`` (first sheet, header row first). The documented columns, the Vietnamese and
English headers accepted and every message are in ``docs/monitoring-import.md``.

* ``agencies`` — historical agencies such as the old Hà Nam province (merged into Ninh Bình on 1 July 2025,
  Resolution 202/2025/QH15) or a pre-2025 district, created through ``agencies.services.add_agency`` so that
  the tree (path, depth) stays true.
* ``offerings`` — who offered which procedure at which level: the level (mức độ 1–4) of Decree
  43/2011/NĐ-CP or the online mode (toàn trình / một phần) of Decree 42/2022 and later; upserted.
* ``dossiers`` — one ``Dossier`` per row with its timestamps and exactly one ``DossierEvent`` (action
  ``import``) whose payload carries what the old system knew (online payment, reuse, digitisation…).
  This is the one place besides ``dossiers.workflow`` that writes a dossier's status: the dossier arrives
  in its final historical state, the workflow is not replayed row by row. Rows are written in chunks
  (PostgreSQL ``COPY``, SQLite ``executemany``) with their monitoring facts (``facts.derive`` of the rows
  in hand) and counters (``maintain._Accumulator``), in the same transaction: the same rows as
  ``maintain.refresh_dossiers`` would write, without reading the chunk back.

Every row is validated before anything is written; a rejected row is reported per row and column, in
Vietnamese and English, in ``HistoricalImport.rejected`` and in ``<file>.rejected.csv`` next to the input.
Nothing is half-imported: a real import with a rejected row writes nothing, unless ``skip_invalid``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.db import connection, models, transaction

from motcua.accounts.models import User
from motcua.agencies.models import AdministrativeUnit, Agency, AgencyKind, UnitLevel
from motcua.agencies.services import add_agency
from motcua.catalogue.models import Channel, LevelScheme, OnlineMode, Procedure, ProcedureOffering
from motcua.core.clock import VN_TZ, now
from motcua.core.errors import DomainError
from motcua.core.text import fold, nfc
from motcua.dossiers.constants import DeliveryMethod, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.monitoring.models import DossierFact, HistoricalImport

#: rows done, rows in the file — called while rows are validated, then again while they are written
Progress = Callable[[int, int], None]

KINDS = ("agencies", "offerings", "dossiers")
IMPORT_ACTION = "import"
DEFAULT_APPLICANT = "(dữ liệu lịch sử)"
LEVEL3_REASON = "Mức độ 3 (Nghị định 43/2011)"
#: the last day of the district level and of the 63 old provinces (Resolution 202/2025/QH15)
LAST_DAY_BEFORE_2025_REFORM = date(2025, 6, 30)
#: Decree 42/2022 ceased to be effective on 1 July 2026 (Decree 224/2026 Art 90(2)(b), addendum §A3)
DECREE_224_FROM = date(2026, 7, 1)
WRITE_CHUNK = 2000
#: dossiers written, derived and counted at a time (bigger chunks: fewer statements, one offerings read each)
DOSSIER_CHUNK = 10_000
#: the historical import flushes its counters when they hold this many (scope, procedure, day) keys
FLUSH_KEYS = 200_000
#: at most this many messages are kept in ``HistoricalImport.rejected``; the CSV report has all of them
MAX_STORED_REJECTIONS = 10_000


# -- what a rejected row looks like ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    """One refused cell (or row): spreadsheet row number (header = 1), the column as headed in the file."""

    row: int
    column: str
    message_vi: str
    message_en: str
    code: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "code": self.code,
        }


# -- columns -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of an import file: its canonical (English) name and the other headers accepted for it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """Header or value folded for matching: no case, no diacritics, "_" and punctuation as spaces."""
    return " ".join(fold(text.replace("_", " ")).split())


AGENCY_COLUMNS = (
    Column("code", ("mã", "mã cơ quan", "mã định danh", "mã định danh cơ quan", "agency code"), True),
    Column("name", ("tên", "tên cơ quan", "agency name"), True),
    Column("kind", ("loại", "loại cơ quan", "cấp", "cấp hành chính", "agency kind"), True),
    Column("parent_code", ("mã cơ quan cấp trên", "mã cấp trên", "cơ quan cấp trên", "parent")),
    Column("valid_from", ("hiệu lực từ", "từ ngày", "ngày bắt đầu")),
    Column("valid_to", ("hiệu lực đến", "đến ngày", "ngày kết thúc")),
    Column("admin_unit_code", ("mã đơn vị hành chính", "mã đvhc", "admin unit", "gso code")),
)

_PROCEDURE_ALIASES = (
    "mã thủ tục",
    "mã tthc",
    "mã thủ tục hành chính",
    "mã quốc gia",
    "procedure",
    "national code",
)

OFFERING_COLUMNS = (
    Column("agency_code", ("mã cơ quan", "mã cơ quan thực hiện", "mã đơn vị", "agency"), True),
    Column("procedure_code", _PROCEDURE_ALIASES, True),
    Column("level", ("mức độ", "mức độ dvc", "mức độ dvctt", "mức")),
    Column("online_mode", ("hình thức trực tuyến", "dịch vụ công trực tuyến", "dvctt", "mode")),
    Column("partial_reason", ("lý do một phần", "lý do", "lý do chưa toàn trình", "reason")),
    Column("valid_from", ("hiệu lực từ", "từ ngày", "ngày bắt đầu")),
    Column("valid_to", ("hiệu lực đến", "đến ngày", "ngày kết thúc")),
    Column("local_code", ("mã thủ tục địa phương", "mã địa phương", "mã nội bộ")),
)

DOSSIER_COLUMNS = (
    Column("code", ("mã hồ sơ", "số hồ sơ", "dossier code"), True),
    Column("procedure_code", _PROCEDURE_ALIASES, True),
    Column(
        "competent_agency_code",
        ("mã cơ quan giải quyết", "cơ quan giải quyết", "mã cơ quan có thẩm quyền", "competent agency"),
        True,
    ),
    Column(
        "receiving_agency_code",
        ("mã cơ quan tiếp nhận", "cơ quan tiếp nhận", "nơi tiếp nhận", "receiving agency"),
    ),
    Column("channel", ("kênh nộp", "hình thức nộp", "kênh tiếp nhận", "cách thức nộp"), True),
    Column("received_at", ("ngày tiếp nhận", "thời gian tiếp nhận", "ngày nhận", "received"), True),
    Column(
        "due_at",
        ("ngày hẹn trả", "ngày hẹn trả kết quả", "hạn giải quyết", "hạn xử lý", "due", "due date"),
        True,
    ),
    Column("resolved_at", ("ngày có kết quả", "ngày giải quyết", "ngày xử lý xong", "resolved")),
    Column("returned_at", ("ngày trả kết quả", "ngày trả", "returned")),
    Column("finished_at", ("ngày kết thúc", "finished")),
    Column("status", ("trạng thái", "tình trạng", "trạng thái hồ sơ"), True),
    Column("delivery", ("hình thức nhận kết quả", "nhận kết quả", "hình thức trả kết quả")),
    Column("supplement_count", ("số lần bổ sung", "supplements")),
    Column("paid_online", ("thanh toán trực tuyến", "đã thanh toán trực tuyến")),
    Column("fee", ("lệ phí", "phí, lệ phí", "phí", "số tiền")),
    Column("reused", ("tái sử dụng", "tái sử dụng dữ liệu")),
    Column("digitized", ("số hóa", "số hoá", "đã số hóa", "digitised")),
    Column("population_data", ("dữ liệu dân cư", "csdl dân cư", "csdl quốc gia về dân cư")),
    Column("e_result", ("kết quả điện tử", "electronic result")),
    Column("satisfaction", ("mức độ hài lòng", "đánh giá", "đánh giá hài lòng")),
    Column("applicant_name", ("tên người nộp", "người nộp", "chủ hồ sơ", "tên tổ chức cá nhân", "applicant")),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "agencies": AGENCY_COLUMNS,
    "offerings": OFFERING_COLUMNS,
    "dossiers": DOSSIER_COLUMNS,
}


def _aliases(table: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{folded spelling: value} from {value: (spellings…)}; the value itself is always accepted."""
    out: dict[str, str] = {}
    for value, spellings in table.items():
        for spelling in (value, *spellings):
            out[_key(spelling)] = value
    return out


AGENCY_KINDS = _aliases(
    {
        AgencyKind.NATION.value: ("quốc gia",),
        AgencyKind.MINISTRY.value: ("bộ", "bộ, ngành", "cấp bộ"),
        AgencyKind.PROVINCE.value: ("tỉnh", "ubnd tỉnh", "cấp tỉnh", "thành phố trực thuộc trung ương"),
        AgencyKind.DEPARTMENT.value: ("sở", "sở, ban, ngành", "sở ngành", "ban ngành"),
        AgencyKind.DISTRICT.value: ("huyện", "ubnd huyện", "cấp huyện", "quận", "thị xã"),
        AgencyKind.COMMUNE.value: ("xã", "ubnd xã", "cấp xã", "phường", "thị trấn"),
        AgencyKind.SERVICE_CENTRE.value: (
            "trung tâm phục vụ hành chính công",
            "trung tâm hành chính công",
            "service center",
        ),
        AgencyKind.OTHER.value: ("khác",),
    }
)
ONLINE_MODES = _aliases(
    {
        OnlineMode.FULL.value: ("toàn trình", "dvctt toàn trình"),
        OnlineMode.PARTIAL.value: ("một phần", "dvctt một phần"),
        OnlineMode.NONE.value: ("không", "không trực tuyến"),
    }
)
CHANNELS = _aliases(
    {
        Channel.IN_PERSON.value: ("trực tiếp", "tại quầy", "in person", "counter"),
        Channel.ONLINE.value: ("trực tuyến", "qua mạng"),
        Channel.POSTAL.value: (
            "bưu chính",
            "bưu chính công ích",
            "qua bưu chính",
            "bưu điện",
            "bcci",
            "post",
        ),
        Channel.KIOSK.value: ("ki-ốt", "ki ốt", "kiốt", "ki-ốt thông minh"),
    }
)
DELIVERIES = _aliases(
    {
        DeliveryMethod.ONLINE.value: ("trực tuyến", "nhận trực tuyến", "qua mạng"),
        DeliveryMethod.COUNTER.value: ("trực tiếp", "tại quầy", "tại bộ phận một cửa", "nhận trực tiếp"),
        DeliveryMethod.POST.value: (
            "bưu chính",
            "bưu chính công ích",
            "qua bưu chính",
            "bưu điện",
            "bcci",
            "postal",
        ),
    }
)
#: the statuses a historical dossier may end in, with the spellings of old systems
STATUSES = _aliases(
    {
        Status.RETURNED.value: ("đã trả kết quả", "đã trả", "trả kết quả"),
        Status.RESOLVED.value: (
            "đã xử lý xong",
            "đã giải quyết",
            "có kết quả",
            "đã có kết quả",
            "chờ trả kết quả",
        ),
        Status.REFUSED.value: ("từ chối giải quyết", "từ chối", "không giải quyết"),
        Status.STOPPED.value: ("dừng giải quyết", "dừng xử lý"),
        Status.WITHDRAWN.value: ("rút hồ sơ", "đã rút", "công dân rút hồ sơ"),
        Status.PROCESSING.value: ("đang xử lý", "đang giải quyết"),
        Status.ACCEPTED.value: ("đã tiếp nhận", "mới tiếp nhận"),
        Status.SUPPLEMENT_REQUESTED.value: ("yêu cầu bổ sung", "chờ bổ sung"),
    }
)
IN_PROGRESS = frozenset({Status.PROCESSING.value, Status.ACCEPTED.value, Status.SUPPLEMENT_REQUESTED.value})
ENDED_WITHOUT_RESULT = frozenset({Status.REFUSED.value, Status.STOPPED.value, Status.WITHDRAWN.value})
SATISFACTION = _aliases(
    {
        "very_satisfied": ("rất hài lòng",),
        "satisfied": ("hài lòng",),
        "not_satisfied": ("không hài lòng", "chưa hài lòng"),
    }
)
_TRUE = {_key(v) for v in ("1", "x", "true", "yes", "có", "đúng", "đã")}
_FALSE = {_key(v) for v in ("0", "false", "no", "không", "sai", "chưa")}


def _listing(values: Mapping[str, str]) -> str:
    return ", ".join(dict.fromkeys(values.values()))


# -- reading a file ------------------------------------------------------------------------------------


class Table:
    """The rows of a CSV or .xlsx file as lists of cell values, with their spreadsheet row numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_excel = path.suffix.lower() == ".xlsx"
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise DomainError(
                "import_file_type",
                "Chỉ nhận tệp .csv (UTF-8) hoặc .xlsx.",
                "Only .csv (UTF-8) and .xlsx files are accepted.",
                field="file",
            )

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) for every row, the header first (row 1); empty rows are left out."""
        source = self._excel_rows() if self.is_excel else self._csv_rows()
        for number, cells in enumerate(source, start=1):
            if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
                yield number, cells

    def _csv_rows(self) -> Iterator[list[Any]]:
        try:
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                first = fh.readline()
                delimiter = ";" if first.count(";") > first.count(",") else ","
                fh.seek(0)
                yield from csv.reader(fh, delimiter=delimiter)
        except UnicodeDecodeError as error:
            raise DomainError(
                "import_not_utf8",
                "Tệp CSV không ở bảng mã UTF-8: trong Excel chọn 'Lưu thành' → 'CSV UTF-8'.",
                "The CSV file is not UTF-8: in Excel use 'Save as' → 'CSV UTF-8'.",
                field="file",
            ) from error

    def _excel_rows(self) -> Iterator[list[Any]]:
        from openpyxl import load_workbook

        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
            raise DomainError(
                "import_not_xlsx",
                "Không đọc được tệp Excel (.xlsx).",
                "The Excel (.xlsx) file cannot be read.",
                field="file",
            ) from error
        try:
            sheet = book.worksheets[0]
            for values in sheet.iter_rows(values_only=True):
                yield list(values)
        finally:
            book.close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rejected_report_path(path: Path) -> Path:
    """``<file>.rejected.csv`` next to the input."""
    return path.with_name(path.name + ".rejected.csv")


def write_rejected_report(path: Path, rejections: Sequence[Rejection]) -> Path | None:
    """Write the rejections as CSV (UTF-8 with BOM, for Excel) next to ``path``; remove a stale one if none."""
    target = rejected_report_path(path)
    if not rejections:
        target.unlink(missing_ok=True)
        return None
    with target.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "column", "message_vi", "message_en"])
        for r in rejections:
            writer.writerow([r.row, r.column, r.message_vi, r.message_en])
    return target


@dataclass(frozen=True)
class Header:
    """Which cell index holds which column, and how the file heads it."""

    index: dict[str, int]
    labels: dict[str, str]

    def label(self, name: str) -> str:
        return self.labels.get(name, name)


def read_header(cells: Sequence[Any], columns: Sequence[Column]) -> tuple[Header, list[Rejection]]:
    """Match the header cells to ``columns``: the canonical name or an alias, whole or as one part of a
    bilingual header ("Mã hồ sơ / code", "Ngày tiếp nhận (received_at)"). Unknown headers are ignored."""
    known: dict[str, str] = {}
    for column in columns:
        for spelling in (column.name, *column.aliases):
            known.setdefault(_key(spelling), column.name)
    index: dict[str, int] = {}
    labels: dict[str, str] = {}
    problems: list[Rejection] = []
    for position, cell in enumerate(cells):
        text = nfc(str(cell)) if cell is not None else ""
        if not text:
            continue
        parts = [text, *re.split(r"[/()|\[\]]", text)]
        name = next((known[_key(p)] for p in parts if _key(p) in known), None)
        if name is None:
            continue
        if name in index:
            problems.append(
                Rejection(
                    1,
                    text,
                    f"Cột '{text}' trùng với cột '{labels[name]}' (cùng là {name}); chỉ giữ một cột.",
                    f"Column '{text}' repeats column '{labels[name]}' (both are {name}); keep one of them.",
                    "duplicate_column",
                )
            )
            continue
        index[name] = position
        labels[name] = text
    for column in columns:
        if column.required and column.name not in index:
            problems.append(
                Rejection(
                    1,
                    column.name,
                    f"Thiếu cột bắt buộc '{column.name}' (ví dụ tiêu đề: {column.aliases[0]}).",
                    f"The required column '{column.name}' is missing.",
                    "missing_column",
                )
            )
    return Header(index, labels), problems


# -- reading cells ---------------------------------------------------------------------------------------

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T,]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?$")
_TIME_FIRST = re.compile(r"^(\d{1,2})[:hH](\d{2})(?::(\d{2}))?[ ,]+(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,\s]\d{3})+$")
_LEVEL = re.compile(r"^(?:muc do |muc )?([1-4])$")


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_moment(value: Any, *, end_of_day: bool = False) -> datetime:
    """A date or date-time cell as an aware datetime; local time (UTC+7) unless the text carries an offset.

    A date without a time is the start of that day, or its last second when ``end_of_day`` (a due date:
    a dossier due on a day is on time all that day). Raises ``ValueError`` when it is not a date."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=VN_TZ)
        if end_of_day and (value.hour, value.minute, value.second) == (0, 0, 0):
            moment = moment.replace(hour=23, minute=59, second=59)
        return moment
    if isinstance(value, date):
        return _day_moment(value.year, value.month, value.day, end_of_day)
    return _text_moment(str(value).strip(), end_of_day)


@lru_cache(maxsize=65536)
def _text_moment(text: str, end_of_day: bool) -> datetime:
    """``parse_moment`` of a text (old systems repeat the same days and times: cached)."""
    match = _ISO.match(text)
    if match:
        y, mo, d, h, mi, s, tz = match.groups()
        if h is None:
            return _day_moment(int(y), int(mo), int(d), end_of_day)
        zone = _offset(tz) if tz else VN_TZ
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=zone)
    match = _DMY.match(text)
    if match:
        d, mo, y, h, mi, s = match.groups()
        if h is None:
            return _day_moment(int(y), int(mo), int(d), end_of_day)
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=VN_TZ)
    match = _TIME_FIRST.match(text)
    if match:
        h, mi, s, d, mo, y = match.groups()
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=VN_TZ)
    raise ValueError(text)


def _day_moment(year: int, month: int, day: int, end_of_day: bool) -> datetime:
    if end_of_day:
        return datetime(year, month, day, 23, 59, 59, tzinfo=VN_TZ)
    return datetime(year, month, day, tzinfo=VN_TZ)


def parse_day(value: Any) -> date:
    """A date cell (a date-time keeps its local date)."""
    if isinstance(value, datetime):
        return value.astimezone(VN_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    return parse_moment(value).astimezone(VN_TZ).date()


def parse_amount(value: Any) -> Decimal:
    """An amount of money: "50000", "50.000", "50,000", "1.5", "1,5", "50.000 đ"."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(?i)\s*(đồng|đ|vnđ|vnd)$", "", str(value).strip())
        if _THOUSANDS.match(text):
            amount = Decimal(re.sub(r"[.,\s]", "", text))
        else:
            amount = Decimal(text.replace(",", "."))
    if not amount.is_finite() or amount < 0:
        raise ValueError(value)
    return amount


def _fmt_day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


class Row:
    """One data row being checked: typed reads of its cells, each failure recorded against its column."""

    def __init__(self, number: int, cells: Sequence[Any], header: Header) -> None:
        self.number = number
        self.cells = cells
        self.header = header
        self.rejections: list[Rejection] = []
        self.failed: set[str] = set()

    def raw(self, name: str) -> Any:
        position = self.header.index.get(name)
        if position is None or position >= len(self.cells):
            return None
        value = self.cells[position]
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def fail(self, name: str, code: str, message_vi: str, message_en: str) -> None:
        self.failed.add(name)
        self.rejections.append(Rejection(self.number, self.header.label(name), message_vi, message_en, code))

    def ok(self, *names: str) -> bool:
        return not self.failed.intersection(names)

    def _required(self, name: str) -> None:
        self.fail(
            name,
            "required",
            "Cột bắt buộc: không được để trống.",
            "This column is required and must not be empty.",
        )

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name)
        if value is None:
            if required:
                self._required(name)
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = nfc(str(value))
        if max_length is not None and len(text) > max_length:
            self.fail(
                name,
                "too_long",
                f"Dài quá {max_length} ký tự.",
                f"Longer than {max_length} characters.",
            )
            return ""
        return text

    def code(self, name: str, *, required: bool = False) -> tuple[str, bool]:
        """A code cell, and whether Excel held it as a number (which may have lost leading/trailing zeros)."""
        value = self.raw(name)
        return self.text(name, required=required), isinstance(value, int | float) and not isinstance(
            value, bool
        )

    def moment(self, name: str, *, required: bool = False, end_of_day: bool = False) -> datetime | None:
        value = self.raw(name)
        if value is None:
            if required:
                self._required(name)
            return None
        try:
            return parse_moment(value, end_of_day=end_of_day)
        except ValueError:
            self.fail(
                name,
                "invalid_date",
                f"'{value}' không phải là ngày hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd, có thể kèm giờ hh:mm).",
                f"'{value}' is not a valid date (use dd/mm/yyyy or yyyy-mm-dd, optionally with a time hh:mm).",
            )
            return None

    def day(self, name: str) -> date | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return parse_day(value)
        except ValueError:
            self.fail(
                name,
                "invalid_date",
                f"'{value}' không phải là ngày hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd).",
                f"'{value}' is not a valid date (use dd/mm/yyyy or yyyy-mm-dd).",
            )
            return None

    def choice(
        self, name: str, allowed: Mapping[str, str], *, required: bool = False, default: str = ""
    ) -> str:
        value = self.raw(name)
        if value is None:
            if required:
                self._required(name)
            return default
        found = allowed.get(_key(str(value)))
        if found is None:
            self.fail(
                name,
                "invalid_choice",
                f"Giá trị '{value}' không hợp lệ; dùng một trong: {_listing(allowed)}.",
                f"'{value}' is not allowed; use one of: {_listing(allowed)}.",
            )
            return default
        return found

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = _key(str(value))
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
        self.fail(
            name,
            "invalid_flag",
            f"'{value}' không hợp lệ; dùng 1 (có) hoặc 0 (không).",
            f"'{value}' is not valid; use 1 (yes) or 0 (no).",
        )
        return False

    def count(self, name: str, *, maximum: int = 32767) -> int:
        value = self.raw(name)
        if value is None:
            return 0
        try:
            number = (
                int(value)
                if isinstance(value, int | float) and float(value).is_integer()
                else int(str(value))
            )
        except ValueError:
            number = -1
        if isinstance(value, bool) or number < 0 or number > maximum:
            self.fail(
                name,
                "invalid_count",
                f"'{value}' không phải là số nguyên từ 0 đến {maximum}.",
                f"'{value}' is not a whole number from 0 to {maximum}.",
            )
            return 0
        return number

    def amount(self, name: str) -> Decimal | None:
        value = self.raw(name)
        if value is None:
            return None
        try:
            return parse_amount(value)
        except (ValueError, InvalidOperation):
            self.fail(
                name,
                "invalid_amount",
                f"'{value}' không phải là số tiền hợp lệ (ví dụ 50000 hoặc 50.000).",
                f"'{value}' is not a valid amount (e.g. 50000 or 50.000).",
            )
            return None


def _not_found(row: Row, name: str, what_vi: str, what_en: str, code: str, numeric: bool) -> None:
    hint_vi = " Trong Excel, hãy định dạng cột này là Văn bản (Text) để giữ các số 0." if numeric else ""
    hint_en = " In Excel, format this column as Text so that zeros are kept." if numeric else ""
    row.fail(
        name,
        f"unknown_{what_en.split()[-1]}",
        f"Không có {what_vi} mã '{code}' trong hệ thống.{hint_vi}",
        f"No {what_en} with code '{code}' exists.{hint_en}",
    )


def _in_force(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


# -- the importers -------------------------------------------------------------------------------------


@dataclass
class Checked:
    """What validation found: records to write (keyed by row number) and the rejections."""

    records: dict[int, Any] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    rows_total: int = 0

    @property
    def rejected_rows(self) -> set[int]:
        return {r.row for r in self.rejections}


R = TypeVar("R")


class Importer(Generic[R]):
    """Validate all rows (``check_row`` then ``check_all``), then ``write`` the valid ones."""

    kind: str
    columns: tuple[Column, ...]

    def check_row(self, row: Row) -> R | None:
        raise NotImplementedError

    def check_all(self, checked: Checked, header: Header) -> None:
        """Checks across rows (duplicates, references inside the file); adds rejections."""

    def write(self, records: list[R], batch: HistoricalImport, progress: Progress | None) -> int:
        raise NotImplementedError


# agencies ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencyRecord:
    row: int
    code: str
    name: str
    kind: str
    parent_code: str
    valid_from: date | None
    valid_to: date | None
    admin_unit_id: int | None


class AgencyImporter(Importer[AgencyRecord]):
    kind = "agencies"
    columns = AGENCY_COLUMNS

    def __init__(self) -> None:
        self.existing = set(Agency.objects.values_list("code", flat=True))
        self.units: dict[str, list[AdministrativeUnit]] = {}
        for unit in AdministrativeUnit.objects.all():
            self.units.setdefault(unit.code, []).append(unit)
        self.seen: dict[str, int] = {}

    def _unit(self, row: Row, kind: str, valid_to: date | None) -> int | None:
        code, numeric = row.code("admin_unit_code")
        if not code:
            return None
        if numeric and code.isdigit():
            code = code.zfill(2) if len(code) <= 2 else code.zfill(5)
        wanted_level = {
            AgencyKind.PROVINCE.value: UnitLevel.PROVINCE,
            AgencyKind.COMMUNE.value: UnitLevel.COMMUNE,
        }
        level = wanted_level.get(kind) or (UnitLevel.PROVINCE if len(code) == 2 else UnitLevel.COMMUNE)
        candidates = [u for u in self.units.get(code, []) if u.level == level]
        if not candidates:
            row.fail(
                "admin_unit_code",
                "unknown_admin_unit",
                f"Không có đơn vị hành chính cấp {'tỉnh' if level == UnitLevel.PROVINCE else 'xã'} mã '{code}'.",
                f"No {level} administrative unit with code '{code}' exists.",
            )
            return None
        on = valid_to or now().astimezone(VN_TZ).date()
        for unit in candidates:
            if _in_force(unit.valid_from, unit.valid_to, on):
                return unit.id
        row.fail(
            "admin_unit_code",
            "admin_unit_not_in_force",
            f"Đơn vị hành chính mã '{code}' không có hiệu lực vào ngày {_fmt_day(on)} "
            "(ngày cơ quan hết hiệu lực, hoặc hôm nay).",
            f"The administrative unit '{code}' was not in force on {_fmt_day(on)} "
            "(the agency's last day, or today).",
        )
        return None

    def check_row(self, row: Row) -> AgencyRecord | None:
        code = row.text("code", required=True, max_length=32)
        name = row.text("name", required=True, max_length=255)
        kind = row.choice("kind", AGENCY_KINDS, required=True)
        parent_code = row.text("parent_code", max_length=32)
        valid_from = row.day("valid_from")
        valid_to = row.day("valid_to")
        if code in self.existing:
            row.fail(
                "code",
                "agency_exists",
                f"Cơ quan mã '{code}' đã có trong hệ thống (đã nhập trước đó?).",
                f"An agency with code '{code}' already exists (imported before?).",
            )
        elif code and code in self.seen:
            row.fail(
                "code",
                "duplicate_code",
                f"Mã cơ quan '{code}' bị trùng với dòng {self.seen[code]}.",
                f"Agency code '{code}' repeats row {self.seen[code]}.",
            )
        elif code:
            self.seen[code] = row.number
        if parent_code and parent_code == code:
            row.fail(
                "parent_code",
                "parent_is_self",
                "Cơ quan không thể là cấp trên của chính nó.",
                "An agency cannot be its own parent.",
            )
        if valid_from and valid_to and valid_to < valid_from:
            row.fail(
                "valid_to",
                "dates_out_of_order",
                "Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực.",
                "The end of validity must be on or after its start.",
            )
        if kind == AgencyKind.DISTRICT and (valid_to is None or valid_to > LAST_DAY_BEFORE_2025_REFORM):
            row.fail(
                "valid_to",
                "district_after_2025",
                "Cấp huyện chấm dứt hoạt động từ 01/07/2025 (Nghị quyết 202/2025/QH15): "
                "cơ quan cấp huyện phải có ngày hết hiệu lực không muộn hơn 30/06/2025.",
                "The district level ended on 1 July 2025 (Resolution 202/2025/QH15): a district agency "
                "needs an end of validity on or before 30/06/2025.",
            )
        unit_id = self._unit(row, kind, valid_to) if row.ok("kind", "valid_to") else None
        if row.rejections:
            return None
        return AgencyRecord(row.number, code, name, kind, parent_code, valid_from, valid_to, unit_id)

    def check_all(self, checked: Checked, header: Header) -> None:
        """Every parent must exist in the system or be a valid row of the file, without a cycle; a rejected
        parent rejects its children (and theirs)."""
        label = header.label("parent_code")
        valid = {r.code: r for r in checked.records.values()}
        rejected_at = {code: number for code, number in self.seen.items() if number in checked.rejected_rows}
        changed = True
        while changed:
            changed = False
            for record in sorted(valid.values(), key=lambda r: r.row):
                parent = record.parent_code
                if not parent or parent in self.existing or parent in valid:
                    continue
                if parent in rejected_at:
                    rejection = Rejection(
                        record.row,
                        label,
                        f"Cơ quan cấp trên '{parent}' (dòng {rejected_at[parent]}) bị từ chối.",
                        f"The parent agency '{parent}' (row {rejected_at[parent]}) was rejected.",
                        "parent_rejected",
                    )
                else:
                    rejection = Rejection(
                        record.row,
                        label,
                        f"Không có cơ quan cấp trên mã '{parent}' trong hệ thống hoặc trong tệp.",
                        f"No parent agency with code '{parent}' exists, in the system or in the file.",
                        "unknown_parent",
                    )
                checked.rejections.append(rejection)
                rejected_at[record.code] = record.row
                del valid[record.code]
                changed = True
        rooted: set[str] = set()
        growing = True
        while growing:
            growing = False
            for record in valid.values():
                parent = record.parent_code
                if record.code not in rooted and (not parent or parent in self.existing or parent in rooted):
                    rooted.add(record.code)
                    growing = True
        for record in sorted(valid.values(), key=lambda r: r.row):
            if record.code not in rooted:
                checked.rejections.append(
                    Rejection(
                        record.row,
                        label,
                        f"Quan hệ cấp trên của '{record.code}' tạo thành vòng lặp.",
                        f"The parent links of '{record.code}' form a cycle.",
                        "parent_cycle",
                    )
                )

    def write(self, records: list[AgencyRecord], batch: HistoricalImport, progress: Progress | None) -> int:
        created: dict[str, Agency] = {}
        pending = sorted(records, key=lambda r: r.row)
        total, done = len(pending), 0
        while pending:
            waiting = []
            for record in pending:
                parent = None
                if record.parent_code:
                    parent = created.get(record.parent_code)
                    if parent is None:
                        parent = Agency.objects.filter(code=record.parent_code).first()
                    if parent is None:
                        waiting.append(record)
                        continue
                agency = add_agency(
                    code=record.code,
                    name=record.name,
                    kind=record.kind,
                    parent=parent,
                    admin_unit=AdministrativeUnit(pk=record.admin_unit_id) if record.admin_unit_id else None,
                )
                if record.valid_from or record.valid_to:
                    Agency.objects.filter(pk=agency.pk).update(
                        valid_from=record.valid_from, valid_to=record.valid_to
                    )
                created[record.code] = agency
                done += 1
                if progress is not None:
                    progress(done, total)
            if len(waiting) == len(pending):  # check_all makes this unreachable
                raise RuntimeError("agencies whose parent cannot be created")
            pending = waiting
        return done


# offerings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferingRecord:
    row: int
    agency_id: int
    procedure_id: int
    level: int | None
    online_mode: str
    level_scheme: str
    partial_reason: str
    valid_from: date | None
    valid_to: date | None
    local_code: str


#: Decree 43/2011 level → online mode (levels 1–2 were not online; level 3 is partly online: payment and
#: result in person; level 4 is wholly online, result online or by post — spec §1.1–1.3; the crosswalk is
#: DESIGN, there is no official one)
LEVEL_MODES = {
    1: OnlineMode.NONE.value,
    2: OnlineMode.NONE.value,
    3: OnlineMode.PARTIAL.value,
    4: OnlineMode.FULL.value,
}


class OfferingImporter(Importer[OfferingRecord]):
    kind = "offerings"
    columns = OFFERING_COLUMNS

    def __init__(self) -> None:
        self.agencies = dict(Agency.objects.values_list("code", "id"))
        self.procedures = dict(Procedure.objects.values_list("national_code", "id"))
        self.seen: dict[tuple[int, int], int] = {}

    def check_row(self, row: Row) -> OfferingRecord | None:
        agency_code, agency_numeric = row.code("agency_code", required=True)
        procedure_code, procedure_numeric = row.code("procedure_code", required=True)
        agency_id = self.agencies.get(agency_code)
        if agency_code and agency_id is None:
            _not_found(row, "agency_code", "cơ quan", "agency", agency_code, agency_numeric)
        procedure_id = self.procedures.get(procedure_code)
        if procedure_code and procedure_id is None:
            _not_found(row, "procedure_code", "thủ tục", "procedure", procedure_code, procedure_numeric)
        level = self._level(row)
        mode = row.choice("online_mode", ONLINE_MODES)
        reason = row.text("partial_reason")
        valid_from = row.day("valid_from")
        valid_to = row.day("valid_to")
        local_code = row.text("local_code", max_length=64)
        if level is None and not mode and row.ok("level", "online_mode"):
            row.fail(
                "level",
                "level_or_mode_required",
                "Cần mức độ (1–4) hoặc hình thức trực tuyến (toàn trình / một phần / không).",
                "A level (1–4) or an online mode (full / partial / none) is required.",
            )
        if level is not None and mode and LEVEL_MODES[level] != mode:
            row.fail(
                "online_mode",
                "level_mode_mismatch",
                f"Mức độ {level} tương ứng với hình thức '{LEVEL_MODES[level]}', không phải '{mode}'.",
                f"Level {level} means online mode '{LEVEL_MODES[level]}', not '{mode}'.",
            )
        if level is not None:
            mode = LEVEL_MODES[level]
            scheme = LevelScheme.ND43_2011.value
            if level == 3 and not reason:
                reason = LEVEL3_REASON
        else:
            scheme = (
                LevelScheme.ND42_2022.value
                if valid_from is not None and valid_from < DECREE_224_FROM
                else LevelScheme.LCDS_2025.value
            )
        if mode == OnlineMode.PARTIAL and not reason and row.ok("online_mode", "level"):
            row.fail(
                "partial_reason",
                "partial_reason_required",
                "Dịch vụ một phần phải có lý do (Nghị định 224/2026 Điều 14).",
                "A partially online service needs its reason (Decree 224/2026 Art 14).",
            )
        if mode != OnlineMode.PARTIAL:
            reason = ""
        if valid_from and valid_to and valid_to < valid_from:
            row.fail(
                "valid_to",
                "dates_out_of_order",
                "Ngày hết hiệu lực phải sau hoặc bằng ngày bắt đầu hiệu lực.",
                "The end of validity must be on or after its start.",
            )
        if agency_id is not None and procedure_id is not None:
            first = self.seen.get((agency_id, procedure_id))
            if first is not None:
                row.fail(
                    "procedure_code",
                    "duplicate_offering",
                    f"Cơ quan '{agency_code}' và thủ tục '{procedure_code}' đã có ở dòng {first}.",
                    f"Agency '{agency_code}' and procedure '{procedure_code}' already appear in row {first}.",
                )
            else:
                self.seen[(agency_id, procedure_id)] = row.number
        if row.rejections or agency_id is None or procedure_id is None:
            return None
        return OfferingRecord(
            row.number, agency_id, procedure_id, level, mode, scheme, reason, valid_from, valid_to, local_code
        )

    @staticmethod
    def _level(row: Row) -> int | None:
        value = row.raw("level")
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool) and value in (1, 2, 3, 4):
            return int(value)
        match = _LEVEL.match(_key(str(value)))
        if match is None:
            row.fail(
                "level",
                "invalid_level",
                f"Mức độ '{value}' không hợp lệ; dùng 1, 2, 3 hoặc 4 (Nghị định 43/2011).",
                f"Level '{value}' is not valid; use 1, 2, 3 or 4 (Decree 43/2011).",
            )
            return None
        return int(match.group(1))

    def write(self, records: list[OfferingRecord], batch: HistoricalImport, progress: Progress | None) -> int:
        from motcua.monitoring import maintain

        existing = {
            (o.agency_id, o.procedure_id): o
            for o in ProcedureOffering.objects.filter(procedure_id__in={r.procedure_id for r in records})
        }
        new: list[ProcedureOffering] = []
        changed: list[ProcedureOffering] = []
        for record in records:
            offering = existing.get((record.agency_id, record.procedure_id))
            if offering is None:
                offering = ProcedureOffering(agency_id=record.agency_id, procedure_id=record.procedure_id)
                new.append(offering)
            else:
                changed.append(offering)
            offering.online_mode = record.online_mode
            offering.level_scheme = record.level_scheme
            offering.historical_level = record.level
            offering.partial_reason = record.partial_reason
            # empty optional cells leave what the offering already had
            if record.local_code:
                offering.local_code = record.local_code
            if record.valid_from:
                offering.valid_from = record.valid_from
            if record.valid_to:
                offering.valid_to = record.valid_to
        ProcedureOffering.objects.bulk_create(new, batch_size=WRITE_CHUNK)
        ProcedureOffering.objects.bulk_update(
            changed,
            [
                "online_mode",
                "level_scheme",
                "historical_level",
                "partial_reason",
                "local_code",
                "valid_from",
                "valid_to",
            ],
            batch_size=WRITE_CHUNK,
        )
        if progress is not None:
            progress(len(records), len(records))
        maintain.refresh_offers({r.procedure_id for r in records})
        return len(records)


# dossiers ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DossierRecord:
    row: int
    code: str
    procedure_id: int
    competent_id: int
    receiving_id: int
    channel: str
    status: str
    received_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    returned_at: datetime | None
    finished_at: datetime | None
    delivery: str
    supplement_count: int
    paid_online: bool
    fee: str
    reused: bool
    digitized: bool
    population_data: bool
    e_result: bool
    satisfaction: str
    applicant_name: str


class DossierImporter(Importer[DossierRecord]):
    kind = "dossiers"
    columns = DOSSIER_COLUMNS

    def __init__(self) -> None:
        self.procedures = dict(Procedure.objects.values_list("national_code", "id"))
        self.agencies = {
            code: (pk, valid_from, valid_to)
            for code, pk, valid_from, valid_to in Agency.objects.values_list(
                "code", "id", "valid_from", "valid_to"
            )
        }
        self.seen: dict[str, int] = {}
        self.now = now()

    def _agency(self, row: Row, name: str, received: datetime | None, *, required: bool) -> int | None:
        code, numeric = row.code(name, required=required)
        if not code:
            return None
        found = self.agencies.get(code)
        if found is None:
            _not_found(row, name, "cơ quan", "agency", code, numeric)
            return None
        pk, valid_from, valid_to = found
        if received is not None:
            day = received.astimezone(VN_TZ).date()
            if not _in_force(valid_from, valid_to, day):
                since = _fmt_day(valid_from) if valid_from else "…"
                until = _fmt_day(valid_to) if valid_to else "…"
                row.fail(
                    name,
                    "agency_not_in_force",
                    f"Cơ quan '{code}' không hoạt động vào ngày tiếp nhận {_fmt_day(day)} "
                    f"(hiệu lực {since} – {until}).",
                    f"Agency '{code}' did not exist on the day of receipt {_fmt_day(day)} "
                    f"(valid {since} – {until}).",
                )
        return pk

    def check_row(self, row: Row) -> DossierRecord | None:
        code = row.text("code", required=True, max_length=64)
        procedure_code, numeric = row.code("procedure_code", required=True)
        procedure_id = self.procedures.get(procedure_code)
        if procedure_code and procedure_id is None:
            _not_found(row, "procedure_code", "thủ tục", "procedure", procedure_code, numeric)
        channel = row.choice("channel", CHANNELS, required=True)
        received = row.moment("received_at", required=True)
        due = row.moment("due_at", required=True, end_of_day=True)
        resolved = row.moment("resolved_at")
        returned = row.moment("returned_at")
        finished = row.moment("finished_at")
        status = row.choice("status", STATUSES, required=True)
        competent_id = self._agency(row, "competent_agency_code", received, required=True)
        receiving_id = self._agency(row, "receiving_agency_code", received, required=False) or competent_id
        delivery = row.choice("delivery", DELIVERIES, default=DeliveryMethod.COUNTER.value)
        supplements = row.count("supplement_count")
        paid_online = row.flag("paid_online")
        fee = row.amount("fee")
        reused = row.flag("reused")
        digitized = row.flag("digitized")
        population_data = row.flag("population_data")
        e_result = row.flag("e_result")
        satisfaction = row.choice("satisfaction", SATISFACTION)
        applicant_name = row.text("applicant_name", max_length=200) or DEFAULT_APPLICANT

        if code:
            first = self.seen.get(code)
            if first is not None:
                row.fail(
                    "code",
                    "duplicate_code",
                    f"Mã hồ sơ '{code}' bị trùng với dòng {first}.",
                    f"Dossier code '{code}' repeats row {first}.",
                )
            else:
                self.seen[code] = row.number
        if received is not None:
            self._check_times(row, received, due, resolved, returned, finished)
        if status and row.ok("status"):
            finished = self._check_status(row, status, resolved, returned, finished)
        if satisfaction and status in IN_PROGRESS:
            row.fail(
                "satisfaction",
                "satisfaction_in_progress",
                "Hồ sơ đang giải quyết chưa thể có đánh giá mức độ hài lòng.",
                "A dossier still in progress cannot have a satisfaction rating.",
            )
        if (
            row.rejections
            or received is None
            or due is None
            or procedure_id is None
            or competent_id is None
            or receiving_id is None
        ):
            return None
        return DossierRecord(
            row=row.number,
            code=code,
            procedure_id=procedure_id,
            competent_id=competent_id,
            receiving_id=receiving_id,
            channel=channel,
            status=status,
            received_at=received,
            due_at=due,
            resolved_at=resolved if status in (Status.RESOLVED, Status.RETURNED) else None,
            returned_at=returned if status == Status.RETURNED else None,
            finished_at=finished,
            delivery=delivery,
            supplement_count=supplements,
            paid_online=paid_online,
            fee=format(fee.normalize(), "f") if fee else "",
            reused=reused,
            digitized=digitized,
            population_data=population_data,
            e_result=e_result,
            satisfaction=satisfaction,
            applicant_name=applicant_name,
        )

    def _check_times(
        self,
        row: Row,
        received: datetime,
        due: datetime | None,
        resolved: datetime | None,
        returned: datetime | None,
        finished: datetime | None,
    ) -> None:
        for name, moment in (
            ("received_at", received),
            ("resolved_at", resolved),
            ("returned_at", returned),
            ("finished_at", finished),
        ):
            if moment is not None and moment > self.now:
                row.fail(
                    name,
                    "date_in_future",
                    "Ngày này ở tương lai: dữ liệu lịch sử không thể có ngày sau hôm nay.",
                    "This date is in the future: historical data cannot be dated after today.",
                )
        if due is not None and due < received:
            row.fail(
                "due_at",
                "due_before_received",
                "Ngày hẹn trả phải sau hoặc bằng ngày tiếp nhận.",
                "The due date must be on or after the day of receipt.",
            )
        for name, moment, vi, en in (
            ("resolved_at", resolved, "Ngày có kết quả", "The resolution date"),
            ("returned_at", returned, "Ngày trả kết quả", "The return date"),
            ("finished_at", finished, "Ngày kết thúc", "The end date"),
        ):
            if moment is not None and moment < received:
                row.fail(
                    name,
                    "before_received",
                    f"{vi} phải sau hoặc bằng ngày tiếp nhận.",
                    f"{en} must be on or after the day of receipt.",
                )
        if resolved is not None and returned is not None and returned < resolved and row.ok("returned_at"):
            row.fail(
                "returned_at",
                "returned_before_resolved",
                "Ngày trả kết quả phải sau hoặc bằng ngày có kết quả.",
                "The return date must be on or after the resolution date.",
            )

    def _check_status(
        self,
        row: Row,
        status: str,
        resolved: datetime | None,
        returned: datetime | None,
        finished: datetime | None,
    ) -> datetime | None:
        """Which timestamps the status needs and allows (as ``dossiers.workflow`` would have set them);
        returns ``finished_at``: the return for a returned dossier, the end for refused/stopped/withdrawn."""
        label = Status(status).label

        def needs(name: str, vi: str, en: str) -> None:
            row.fail(
                name,
                "status_needs_date",
                f"Hồ sơ ở trạng thái '{label}' phải có {vi} ({name}).",
                f"A dossier with status '{status}' needs {en} ({name}).",
            )

        def forbids(name: str) -> None:
            row.fail(
                name,
                "status_forbids_date",
                f"Hồ sơ ở trạng thái '{label}' không được có cột {name}.",
                f"A dossier with status '{status}' cannot have {name}.",
            )

        if status == Status.RETURNED:
            if returned is None and row.ok("returned_at"):
                needs("returned_at", "ngày trả kết quả", "the return date")
            if finished is not None and returned is not None and finished != returned:
                forbids("finished_at")
            return returned
        if status == Status.RESOLVED:
            if resolved is None and row.ok("resolved_at"):
                needs("resolved_at", "ngày có kết quả", "the resolution date")
            for name, moment in (("returned_at", returned), ("finished_at", finished)):
                if moment is not None:
                    forbids(name)
            return None
        if status in ENDED_WITHOUT_RESULT:
            if returned is not None:
                forbids("returned_at")
            if finished is not None and resolved is not None and finished != resolved:
                row.fail(
                    "finished_at",
                    "end_dates_differ",
                    "Ngày kết thúc và ngày giải quyết khác nhau; chỉ điền một ngày kết thúc.",
                    "The end date and the resolution date differ; give one end date.",
                )
            end = finished or resolved
            if end is None and row.ok("finished_at", "resolved_at"):
                needs("finished_at", "ngày kết thúc (hoặc ngày giải quyết)", "the end date (or resolved_at)")
            return end
        for name, moment in (("resolved_at", resolved), ("returned_at", returned), ("finished_at", finished)):
            if moment is not None:
                forbids(name)
        return None

    def check_all(self, checked: Checked, header: Header) -> None:
        """Codes already in the system are refused: importing the same file twice imports nothing twice."""
        codes = list(self.seen)
        label = header.label("code")
        for code in _existing_codes(codes):
            checked.rejections.append(
                Rejection(
                    self.seen[code],
                    label,
                    f"Mã hồ sơ '{code}' đã có trong hệ thống (đã nhập trước đó?).",
                    f"Dossier code '{code}' already exists (imported before?).",
                    "dossier_exists",
                )
            )

    def write(self, records: list[DossierRecord], batch: HistoricalImport, progress: Progress | None) -> int:
        """Write the dossiers and their events in chunks (PostgreSQL: ``COPY``; SQLite: one ``executemany``),
        with their monitoring facts and counters, all in the caller's transaction.

        The facts are derived from the rows in hand (``facts.derive``, as ``maintain.refresh_dossiers`` would:
        a dossier just written has its one import event and nothing else), their contributions go through one
        ``maintain._Accumulator`` flushed every ``FLUSH_KEYS`` per-procedure keys rather than once a chunk,
        and the facts are written in one statement a chunk (they are new: no previous fact to subtract)."""
        from motcua.calendar.services import load_calendar
        from motcua.monitoring import facts, maintain

        total = len(records)
        procedures = Procedure.objects.in_bulk({r.procedure_id for r in records})
        paths = maintain._paths({r.competent_id for r in records})
        calendar = load_calendar()
        acc = maintain._Accumulator()
        written = 0
        for start in range(0, total, DOSSIER_CHUNK):
            chunk = records[start : start + DOSSIER_CHUNK]
            chunk_ids = _next_ids(Dossier, len(chunk))
            rows = [{"id": pk, **self._dossier(r)} for pk, r in zip(chunk_ids, chunk, strict=True)]
            event_rows = [self._event(pk, r, batch.pk) for pk, r in zip(chunk_ids, chunk, strict=True)]
            _write_rows(Dossier, rows)
            _write_rows(DossierEvent, event_rows)
            dossiers = _instances(Dossier, rows)
            events = _instances(DossierEvent, event_rows)
            for dossier in dossiers:
                dossier.procedure = procedures[dossier.procedure_id]
            related = facts.load_related(
                dossiers, events={e.dossier_id: [e] for e in events}, just_created=True, calendar=calendar
            )
            new_facts = [fact for d in dossiers if (fact := facts.derive(d, related)) is not None]
            for fact in new_facts:
                acc.add(fact, +1, paths)
            if len(acc.procedures) >= FLUSH_KEYS:
                acc.flush()
            if new_facts:
                _write_rows(DossierFact, [facts.fact_values(f) for f in new_facts])
            written += len(dossiers)
            if progress is not None:
                progress(start + len(chunk), total)
        acc.flush()
        return written

    @staticmethod
    def _dossier(r: DossierRecord) -> dict[str, Any]:
        """The dossier's columns, as ``dossiers.workflow`` would have left them (by attribute name)."""
        return {
            "code": r.code,
            "procedure_id": r.procedure_id,
            "receiving_agency_id": r.receiving_id,
            "competent_agency_id": r.competent_id,
            "channel": r.channel,
            "status": r.status,
            "version": 1,
            "applicant_name": r.applicant_name,
            "delivery_method": r.delivery,
            "submitted_at": r.received_at,
            "system_received_at": r.received_at,
            "accepted_at": r.received_at,
            "clock_started_at": r.received_at,
            "original_due_at": r.due_at,
            "due_at": r.due_at,
            "supplement_count": r.supplement_count,
            "resolved_at": r.resolved_at,
            "returned_at": r.returned_at,
            "finished_at": r.finished_at,
        }

    @staticmethod
    def _event(dossier_id: int, r: DossierRecord, batch_id: int) -> dict[str, Any]:
        return {
            "dossier_id": dossier_id,
            "sequence": 1,
            "action": IMPORT_ACTION,
            "from_status": "",
            "to_status": r.status,
            "actor_id": None,
            "actor_roles": [],
            "agency_id": r.competent_id,
            "at": r.received_at,
            "payload": {
                "batch": batch_id,
                "flags": {
                    "paid_online": r.paid_online,
                    "fee": r.fee,
                    "reused": r.reused,
                    "digitized": r.digitized,
                    "population_data": r.population_data,
                    "e_result": r.e_result,
                },
                "supplement_count": r.supplement_count,
                "satisfaction": r.satisfaction,
            },
        }


M = TypeVar("M", bound=models.Model)


def _instances(model: type[M], rows: Sequence[Mapping[str, Any]]) -> list[M]:
    """``[model(**row) for row in rows]`` through Django's positional fast path: every column by position,
    the model's default for a column no row gives (a callable default is called for each instance)."""
    if not rows:
        return []
    fields = model._meta.concrete_fields
    unknown = rows[0].keys() - {f.attname for f in fields}
    assert not unknown, f"not columns of {model.__name__}: {sorted(unknown)}"
    plan = []
    for f in fields:
        if f.attname in rows[0]:
            plan.append((f.attname, None, None))
        elif f.has_default() and callable(f.default):
            plan.append((f.attname, None, f.default))
        else:
            plan.append((f.attname, f.get_default(), None))
    instances = []
    for row in rows:
        values = [
            row[name] if factory is None and name in row else factory() if factory else constant
            for name, constant, factory in plan
        ]
        instances.append(model(*values))
    return instances


def _existing_codes(codes: list[str]) -> list[str]:
    """The dossier codes among ``codes`` already in the system (PostgreSQL: one array query)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Dossier._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT code FROM {table} WHERE code = ANY(%s)", [codes])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]
    found: list[str] = []
    for start in range(0, len(codes), 500):
        part = codes[start : start + 500]
        found.extend(str(c) for c in Dossier.objects.filter(code__in=part).values_list("code", flat=True))
    return found


# -- bulk writes: PostgreSQL COPY, SQLite executemany ---------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys: from the table's identity sequence (PostgreSQL), or after the highest
    key the table has had (SQLite ``AUTOINCREMENT``: the caller's write transaction holds the database)."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        used = cursor.fetchone()
        first = max(highest, used[0] if used else 0) + 1
        return list(range(first, first + count))


def _write_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (attribute name → value; the model's defaults fill the rest): PostgreSQL ``COPY``,
    SQLite one ``executemany`` (``bulk_create`` prepares every value of every object in Python and sends
    a few dozen rows a statement: several times slower for the import's hundreds of thousands)."""
    if connection.vendor == "postgresql":
        _copy_rows(model, rows)
    else:
        _insert_rows(model, rows)


#: column types SQLite takes as they are (no conversion through ``get_db_prep_save``)
_AS_IS = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "ForeignKey",
        "IntegerField",
        "OneToOneField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    }
)


def _insert_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` with one ``executemany``, the same columns and defaults as ``_copy_rows``."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    moment = now()
    plan: list[tuple[str, bool, Any]] = []  # (name, given by the rows, converter or the default's value)
    for f in fields:
        if f.attname in rows[0]:
            plan.append((f.attname, True, None if f.get_internal_type() in _AS_IS else f.get_db_prep_save))
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            value: Any = moment
        else:
            value = f.get_default()
        plan.append((f.attname, False, f.get_db_prep_save(value, connection)))
    prepared: dict[tuple[str, type, Any], Any] = {}  # repeated values (timestamps) are converted once
    params = []
    for row in rows:
        cells = []
        for name, given, extra in plan:
            if not given:
                cells.append(extra)
            elif extra is None:
                cells.append(row[name])
            else:
                value = row[name]
                if isinstance(value, dict | list):  # JSON: not hashable, converted every time
                    cells.append(extra(value, connection))
                    continue
                key = (name, type(value), value)
                if key not in prepared:
                    prepared[key] = extra(value, connection)
                cells.append(prepared[key])
        params.append(cells)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})", params)  # noqa: S608


def _copy_text(value: Any) -> str:
    """A value as a cell of PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_rows(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` (attribute name → value; the model's defaults fill the rest) with one ``COPY``.

    Every concrete column is sent: ``auto_now_add`` columns get now, others their Django default, so a
    column added later with a default needs no change here. The primary key is sent only when given."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    moment = now()
    json_columns = {f.attname for f in fields if isinstance(f, models.JSONField)}
    defaults: dict[str, str] = {}  # the cells of the columns no row gives, once
    for f in fields:
        if f.attname in rows[0]:
            continue
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            value: Any = moment
        else:
            value = f.get_default()
        if f.attname in json_columns:
            value = json.dumps(value, ensure_ascii=False)
        defaults[f.attname] = _copy_text(value)
    plan = [(f.attname, defaults.get(f.attname), f.attname in json_columns) for f in fields]
    texts: dict[Any, str] = {}  # repeated values (timestamps, ids, statuses) are converted once
    lines = []
    for row in rows:
        cells = []
        for name, constant, is_json in plan:
            if constant is not None:
                cells.append(constant)
                continue
            value = row[name]
            if is_json:
                cells.append(_copy_text(json.dumps(value, ensure_ascii=False)))
                continue
            key = (type(value), value)
            text = texts.get(key)
            if text is None:
                text = texts[key] = _copy_text(value)
            cells.append(text)
        lines.append("\t".join(cells))
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        copy.write("\n".join(lines) + "\n")


IMPORTERS: dict[str, type[Importer[Any]]] = {
    "agencies": AgencyImporter,
    "offerings": OfferingImporter,
    "dossiers": DossierImporter,
}


# -- the service -----------------------------------------------------------------------------------------


def check_file(table: Table, importer: Importer[Any], progress: Progress | None = None) -> Checked:
    """Validate every row of ``table`` (nothing is written)."""
    checked = Checked()
    rows = table.rows()
    first = next(rows, None)
    if first is None:
        checked.rejections.append(
            Rejection(
                1, "", "Tệp rỗng: không có dòng tiêu đề.", "The file is empty: no header row.", "empty_file"
            )
        )
        return checked
    header, problems = read_header(first[1], importer.columns)
    if problems:
        checked.rejections.extend(problems)
        checked.rows_total = sum(1 for _ in rows)
        return checked
    total = sum(1 for _ in table.rows()) - 1
    checked.rows_total = total
    if total == 0:
        checked.rejections.append(
            Rejection(2, "", "Tệp không có dòng dữ liệu nào.", "The file has no data rows.", "no_rows")
        )
        return checked
    step = max(1, total // 100)
    if progress is not None:
        progress(0, total)
    for done, (number, cells) in enumerate(rows, start=1):
        row = Row(number, cells, header)
        record = importer.check_row(row)
        if row.rejections:
            checked.rejections.extend(row.rejections)
        elif record is not None:
            checked.records[number] = record
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)
    importer.check_all(checked, header)
    return checked


def import_file(
    path: str | Path,
    kind: str,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    user: User | None = None,
    progress: Progress | None = None,
) -> HistoricalImport:
    """Validate and import one file of ``kind`` (``agencies``, ``offerings`` or ``dossiers``).

    Returns the ``HistoricalImport`` record, whose ``status`` says what happened: ``dry_run`` (validated
    only), ``rejected`` (some row was invalid and ``skip_invalid`` was not given: nothing written),
    ``done`` (written; with ``skip_invalid`` the invalid rows were left out) or ``failed`` (an unexpected
    error rolled everything back; the error is raised again). The rejections are also written to
    ``<file>.rejected.csv`` next to the input.
    """
    path = Path(path)
    if kind not in IMPORTERS:
        raise DomainError(
            "import_kind",
            f"Loại dữ liệu '{kind}' không hợp lệ; dùng một trong: {', '.join(KINDS)}.",
            f"Unknown kind '{kind}'; use one of: {', '.join(KINDS)}.",
            field="kind",
        )
    if not path.is_file():
        raise DomainError(
            "import_file_missing",
            f"Không tìm thấy tệp '{path}'.",
            f"The file '{path}' does not exist.",
            field="file",
        )
    table = Table(path)
    batch = HistoricalImport.objects.create(
        kind=kind,
        file_name=path.name[:255],
        sha256=file_sha256(path),
        dry_run=dry_run,
        started_at=now(),
        status="running",
        imported_by=user,
    )
    try:
        importer = IMPORTERS[kind]()
        try:
            checked = check_file(table, importer, progress)
        except DomainError as error:  # the file itself cannot be read
            checked = Checked(rejections=[Rejection(0, "", error.message_vi, error.message_en, error.code)])
        rejected_rows = checked.rejected_rows
        header_problem = any(r.row <= 1 for r in checked.rejections)
        records = [r for n, r in sorted(checked.records.items()) if n not in rejected_rows]
        batch.rows_total = checked.rows_total
        batch.rows_rejected = checked.rows_total if header_problem else len(rejected_rows)
        batch.rejected = [r.as_dict() for r in checked.rejections[:MAX_STORED_REJECTIONS]]
        write_rejected_report(path, sorted(checked.rejections, key=lambda r: r.row))
        if dry_run:
            batch.status = "dry_run"
        elif checked.rejections and (not skip_invalid or not records):
            batch.status = "rejected"
        else:
            if progress is not None:
                progress(0, len(records))
            with transaction.atomic():
                batch.rows_imported = importer.write(records, batch, progress)
            batch.status = "done"
    except BaseException:
        batch.status = "failed"
        batch.rows_imported = 0
        batch.finished_at = now()
        batch.save()
        raise
    batch.finished_at = now()
    batch.save()
    return batch


def imported_dossiers(batch: HistoricalImport) -> Iterable[int]:
    """The ids of the dossiers an import wrote (from their import events)."""
    return (
        DossierEvent.objects.filter(action=IMPORT_ACTION, payload__batch=batch.pk)
        .values_list("dossier_id", flat=True)
        .order_by("dossier_id")
    )
