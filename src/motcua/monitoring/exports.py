"""Reports a provincial office sends upward (báo cáo kết quả giải quyết thủ tục hành chính), as Excel and PDF.

One table: a row per unit (by default the direct children of the reporting scope) and a total row for the
scope itself; a column group per indicator (by default ``indicators.REPORT_DEFAULT``) with its value, the
target threshold (chỉ tiêu) that applies to that unit and the status against it. Both files are built from
the same ``Report`` (``build_report``): the counters of every row come from one ``queries.counts_many``
(two under "as is", see ``build_report``), the values from ``indicators.compute_all`` of those counters.

Targets and status (DESIGN). Several targets may apply to one unit for one indicator
(``targets.applicable_targets``: national, provincial, its own); the report shows the most specific one
(a target naming the unit, then a target of its kind ``within`` the nearest ancestor, then one of its kind
anywhere; then the one whose period overlaps the report's most, then the latest) and lists every applicable
target on the "Chỉ tiêu - Targets" sheet. The status compares the report period's value with that
threshold: ``met``/``missed`` once the report period has ended (``today`` on or after its end), otherwise
``on_track``/``at_risk`` with the value to date as the projection and the risk margin of
``MONITORING_POLICY`` (as ``targets.assess`` does before a trend is available); ``no_data`` when the value
is N/A. A target's own-period assessment (with its trend) is ``targets.assess``.

Excel (openpyxl): values are numbers with the format ``0.00`` (N/A is the text "N/A", never 0), thresholds
numbers prefixed by their comparison (``"≥ "0.00``). Sheet names cannot contain "/" in Excel, so the
bilingual names are written "Định nghĩa - Definitions". PDF: A4 landscape, the state header of the other
papers, rendered by WeasyPrint like ``documents`` renders them; a report, not signed.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import weasyprint  # type: ignore[import-untyped]
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from motcua.agencies.models import Agency, AgencyKind
from motcua.core.clock import VN_TZ, now, to_vn
from motcua.documents import pdf as documents_pdf
from motcua.monitoring import indicators, policies, queries
from motcua.monitoring.indicators import PERCENT, POINTS, WORKING_DAYS, Indicator, IndicatorValue
from motcua.monitoring.models import Comparison, Target
from motcua.monitoring.periods import Period
from motcua.monitoring.targets import TargetStatus, applicable_targets, is_at_risk, satisfies

__all__ = [
    "NA",
    "Cell",
    "Report",
    "ReportRow",
    "build_report",
    "excel_report",
    "pdf_report",
    "status_against",
]

#: What a cell shows when the indicator has no value (zero denominator): never 0.
NA = "N/A"
#: What a target cell shows when no target applies.
NO_TARGET = "—"
TEMPLATE = "monitoring/report.html"
#: Indicators per table in the PDF (one column each on a landscape A4 page: value, target, status).
PDF_INDICATORS_PER_TABLE = 9

TITLE_VI = "BÁO CÁO KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH VÀ CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN"
TITLE_EN = "Report on administrative procedure handling and online public services"
SOURCE_VI = (
    "Nguồn: Hệ thống thông tin giải quyết thủ tục hành chính (motcua), số liệu tổng hợp theo ngày từ các bước "
    "xử lý hồ sơ; công thức và căn cứ của từng chỉ số tại trang “Định nghĩa”."
)
SOURCE_EN = (
    "Source: motcua administrative procedure information system, daily aggregates of the dossiers' "
    "processing steps; each indicator's formula and basis are on the “Definitions” sheet."
)
NA_NOTE = "N/A: không có dữ liệu (mẫu số bằng 0), không phải 0 %. / N/A: no data (zero denominator), not 0 %."
BASIS = {
    False: (
        "Số liệu theo đơn vị tại thời điểm phát sinh (as was)",
        "Figures by the unit at the time they arose (as was)",
    ),
    True: (
        "Số liệu của đơn vị đã sắp xếp quy về đơn vị kế thừa (as is)",
        "Figures of merged units rolled up into their successors (as is)",
    ),
}
UNIT_LABELS: dict[str, tuple[str, str]] = {
    PERCENT: ("%", "%"),
    WORKING_DAYS: ("ngày làm việc", "working days"),
    POINTS: ("điểm", "points"),
}
#: Order of the rows when the units are the scope's children.
KIND_ORDER = {kind.value: position for position, kind in enumerate(AgencyKind)}


# --------------------------------------------------------------------------------------------------
# The report, independent of its format
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One indicator of one row: its value, the target shown beside it and the status against it."""

    value: IndicatorValue
    target: Target | None
    status: TargetStatus | None


@dataclass(frozen=True)
class ReportRow:
    agency: Agency
    is_total: bool
    cells: dict[str, Cell]
    #: Every target applicable to the row's unit for a reported indicator (the sheet of targets).
    targets: tuple[Target, ...]

    @property
    def label(self) -> str:
        name = self.agency.name
        if self.is_total:
            return f"Tổng cộng — {name}"
        if self.agency.valid_to is not None:
            return f"{name} (đến {self.agency.valid_to:%d/%m/%Y})"
        return name


@dataclass(frozen=True)
class Report:
    scope: Agency
    period: Period
    as_is: bool
    today: date
    generated_at: datetime
    indicators: tuple[Indicator, ...]
    rows: tuple[ReportRow, ...]

    @property
    def data_until(self) -> date:
        """The last day the figures cover: the period's last day, or today while it runs."""
        return min(self.period.last, self.today)


def status_against(target: Target, value: IndicatorValue, period: Period, today: date) -> TargetStatus:
    """Where ``value`` (of ``period``) stands against ``target``'s threshold (module docstring)."""
    if value.value is None:
        return TargetStatus.NO_DATA
    threshold = Decimal(target.threshold)
    if today >= period.end:
        met = satisfies(target.comparison, value.value, threshold)
        return TargetStatus.MET if met else TargetStatus.MISSED
    margin = Decimal(policies.current().target_risk_margin_points)
    risky = is_at_risk(target.comparison, value.value, threshold, margin)
    return TargetStatus.AT_RISK if risky else TargetStatus.ON_TRACK


def _overlap_days(target: Target, period: Period) -> int:
    return (min(target.period_end, period.end) - max(target.period_start, period.start)).days


def _pick_target(candidates: list[Target], unit: Agency, period: Period) -> Target | None:
    """The most specific of the targets applicable to ``unit`` for one indicator (module docstring)."""

    def key(target: Target) -> tuple[int, int, int, date, int]:
        own = 2 if target.agency_id == unit.pk else 1 if target.within_id is not None else 0
        depth = target.within.depth if target.within is not None else -1
        return (own, depth, _overlap_days(target, period), target.period_start, target.pk)

    return max(candidates, key=key) if candidates else None


def default_units(scope: Agency, period: Period, *, as_is: bool) -> list[Agency]:
    """The direct children of ``scope``: those existing now ("as is"), or those that existed during
    ``period`` ("as was", including units since merged, which keep their own history)."""
    children = Agency.objects.filter(parent=scope)
    if as_is:
        children = children.filter(valid_to__isnull=True)
    else:
        children = children.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start)).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lt=period.end)
        )
    return sorted(children, key=lambda a: (KIND_ORDER.get(a.kind, len(KIND_ORDER)), a.code))


def _unique(agencies: Sequence[Agency]) -> list[Agency]:
    seen: dict[int, Agency] = {}
    for agency in agencies:
        seen.setdefault(agency.pk, agency)
    return list(seen.values())


def build_report(
    scope: Agency,
    period: Period,
    *,
    as_is: bool = False,
    codes: Sequence[str] | None = None,
    units: list[Agency] | None = None,
    today: date | None = None,
) -> Report:
    """The rows (``units`` or ``default_units``, then the total row of ``scope``) and their cells.

    Counters: one ``queries.counts_many`` over every row. Under "as is" the scope and its units are read
    in two calls, because a merged unit rolled up into a unit is also rolled up into the scope and
    ``counts_many`` gives each agency to one scope of a call only.
    """
    chosen = tuple(
        indicators.get(code) for code in (codes if codes is not None else indicators.REPORT_DEFAULT)
    )
    wanted = [indicator.code for indicator in chosen]
    today = today or queries.today()
    rows_units = list(units) if units is not None else default_units(scope, period, as_is=as_is)
    if as_is:
        counts = queries.counts_many(_unique(rows_units), period, as_is=True, today_=today)
        counts.update(queries.counts_many([scope], period, as_is=True, today_=today))
    else:
        counts = queries.counts_many(_unique([*rows_units, scope]), period, today_=today)
    rows: list[ReportRow] = []
    for agency, is_total in [*((u, False) for u in rows_units), (scope, True)]:
        values = indicators.compute_all(counts[agency.pk], wanted)
        applicable = [t for t in applicable_targets(agency, period) if t.indicator in values]
        cells: dict[str, Cell] = {}
        for code, value in values.items():
            target = _pick_target([t for t in applicable if t.indicator == code], agency, period)
            status = None if target is None else status_against(target, value, period, today)
            cells[code] = Cell(value, target, status)
        rows.append(ReportRow(agency, is_total, cells, tuple(applicable)))
    return Report(scope, period, as_is, today, now(), chosen, tuple(rows))


# --------------------------------------------------------------------------------------------------
# Shared wording
# --------------------------------------------------------------------------------------------------


def _vi(label: str) -> str:
    return str(label).split(" / ")[0]


def _comparison_sign(comparison: str) -> str:
    return str(Comparison(comparison).label)


def formula_text(indicator: Indicator) -> str:
    """The first paragraph of the formula's docstring (what it divides by what), on one line."""
    doc = inspect.getdoc(indicator.compute) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _unit_header(indicator: Indicator) -> tuple[str, str]:
    return UNIT_LABELS.get(indicator.unit, (indicator.unit, indicator.unit))


def _name_with_unit(indicator: Indicator) -> str:
    """``name_vi (unit)`` unless the name already says its unit (``... (ngày làm việc)``)."""
    unit_vi = _unit_header(indicator)[0]
    return indicator.name_vi if unit_vi in indicator.name_vi else f"{indicator.name_vi} ({unit_vi})"


def _issuer_header(agency: Agency) -> dict[str, str]:
    """The issuer block: the agency and the one above it, except the nation (a province writes only
    its own name)."""
    parent = agency.parent
    above = parent.name if parent is not None and parent.kind != AgencyKind.NATION else ""
    return {"agency_name": agency.name, "parent_agency_name": above}


def _title_lines(report: Report) -> list[tuple[str, str]]:
    """(Vietnamese, English) lines of the title block, shared by both formats."""
    scope, period = report.scope, report.period
    generated = to_vn(report.generated_at)
    basis_vi, basis_en = BASIS[report.as_is]
    return [
        ("Đơn vị báo cáo", f"{scope.name} ({scope.code}) / Reporting agency"),
        (
            "Kỳ báo cáo",
            f"{period.label_vi}, từ {period.start:%d/%m/%Y} đến {period.last:%d/%m/%Y} / "
            f"Period: {period.label_en}",
        ),
        ("Số liệu tính đến hết ngày", f"{report.data_until:%d/%m/%Y} / Figures up to and including"),
        ("Cách tính", f"{basis_vi} / {basis_en}"),
        ("Thời điểm lập", f"{generated:%H:%M} {generated:%d/%m/%Y} / Generated at"),
    ]


# --------------------------------------------------------------------------------------------------
# Excel
# --------------------------------------------------------------------------------------------------

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
STATUS_FILLS = {
    TargetStatus.MET: PatternFill("solid", fgColor="C6EFCE"),
    TargetStatus.ON_TRACK: PatternFill("solid", fgColor="E2EFDA"),
    TargetStatus.AT_RISK: PatternFill("solid", fgColor="FFEB9C"),
    TargetStatus.MISSED: PatternFill("solid", fgColor="FFC7CE"),
}
WRAP_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
VALUE_FORMAT = "0.00"
COUNT_FORMAT = "0"
#: Header rows of the report and components sheets: Vietnamese name, English name, column kind.
FIRST_HEADER_ROW = 11
FIRST_DATA_ROW = FIRST_HEADER_ROW + 3
LEAD_COLUMNS = (("STT", "No.", 6), ("Mã đơn vị", "Code", 18), ("Đơn vị", "Unit", 42))
SHEET_REPORT = "Báo cáo - Report"
SHEET_DEFINITIONS = "Định nghĩa - Definitions"
SHEET_COMPONENTS = "Tử số, mẫu số - Components"
SHEET_TARGETS = "Chỉ tiêu - Targets"


def _write_title(sheet: Worksheet, report: Report, subtitle_vi: str, subtitle_en: str) -> None:
    sheet.cell(row=1, column=1, value=TITLE_VI).font = Font(bold=True, size=14)
    sheet.cell(row=2, column=1, value=f"{TITLE_EN} — {subtitle_en}").font = Font(italic=True)
    sheet.cell(row=3, column=1, value=subtitle_vi).font = Font(bold=True)
    for offset, (label_vi, text) in enumerate(_title_lines(report)):
        sheet.cell(row=4 + offset, column=1, value=f"{label_vi}: {text}")
    sheet.cell(row=9, column=1, value=f"{SOURCE_VI} {SOURCE_EN}").font = Font(italic=True, size=9)
    sheet.cell(row=10, column=1, value=NA_NOTE).font = Font(italic=True, size=9)


def _header(sheet: Worksheet, row: int, column: int, text: str, *, span: int = 1, bold: bool = True) -> None:
    cell = sheet.cell(row=row, column=column, value=text)
    cell.font = Font(bold=bold, italic=not bold)
    cell.alignment = WRAP_CENTER
    cell.fill = HEADER_FILL
    for c in range(column, column + span):
        sheet.cell(row=row, column=c).border = BORDER
        sheet.cell(row=row, column=c).fill = HEADER_FILL
    if span > 1:
        sheet.merge_cells(start_row=row, start_column=column, end_row=row, end_column=column + span - 1)


def _lead_headers(sheet: Worksheet) -> None:
    for column, (vi, en, width) in enumerate(LEAD_COLUMNS, start=1):
        _header(sheet, FIRST_HEADER_ROW, column, vi)
        _header(sheet, FIRST_HEADER_ROW + 1, column, en, bold=False)
        _header(sheet, FIRST_HEADER_ROW + 2, column, "")
        sheet.column_dimensions[get_column_letter(column)].width = width


def _lead_cells(sheet: Worksheet, row: int, number: int, report_row: ReportRow) -> None:
    values: list[Any] = ["" if report_row.is_total else number, report_row.agency.code, report_row.label]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BORDER
        cell.alignment = Alignment(vertical="center", wrap_text=column == 3)


def _finish_row(sheet: Worksheet, row: int, last_column: int, is_total: bool) -> None:
    if not is_total:
        return
    for column in range(1, last_column + 1):
        cell = sheet.cell(row=row, column=column)
        cell.font = Font(bold=True)
        if cell.fill.fill_type is None:  # keep the colour of a status
            cell.fill = TOTAL_FILL


def _threshold_format(target: Target) -> str:
    return f'"{_comparison_sign(target.comparison)} "{VALUE_FORMAT}'


def _report_sheet(sheet: Worksheet, report: Report) -> None:
    _write_title(sheet, report, "Biểu tổng hợp theo đơn vị", "by unit")
    _lead_headers(sheet)
    column = len(LEAD_COLUMNS) + 1
    for indicator in report.indicators:
        unit_vi, unit_en = _unit_header(indicator)
        _header(sheet, FIRST_HEADER_ROW, column, indicator.name_vi, span=3)
        _header(sheet, FIRST_HEADER_ROW + 1, column, indicator.name_en, span=3, bold=False)
        _header(sheet, FIRST_HEADER_ROW + 2, column, f"Giá trị ({unit_vi})\nValue ({unit_en})")
        _header(sheet, FIRST_HEADER_ROW + 2, column + 1, "Chỉ tiêu\nTarget")
        _header(sheet, FIRST_HEADER_ROW + 2, column + 2, "Đánh giá\nStatus")
        for offset, width in enumerate((12, 12, 14)):
            sheet.column_dimensions[get_column_letter(column + offset)].width = width
        column += 3
    last_column = column - 1
    sheet.row_dimensions[FIRST_HEADER_ROW].height = 45
    sheet.row_dimensions[FIRST_HEADER_ROW + 1].height = 30
    sheet.row_dimensions[FIRST_HEADER_ROW + 2].height = 30
    for number, report_row in enumerate(report.rows, start=1):
        row = FIRST_DATA_ROW + number - 1
        _lead_cells(sheet, row, number, report_row)
        column = len(LEAD_COLUMNS) + 1
        for indicator in report.indicators:
            cell_data = report_row.cells[indicator.code]
            value = cell_data.value.value
            value_cell = sheet.cell(row=row, column=column, value=NA if value is None else value)
            value_cell.number_format = VALUE_FORMAT
            value_cell.alignment = Alignment(horizontal="right")
            target = cell_data.target
            target_cell = sheet.cell(
                row=row, column=column + 1, value=NO_TARGET if target is None else Decimal(target.threshold)
            )
            target_cell.alignment = Alignment(horizontal="right" if target is not None else "center")
            if target is not None:
                target_cell.number_format = _threshold_format(target)
            status_cell = sheet.cell(
                row=row,
                column=column + 2,
                value=_vi(cell_data.status.label) if cell_data.status is not None else NO_TARGET,
            )
            status_cell.alignment = Alignment(horizontal="center", wrap_text=True)
            fill = STATUS_FILLS.get(cell_data.status) if cell_data.status is not None else None
            if fill is not None:
                status_cell.fill = fill
            for c in range(column, column + 3):
                sheet.cell(row=row, column=c).border = BORDER
            column += 3
        _finish_row(sheet, row, last_column, report_row.is_total)
    sheet.freeze_panes = f"{get_column_letter(len(LEAD_COLUMNS) + 1)}{FIRST_DATA_ROW}"


def _components_sheet(sheet: Worksheet, report: Report) -> None:
    _write_title(sheet, report, "Tử số và mẫu số của từng chỉ số", "numerators and denominators")
    _lead_headers(sheet)
    column = len(LEAD_COLUMNS) + 1
    for indicator in report.indicators:
        _header(sheet, FIRST_HEADER_ROW, column, indicator.name_vi, span=2)
        _header(sheet, FIRST_HEADER_ROW + 1, column, indicator.name_en, span=2, bold=False)
        _header(sheet, FIRST_HEADER_ROW + 2, column, "Tử số\nNumerator")
        _header(sheet, FIRST_HEADER_ROW + 2, column + 1, "Mẫu số\nDenominator")
        for offset in (0, 1):
            sheet.column_dimensions[get_column_letter(column + offset)].width = 13
        column += 2
    last_column = column - 1
    sheet.row_dimensions[FIRST_HEADER_ROW].height = 45
    sheet.row_dimensions[FIRST_HEADER_ROW + 1].height = 30
    for number, report_row in enumerate(report.rows, start=1):
        row = FIRST_DATA_ROW + number - 1
        _lead_cells(sheet, row, number, report_row)
        column = len(LEAD_COLUMNS) + 1
        for indicator in report.indicators:
            value = report_row.cells[indicator.code].value
            for offset, part in enumerate((value.numerator, value.denominator)):
                cell = sheet.cell(row=row, column=column + offset, value=NO_TARGET if part is None else part)
                cell.border = BORDER
                cell.alignment = Alignment(horizontal="right" if part is not None else "center")
                if part is not None:
                    cell.number_format = COUNT_FORMAT
            column += 2
        _finish_row(sheet, row, last_column, report_row.is_total)
    sheet.freeze_panes = f"{get_column_letter(len(LEAD_COLUMNS) + 1)}{FIRST_DATA_ROW}"


DEFINITION_COLUMNS = (
    ("STT", "No.", 6),
    ("Mã chỉ số", "Code", 34),
    ("Tên chỉ số", "Name (Vietnamese)", 42),
    ("Tên tiếng Anh", "Name (English)", 36),
    ("Đơn vị tính", "Unit", 14),
    ("Chiều tốt", "Better when", 12),
    ("Công thức", "Formula", 70),
    ("Nguồn công thức", "Formula source", 50),
    ("Bộ đếm tử số", "Numerator counter", 26),
    ("Bộ đếm mẫu số", "Denominator counter", 26),
)


def _titled_table(sheet: Worksheet, title: str, columns: Sequence[tuple[str, str, int]]) -> int:
    """Write ``title`` and the bilingual header of ``columns`` (label vi, label en, width); return the first
    body row."""
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=13)
    for column, (vi, en, width) in enumerate(columns, start=1):
        _header(sheet, 3, column, f"{vi}\n{en}")
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[3].height = 30
    return 4


def _body_row(sheet: Worksheet, row: int, values: Sequence[Any], wrap: Callable[[int], bool]) -> None:
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=value)
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=wrap(column))


def _definitions_sheet(sheet: Worksheet, report: Report) -> None:
    row = _titled_table(sheet, "ĐỊNH NGHĨA CÁC CHỈ SỐ / INDICATOR DEFINITIONS", DEFINITION_COLUMNS)
    for number, indicator in enumerate(report.indicators, start=1):
        unit_vi, unit_en = _unit_header(indicator)
        better = "Cao hơn / Higher" if indicator.higher_is_better else "Thấp hơn / Lower"
        values: list[Any] = [
            number,
            indicator.code,
            indicator.name_vi,
            indicator.name_en,
            f"{unit_vi} / {unit_en}" if unit_vi != unit_en else unit_vi,
            better,
            formula_text(indicator),
            indicator.source,
            indicator.numerator_measure or NO_TARGET,
            indicator.denominator_measure or NO_TARGET,
        ]
        _body_row(sheet, row, values, lambda _column: True)
        row += 1
    row += 1
    sheet.cell(row=row, column=2, value="Đánh giá / Status").font = Font(bold=True)
    rule = (
        "So sánh giá trị của kỳ báo cáo với ngưỡng chỉ tiêu; kỳ đang diễn ra: giá trị đến nay, có nguy cơ "
        f"khi cách ngưỡng dưới {policies.current().target_risk_margin_points} điểm. / The report period's "
        "value against the threshold; while the period runs, the value to date, at risk within "
        f"{policies.current().target_risk_margin_points} points of the threshold."
    )
    sheet.cell(row=row, column=3, value=rule).alignment = Alignment(wrap_text=True, vertical="top")
    for status in TargetStatus:
        row += 1
        sheet.cell(row=row, column=2, value=status.value)
        sheet.cell(row=row, column=3, value=str(status.label))
    row += 2
    sheet.cell(row=row, column=2, value=NA_NOTE)
    sheet.freeze_panes = "C4"


TARGET_COLUMNS = (
    ("STT", "No.", 6),
    ("Đơn vị", "Unit", 40),
    ("Chỉ số", "Indicator", 40),
    ("Khung chỉ tiêu", "Framework", 40),
    ("So sánh", "Comparison", 10),
    ("Ngưỡng", "Threshold", 11),
    ("Từ ngày", "From", 12),
    ("Đến ngày", "To", 12),
    ("Căn cứ", "Legal basis", 50),
    ("Dùng trong báo cáo", "Shown in the report", 14),
)


def _targets_sheet(sheet: Worksheet, report: Report) -> None:
    row = _titled_table(sheet, "CHỈ TIÊU ÁP DỤNG / APPLICABLE TARGETS", TARGET_COLUMNS)
    names = {indicator.code: indicator.name_vi for indicator in report.indicators}
    number = 0
    for report_row in report.rows:
        shown = {cell.target.pk for cell in report_row.cells.values() if cell.target is not None}
        for target in report_row.targets:
            number += 1
            values: list[Any] = [
                number,
                report_row.label,
                names.get(target.indicator, target.indicator),
                target.framework,
                _comparison_sign(target.comparison),
                Decimal(target.threshold),
                target.period_start,
                target.period_end - timedelta(days=1),
                target.legal_basis,
                "Có / Yes" if target.pk in shown else "Không / No",
            ]
            _body_row(sheet, row, values, lambda column: column in (2, 3, 4, 9))
            sheet.cell(row=row, column=6).number_format = VALUE_FORMAT
            sheet.cell(row=row, column=7).number_format = "dd/mm/yyyy"
            sheet.cell(row=row, column=8).number_format = "dd/mm/yyyy"
            row += 1
    if number == 0:
        sheet.cell(row=row, column=2, value="Không có chỉ tiêu nào áp dụng. / No target applies.")
    sheet.freeze_panes = "A4"


def excel_report(
    scope: Agency,
    period: Period,
    *,
    as_is: bool = False,
    codes: Sequence[str] | None = None,
    units: list[Agency] | None = None,
    today: date | None = None,
) -> bytes:
    """The report as an .xlsx workbook: the table, the definitions, the numerators and denominators and
    the applicable targets (module docstring)."""
    report = build_report(scope, period, as_is=as_is, codes=codes, units=units, today=today)
    workbook = Workbook()
    main = workbook.active
    assert main is not None
    main.title = SHEET_REPORT
    _report_sheet(main, report)
    _definitions_sheet(workbook.create_sheet(SHEET_DEFINITIONS), report)
    _components_sheet(workbook.create_sheet(SHEET_COMPONENTS), report)
    _targets_sheet(workbook.create_sheet(SHEET_TARGETS), report)
    workbook.properties.title = f"{TITLE_VI} — {scope.name} — {period.label_vi}"
    workbook.properties.creator = "motcua"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------


def vn_number(value: Decimal) -> str:
    """``66,67``: two decimals with the Vietnamese decimal comma."""
    return f"{value:.2f}".replace(".", ",")


def _pdf_cell(cell: Cell, indicator: Indicator) -> dict[str, Any]:
    value = cell.value
    parts = ""
    if indicator.unit == PERCENT and value.numerator is not None and value.denominator is not None:
        parts = f"{value.numerator}/{value.denominator}"
    target, status = cell.target, cell.status
    return {
        "value": NA if value.value is None else vn_number(value.value),
        "na": value.value is None,
        "parts": parts,
        "target": NO_TARGET
        if target is None
        else f"{_comparison_sign(target.comparison)} {vn_number(Decimal(target.threshold))}",
        # An N/A value is not assessed; the cell says N/A already (the legend explains it).
        "status": "" if status is None or status == TargetStatus.NO_DATA else _vi(status.label),
        "status_code": status.value if status is not None else "",
    }


def _pdf_context(report: Report) -> dict[str, Any]:
    chunks = [
        report.indicators[i : i + PDF_INDICATORS_PER_TABLE]
        for i in range(0, len(report.indicators), PDF_INDICATORS_PER_TABLE)
    ]
    tables = []
    for chunk in chunks:
        tables.append(
            {
                "indicators": [
                    {"name_vi": _name_with_unit(indicator), "name_en": indicator.name_en}
                    for indicator in chunk
                ],
                "rows": [
                    {
                        "number": "" if row.is_total else number,
                        "label": row.label,
                        "code": row.agency.code,
                        "is_total": row.is_total,
                        "cells": [_pdf_cell(row.cells[indicator.code], indicator) for indicator in chunk],
                    }
                    for number, row in enumerate(report.rows, start=1)
                ],
            }
        )
    scope = report.scope
    reference = f"{scope.code}:{report.period.start:%Y%m%d}-{report.period.last:%Y%m%d}"
    return {
        "title_vi": TITLE_VI,
        "title_en": TITLE_EN,
        **_issuer_header(scope),
        "period_vi": report.period.label_vi,
        "period_en": report.period.label_en,
        "start": report.period.start,
        "last": report.period.last,
        "data_until": report.data_until,
        "basis_vi": BASIS[report.as_is][0],
        "basis_en": BASIS[report.as_is][1],
        "generated_at": to_vn(report.generated_at),
        "code": f"BAO-CAO {reference}{' AS-IS' if report.as_is else ''}",
        "source_vi": SOURCE_VI,
        "source_en": SOURCE_EN,
        "na_note": NA_NOTE,
        "tables": tables,
        "definitions": [
            {
                "code": indicator.code,
                "name_vi": indicator.name_vi,
                "name_en": indicator.name_en,
                "formula": formula_text(indicator),
                "source": indicator.source,
            }
            for indicator in report.indicators
        ],
        "risk_margin": policies.current().target_risk_margin_points,
    }


def render_report_html(report: Report) -> str:
    """The HTML of the PDF report (``monitoring/report.html``), in Vietnamese on the Hanoi clock."""
    with translation.override("vi"), timezone.override(VN_TZ):
        return render_to_string(TEMPLATE, _pdf_context(report))


def pdf_report(
    scope: Agency,
    period: Period,
    *,
    as_is: bool = False,
    codes: Sequence[str] | None = None,
    units: list[Agency] | None = None,
    today: date | None = None,
) -> bytes:
    """The report as an A4 landscape PDF (state header, page numbers, fonts embedded; not signed)."""
    report = build_report(scope, period, as_is=as_is, codes=codes, units=units, today=today)
    html = render_report_html(report)
    # The same WeasyPrint set-up as documents.pdf.render_pdf (offline fetcher, PDF/A-2b); that function
    # only renders templates under documents/pdf/.
    document = weasyprint.HTML(string=html, url_fetcher=documents_pdf._no_network_fetcher())
    pdf = document.write_pdf(pdf_variant=documents_pdf.PDF_VARIANT)
    assert isinstance(pdf, bytes)
    return pdf
