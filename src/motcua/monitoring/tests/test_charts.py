"""Server-side SVG charts: well-formed SVG, accessible names, escaped text, bars proportional to values,
N/A drawn as a gap (never as 0), and numbers written the Vietnamese or the English way."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from decimal import Decimal

import pytest

from motcua.monitoring import charts
from motcua.monitoring.charts import Point

SVG = "{http://www.w3.org/2000/svg}"
Chart = Callable[..., str]
ALL_CHARTS: list[Chart] = [charts.bar_chart, charts.line_chart, charts.ranking_bars]


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 - our own markup, parsed to check it


def draw(chart: Chart, points: list[Point], **options: object) -> ET.Element:
    markup = chart(points, chart_id="c1", title="Tỷ lệ", description="Mô tả", **options)
    return parse(markup)


def bars(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_every_chart_is_valid_svg_named_by_its_title_and_described(chart: Chart) -> None:
    root = draw(chart, [Point("A", Decimal("10")), Point("B", None), Point("C", Decimal("30"))])
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-t c1-d"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None
    assert title.get("id") == "c1-t"
    assert title.text == "Tỷ lệ"
    assert desc is not None
    assert desc.get("id") == "c1-d"
    assert desc.text == "Mô tả"
    assert root.get("viewBox", "").startswith("0 0 ")


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_labels_and_titles_are_escaped(chart: Chart) -> None:
    nasty = '<script>alert("x")</script> & Hà Nội'
    markup = chart(
        [Point(nasty, Decimal("50"), shown=nasty)], chart_id="c2", title=nasty, description=f"{nasty}!"
    )
    assert "<script>" not in markup
    root = parse(markup)
    texts = [e.text for e in root.iter() if e.text]
    assert nasty in texts  # the title, read back exactly as given
    assert f"{nasty}!" in texts
    assert any(nasty in (e.text or "") for e in root.iter(f"{SVG}text"))


@pytest.mark.parametrize("chart", ALL_CHARTS)
def test_an_unsafe_chart_id_is_refused(chart: Chart) -> None:
    with pytest.raises(ValueError, match="chart id"):
        chart([Point("A", Decimal(1))], chart_id='x" onload="alert(1)', title="t", description="d")


def test_ranking_bars_are_proportional_to_the_values() -> None:
    root = draw(
        charts.ranking_bars,
        [Point("A", Decimal("100")), Point("B", Decimal("50")), Point("C", Decimal("25")), Point("D", None)],
        max_value=100,
    )
    widths = [Decimal(b.get("width", "")) for b in bars(root)]
    assert len(widths) == 3  # no bar for N/A
    assert widths[1] * 2 == widths[0]
    assert widths[2] * 4 == widths[0]
    assert [b.get("data-value") for b in bars(root)] == ["100", "50", "25"]
    assert "N/A" in [t.text for t in root.iter(f"{SVG}text")]


def test_ranking_bars_without_a_maximum_scale_on_the_largest_value_and_clamp() -> None:
    largest = draw(charts.ranking_bars, [Point("A", Decimal("8")), Point("B", Decimal("2"))])
    a, b = (Decimal(e.get("width", "")) for e in bars(largest))
    assert a == 4 * b
    clamped = draw(
        charts.ranking_bars,
        [Point("A", Decimal("150")), Point("B", Decimal("100")), Point("C", Decimal("-5"))],
        max_value=100,
    )
    over, full, negative = (Decimal(e.get("width", "")) for e in bars(clamped))
    assert over == full
    assert negative == 0


def test_columns_are_proportional_and_stand_on_the_same_baseline() -> None:
    root = draw(
        charts.bar_chart,
        [Point("T1", Decimal("80")), Point("T2", Decimal("20")), Point("T3", None)],
        max_value=100,
    )
    columns = bars(root)
    assert len(columns) == 2
    heights = [Decimal(c.get("height", "")) for c in columns]
    assert heights[0] == 4 * heights[1]
    bottoms = {Decimal(c.get("y", "")) + Decimal(c.get("height", "")) for c in columns}
    assert len(bottoms) == 1


def test_the_trend_line_breaks_at_a_month_without_data() -> None:
    months = [
        Point("01/26", Decimal("10")),
        Point("02/26", None),
        Point("03/26", Decimal("20")),
        Point("04/26", Decimal("40")),
    ]
    root = draw(charts.line_chart, months, max_value=100)
    lines = [e for e in root.iter(f"{SVG}polyline") if e.get("class") == "trend"]
    assert len(lines) == 1  # January stands alone; March–April is one segment
    assert len(lines[0].get("points", "").split()) == 2
    dots = [e for e in root.iter(f"{SVG}circle") if e.get("class") == "dot"]
    assert [d.get("data-value") for d in dots] == ["10", "20", "40"]
    y10, y20, y40 = (Decimal(d.get("cy", "")) for d in dots)
    assert y10 > y20 > y40  # higher values higher up
    assert y20 - y40 == 2 * (y10 - y20)  # a linear scale: 20 points of rate twice the height of 10
    assert "N/A" in [t.text for t in root.iter(f"{SVG}text")]


def test_an_empty_chart_is_still_valid() -> None:
    for chart in ALL_CHARTS:
        root = draw(chart, [])
        assert root.tag == f"{SVG}svg"
        assert bars(root) == []


@pytest.mark.parametrize(
    ("value", "unit", "english", "expected"),
    [
        (Decimal("46.64"), charts.PERCENT, False, "46,64 %"),
        (Decimal("46.64"), charts.PERCENT, True, "46.64 %"),
        (Decimal("1234.5"), "", False, "1.234,5"),
        (Decimal("1234.5"), "", True, "1,234.5"),
        (Decimal("3.25"), charts.WORKING_DAYS, False, "3,25 ngày"),
        (Decimal("3.25"), charts.WORKING_DAYS, True, "3.25 days"),
        (Decimal("85.5"), charts.POINTS, False, "85,5 điểm"),
        (Decimal("0.00"), charts.PERCENT, False, "0,00 %"),
        (Decimal("-1.5"), "", False, "-1,5"),
        (None, charts.PERCENT, False, "N/A"),
    ],
)
def test_values_are_written_the_vietnamese_or_the_english_way(
    value: Decimal | None, unit: str, english: bool, expected: str
) -> None:
    assert charts.format_value(value, unit, english=english) == expected


def test_counts_get_thousands_separators_and_na_can_be_worded() -> None:
    assert charts.format_number(1234567) == "1.234.567"
    assert charts.format_number(1234567, english=True) == "1,234,567"
    assert charts.format_number(Decimal("2.5"), places=0) == "3"  # half-up
    assert charts.format_value(None, charts.PERCENT, na="Không có dữ liệu / N/A") == "Không có dữ liệu / N/A"
