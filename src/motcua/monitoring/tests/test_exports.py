"""The report sent upward, as Excel and PDF, over dossiers made through the real services in two communes.

March 2026, residence procedure (1.004222, 7 working days; accepted Monday 2 March 08:30 → due Wednesday
11 March, see test_outcomes):
- commune A: two online dossiers resolved, one on 10 March (early) and one on 12 March (late), and one
  dossier received in person and still in progress → 2 of 3 received online = 66.67 %; 1 of 2 resolved on
  time = 50.00 %;
- commune B: one online dossier, accepted, in progress → 1 of 1 online = 100.00 %; nothing resolved, so
  the on-time rate is N/A (zero denominator), never 0;
- the province (total row): 3 of 4 online = 75.00 %.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from motcua.agencies.models import Agency, AgencyKind
from motcua.catalogue.models import Channel
from motcua.documents.tests.pdftext import media_box
from motcua.documents.tests.pdftext import text as pdf_text
from motcua.dossiers import services
from motcua.dossiers.constants import Action, DeliveryMethod
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import Cast, applicant_of, build_cast, file_online, perform, vn
from motcua.monitoring import exports, indicators, queries
from motcua.monitoring.models import Comparison, Target
from motcua.monitoring.periods import Period

MARCH = Period.month(2026, 3)
TODAY = date(2026, 7, 1)  # March is over: statuses are met / missed
CODES = ["online_dossier_rate", "on_time_rate", "late_rate", "online_service_rate", "average_processing_days"]


def _accept(cast: Cast, dossier: Dossier, actor: Any = None) -> Dossier:
    return perform(cast, dossier, Action.ACCEPT, at=vn(2026, 3, 2, 8, 30), actor=actor)


def _resolved_online(cast: Cast, resolved_at: Any) -> Dossier:
    dossier = _accept(cast, file_online(cast, vn(2026, 3, 2, 8)))
    dossier = perform(cast, dossier, Action.ASSIGN, at=vn(2026, 3, 2, 9))
    for action in (Action.PROCESS, Action.APPROVE):
        dossier = perform(cast, dossier, action, at=vn(2026, 3, 3, 9))
    return perform(cast, dossier, Action.RESOLVE, at=resolved_at)


def _submit(cast: Cast, agency: Agency, channel: str, actor: Any) -> Dossier:
    return services.submit(
        actor=actor,
        procedure=cast.procedure,
        receiving_agency=agency,
        competent_agency=agency,
        channel=channel,
        applicant=applicant_of(cast.citizen),
        delivery_method=DeliveryMethod.ONLINE,
        at=vn(2026, 3, 2, 8),
    )


@pytest.fixture
def cast(demo_world: Any) -> Cast:
    cast = build_cast(demo_world)
    _resolved_online(cast, vn(2026, 3, 10, 15))  # early
    _resolved_online(cast, vn(2026, 3, 12, 9))  # late
    _accept(cast, _submit(cast, cast.commune, Channel.IN_PERSON, cast.counter))
    _accept(
        cast,
        _submit(cast, cast.other_commune, Channel.ONLINE, cast.citizen),
        actor=cast.other_commune_counter,
    )
    return cast


def _target(indicator: str, threshold: str, **where: Any) -> Target:
    return Target.objects.create(
        framework=f"Chỉ tiêu thử {indicator} {threshold}",
        indicator=indicator,
        period_start=date(2026, 1, 1),
        period_end=date(2027, 1, 1),
        comparison=where.pop("comparison", Comparison.AT_LEAST),
        threshold=Decimal(threshold),
        legal_basis="Kế hoạch thử nghiệm",
        **where,
    )


def _sheet(pdf_or_xlsx: bytes, title: str) -> Worksheet:
    workbook = load_workbook(io.BytesIO(pdf_or_xlsx))
    sheet = workbook[title]
    assert isinstance(sheet, Worksheet)
    return sheet


def _row_of(sheet: Worksheet, label: str) -> int:
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row=row, column=3).value == label:
            return row
    raise AssertionError(f"no row {label!r}")


def _column_of(sheet: Worksheet, name_vi: str) -> int:
    for row in sheet.iter_rows(min_row=1, max_row=20):
        for cell in row:
            if cell.value == name_vi:
                assert isinstance(cell.column, int)
                return cell.column
    raise AssertionError(f"no column {name_vi!r}")


def _as_decimal(value: Any) -> Decimal:
    assert isinstance(value, int | float), f"{value!r} is not a number"
    return Decimal(str(value))


def test_the_workbook_holds_the_values_of_the_same_counts_and_na_as_text(cast: Cast) -> None:
    province = cast.world.province
    units = [cast.commune, cast.other_commune]
    data = exports.excel_report(province, MARCH, codes=CODES, units=units, today=TODAY)
    sheet = _sheet(data, exports.SHEET_REPORT)

    expected_by_hand = {  # (commune A, commune B, province) worked out in the module docstring
        "online_dossier_rate": (Decimal("66.67"), Decimal("100.00"), Decimal("75.00")),
        "on_time_rate": (Decimal("50.00"), None, Decimal("50.00")),
        "late_rate": (Decimal("50.00"), None, Decimal("50.00")),
    }
    labels = [cast.commune.name, cast.other_commune.name, f"Tổng cộng — {province.name}"]
    na_cells = 0
    for position, (agency, label) in enumerate(zip([*units, province], labels, strict=True)):
        row = _row_of(sheet, label)
        assert sheet.cell(row=row, column=2).value == agency.code
        computed = indicators.compute_all(queries.counts(agency, MARCH, today_=TODAY), CODES)
        for code in CODES:
            cell = sheet.cell(row=row, column=_column_of(sheet, indicators.get(code).name_vi))
            value = computed[code].value
            if value is None:
                assert cell.value == "N/A"
                na_cells += 1
            else:
                assert _as_decimal(cell.value) == value
                assert cell.number_format == "0.00"
            if code in expected_by_hand:
                hand = expected_by_hand[code][position]
                assert (cell.value == "N/A") if hand is None else _as_decimal(cell.value) == hand
    assert na_cells >= 2  # commune B's on-time and late rates at least
    assert sheet.freeze_panes == "D14"
    assert "Tháng 03/2026" in " ".join(str(c.value) for c in sheet["A"][:10] if c.value)

    components = _sheet(data, exports.SHEET_COMPONENTS)
    row = _row_of(components, cast.commune.name)
    column = _column_of(components, indicators.get("online_dossier_rate").name_vi)
    assert (
        components.cell(row=row, column=column).value,
        components.cell(row=row, column=column + 1).value,
    ) == (
        2,
        3,
    )
    definitions = _sheet(data, exports.SHEET_DEFINITIONS)
    codes_listed = [definitions.cell(row=r, column=2).value for r in range(4, 4 + len(CODES))]
    assert codes_listed == CODES
    sources = [definitions.cell(row=r, column=8).value for r in range(4, 4 + len(CODES))]
    assert sources == [indicators.get(code).source for code in CODES]


def test_targets_and_status_beside_each_value(cast: Cast) -> None:
    province = cast.world.province
    # Every commune of the province: online ≥ 70 %; a looser national one for communes is less specific.
    _target("online_dossier_rate", "70", agency_kind=AgencyKind.COMMUNE, within=province)
    _target("online_dossier_rate", "50", agency_kind=AgencyKind.COMMUNE)
    # Commune A's own: late ≤ 10 %.
    _target("late_rate", "10", agency=cast.commune, comparison=Comparison.AT_MOST)
    data = exports.excel_report(
        province, MARCH, codes=CODES, units=[cast.commune, cast.other_commune], today=TODAY
    )
    sheet = _sheet(data, exports.SHEET_REPORT)
    online = _column_of(sheet, indicators.get("online_dossier_rate").name_vi)
    late = _column_of(sheet, indicators.get("late_rate").name_vi)
    a, b = _row_of(sheet, cast.commune.name), _row_of(sheet, cast.other_commune.name)
    total = _row_of(sheet, f"Tổng cộng — {province.name}")

    assert _as_decimal(sheet.cell(row=a, column=online + 1).value) == Decimal(70)
    assert sheet.cell(row=a, column=online + 1).number_format == '"≥ "0.00'
    assert sheet.cell(row=a, column=online + 2).value == "Không đạt"  # 66.67 < 70
    assert sheet.cell(row=b, column=online + 2).value == "Đạt"  # 100 ≥ 70
    assert _as_decimal(sheet.cell(row=a, column=late + 1).value) == Decimal(10)
    assert sheet.cell(row=a, column=late + 2).value == "Không đạt"  # 50 > 10
    assert sheet.cell(row=b, column=late + 1).value == "—"  # commune B has no late-rate target
    assert sheet.cell(row=total, column=online + 1).value == "—"  # the province is not a commune

    targets = _sheet(data, exports.SHEET_TARGETS)
    shown = {
        (targets.cell(row=r, column=2).value, targets.cell(row=r, column=6).value): targets.cell(
            row=r, column=10
        ).value
        for r in range(4, targets.max_row + 1)
        if targets.cell(row=r, column=1).value
    }
    assert shown[(cast.commune.name, 70)] == "Có / Yes"
    assert shown[(cast.commune.name, 50)] == "Không / No"


def test_a_running_period_is_on_track_or_at_risk() -> None:
    target = Target(indicator="online_dossier_rate", comparison=Comparison.AT_LEAST, threshold=Decimal(70))
    value = indicators.IndicatorValue("online_dossier_rate", 3, 4, Decimal("75.00"), "percent")
    running = date(2026, 3, 20)
    # 75 clears 70 by 5 points: the default margin is 5, "less than the margin" is at risk, so on track.
    assert exports.status_against(target, value, MARCH, running) == "on_track"
    close = indicators.IndicatorValue("online_dossier_rate", 37, 50, Decimal("74.00"), "percent")
    assert exports.status_against(target, close, MARCH, running) == "at_risk"
    assert exports.status_against(target, close, MARCH, date(2026, 4, 1)) == "met"
    empty = indicators.IndicatorValue("online_dossier_rate", 0, 0, None, "percent")
    assert exports.status_against(target, empty, MARCH, running) == "no_data"


def test_default_rows_are_the_children_then_the_total(cast: Cast) -> None:
    data = exports.excel_report(cast.world.province, MARCH, codes=CODES[:1], today=TODAY)
    sheet = _sheet(data, exports.SHEET_REPORT)
    province = cast.world.province
    children = Agency.objects.filter(parent=province, valid_to__isnull=True).count()
    first = exports.FIRST_DATA_ROW
    labels = [sheet.cell(row=r, column=3).value for r in range(first, sheet.max_row + 1)]
    assert len(labels) == children + 1
    assert labels[-1] == f"Tổng cộng — {province.name}"
    assert cast.commune.name in labels
    assert cast.world.departments["Bộ Tư pháp"].name in labels


def test_the_pdf_shows_the_units_and_their_values(cast: Cast) -> None:
    province = cast.world.province
    pdf = exports.pdf_report(
        province, MARCH, codes=CODES, units=[cast.commune, cast.other_commune], today=TODAY
    )
    assert pdf.startswith(b"%PDF")
    width, height = media_box(pdf)
    assert width > height  # landscape
    shown = " ".join(pdf_text(pdf).split())
    assert cast.commune.name in shown
    assert cast.other_commune.name in shown
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in shown
    assert province.name.upper() in shown
    assert "66,67" in shown  # commune A: 2 of 3 received online
    assert "75,00" in shown  # the province: 3 of 4
    assert "N/A" in shown
    assert "Tháng 03/2026" in shown
    assert "Trang 1/" in shown  # page numbers
    assert indicators.get("online_dossier_rate").name_vi in shown


def test_as_is_reads_the_scope_as_the_queries_roll_it_up(cast: Cast) -> None:
    province = cast.world.province
    data = exports.excel_report(province, MARCH, as_is=True, codes=CODES, units=[cast.commune], today=TODAY)
    sheet = _sheet(data, exports.SHEET_REPORT)
    assert any("(as is)" in str(c.value) for c in sheet["A"][:10])
    for agency, label in ((cast.commune, cast.commune.name), (province, f"Tổng cộng — {province.name}")):
        row = _row_of(sheet, label)
        expected = indicators.compute_all(queries.counts(agency, MARCH, as_is=True, today_=TODAY), CODES)
        column = _column_of(sheet, indicators.get("online_dossier_rate").name_vi)
        assert _as_decimal(sheet.cell(row=row, column=column).value) == expected["online_dossier_rate"].value
