"""Server-side SVG charts (biểu đồ) for the monitoring pages: no script, a few hundred bytes each.

Three pure functions return markup that is safe to include in a template as it is: every label and every
number written into the SVG is escaped here.

* ``bar_chart`` — vertical columns (a few values side by side, e.g. one indicator by period);
* ``line_chart`` — a monthly trend: a line through the months that have a value, broken where a month has
  none (N/A is a gap, never a fall to 0);
* ``ranking_bars`` — horizontal bars, one row per unit, the label above its bar (readable on a phone).

Accessibility: each chart is ``role="img"`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``); the page shows the same numbers in a table next to it. Bars are proportional to the
value over ``max_value`` (100 for a percentage by default), clamped to the plot.

``format_value`` writes an indicator value the way the pages show it (Vietnamese decimal comma, or English).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PERCENT = "percent"
POINTS = "points"
WORKING_DAYS = "working_days"
NOT_AVAILABLE = "N/A"

#: Colours: bars and line in the portal's link blue, text in its ink (contrast > 7:1 on white).
BAR = "#1d4ed8"
INK = "#0b0c0c"
GRID = "#b1b4b6"
FONT = 'font-family="system-ui,sans-serif"'

_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")
_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Point:
    """One value of a chart: its label, the value (``None`` = N/A) and the value as written."""

    label: str
    value: Decimal | None
    shown: str = ""

    @property
    def text(self) -> str:
        if self.shown:
            return self.shown
        return NOT_AVAILABLE if self.value is None else str(self.value)


# --- Numbers as the pages write them ----------------------------------------------------------------


def format_number(value: Decimal | int, *, english: bool = False, places: int | None = None) -> str:
    """``1234.5`` → ``1.234,5`` (Vietnamese) or ``1,234.5`` (English); ``places`` fixes the decimals."""
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    groups = f"{int(whole):,}"
    if english:
        return sign + groups + (f".{fraction}" if fraction else "")
    return sign + groups.replace(",", ".") + (f",{fraction}" if fraction else "")


def format_value(value: Decimal | None, unit: str, *, english: bool = False, na: str = NOT_AVAILABLE) -> str:
    """An indicator value with its unit: ``46,64 %``, ``3,25 ngày``, ``85,5 điểm``; ``na`` when ``None``."""
    if value is None:
        return na
    number = format_number(value, english=english)
    if unit == PERCENT:
        return f"{number} %"
    if unit == WORKING_DAYS:
        return f"{number} {'days' if english else 'ngày'}"
    if unit == POINTS:
        return f"{number} {'points' if english else 'điểm'}"
    return number


# --- SVG building blocks -------------------------------------------------------------------------------


def _num(value: Decimal | float | int) -> str:
    """A coordinate with at most 2 decimals, no trailing zeros."""
    text = f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _check_id(chart_id: str) -> None:
    if not _ID.match(chart_id):
        raise ValueError(f"chart id {chart_id!r}: a letter, then letters, digits, - or _")


def _scale(points: Sequence[Point], max_value: Decimal | int | None) -> Decimal:
    if max_value is not None:
        top = Decimal(max_value)
    else:
        values = [p.value for p in points if p.value is not None]
        top = max(values) if values else Decimal(0)
    return top if top > 0 else Decimal(1)


def _fraction(value: Decimal, top: Decimal) -> Decimal:
    """``value / top`` clamped to [0, 1]."""
    return min(Decimal(1), max(Decimal(0), value / top))


def _svg(chart_id: str, width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" viewBox="0 0 {width} {height}"'
        f' width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" {FONT} font-size="12">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(description)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text above is escaped


def _text(
    x: Decimal | int, y: Decimal | int, text: str, *, anchor: str = "start", size: int | None = None
) -> str:
    sized = f' font-size="{size}"' if size else ""
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" text-anchor="{anchor}" fill="{INK}"{sized}>{escape(text)}</text>'
    )


# --- Charts -------------------------------------------------------------------------------------------


def bar_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    max_value: Decimal | int | None = None,
) -> SafeString:
    """Vertical columns, one per point, the value written above each and the label below; N/A writes
    ``N/A`` with no column. Column height = plot height × value / ``max_value`` (largest value if ``None``)."""
    _check_id(chart_id)
    top = _scale(points, max_value)
    width, plot_top, plot_bottom, left, right = 360, 22, 150, 8, 352
    height = plot_bottom + 26
    slot = Decimal(right - left) / max(1, len(points))
    column = min(Decimal(48), slot * Decimal("0.6"))
    body = [f'<line x1="{left}" y1="{plot_bottom}" x2="{right}" y2="{plot_bottom}" stroke="{GRID}"/>']
    for index, point in enumerate(points):
        middle = left + slot * index + slot / 2
        if point.value is not None:
            tall = Decimal(plot_bottom - plot_top) * _fraction(point.value, top)
            body.append(
                f'<rect class="bar" x="{_num(middle - column / 2)}" y="{_num(plot_bottom - tall)}"'
                f' width="{_num(column)}" height="{_num(tall)}" fill="{BAR}"'
                f' data-value="{escape(str(point.value))}"/>'
            )
            body.append(_text(middle, plot_bottom - tall - 5, point.text, anchor="middle"))
        else:
            body.append(_text(middle, plot_bottom - 5, point.text, anchor="middle"))
        body.append(_text(middle, plot_bottom + 16, point.label, anchor="middle"))
    return _svg(chart_id, width, height, title, description, body)


def line_chart(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    max_value: Decimal | int | None = None,
) -> SafeString:
    """A trend line through the points in order (months), a dot on each valued point, a gap at each N/A.
    The vertical axis runs from 0 to ``max_value`` (largest value if ``None``) with a gridline at half."""
    _check_id(chart_id)
    top = _scale(points, max_value)
    width, plot_top, plot_bottom, left, right = 360, 14, 150, 44, 350
    height = plot_bottom + 26
    count = max(1, len(points))
    step = Decimal(right - left) / (count - 1) if count > 1 else Decimal(0)
    body: list[str] = []
    for share in (Decimal(0), Decimal("0.5"), Decimal(1)):
        y = plot_bottom - Decimal(plot_bottom - plot_top) * share
        body.append(f'<line x1="{left}" y1="{_num(y)}" x2="{right}" y2="{_num(y)}" stroke="{GRID}"/>')
        body.append(_text(left - 4, y + 4, format_number(top * share, places=0), anchor="end"))
    every = max(1, -(-count // 6))  # at most six labels: month labels must not run into each other
    segment: list[str] = []
    segments: list[list[str]] = []
    dots: list[str] = []
    for index, point in enumerate(points):
        x = left + step * index if count > 1 else Decimal(left + right) / 2
        if index % every == 0:
            body.append(_text(x, plot_bottom + 16, point.label, anchor="middle", size=11))
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            dots.append(_text(x, plot_bottom - 4, NOT_AVAILABLE, anchor="middle", size=9))
            continue
        y = plot_bottom - Decimal(plot_bottom - plot_top) * _fraction(point.value, top)
        segment.append(f"{_num(x)},{_num(y)}")
        dots.append(
            f'<circle class="dot" cx="{_num(x)}" cy="{_num(y)}" r="3.5" fill="{BAR}"'
            f' data-value="{escape(str(point.value))}"><title>{escape(point.label)}: {escape(point.text)}</title>'
            "</circle>"
        )
    if segment:
        segments.append(segment)
    for part in segments:
        if len(part) > 1:
            body.append(
                f'<polyline class="trend" points="{" ".join(part)}" fill="none" stroke="{BAR}" stroke-width="2"/>'
            )
    body.extend(dots)
    return _svg(chart_id, width, height, title, description, body)


def ranking_bars(
    points: Sequence[Point],
    *,
    chart_id: str,
    title: str,
    description: str,
    max_value: Decimal | int | None = None,
) -> SafeString:
    """Horizontal bars in the order given (rank them first), the label above each bar and the value after
    it. Bar length = plot width × value / ``max_value`` (largest value if ``None``); N/A: no bar."""
    _check_id(chart_id)
    top = _scale(points, max_value)
    width, left, plot = 360, 4, Decimal(280)
    row = 34
    height = max(1, len(points)) * row + 4
    body: list[str] = []
    for index, point in enumerate(points):
        y = index * row
        body.append(_text(left, y + 13, point.label))
        if point.value is not None:
            long = plot * _fraction(point.value, top)
            body.append(
                f'<rect class="bar" x="{left}" y="{y + 17}" width="{_num(long)}" height="12" fill="{BAR}"'
                f' data-value="{escape(str(point.value))}"/>'
            )
            body.append(_text(left + long + 4, y + 28, point.text))
        else:
            body.append(_text(left, y + 28, point.text))
    return _svg(chart_id, width, height, title, description, body)


def percent_scale(unit: str) -> Decimal | None:
    """The natural top of a chart for ``unit``: 100 for a percentage, the largest value otherwise."""
    return _HUNDRED if unit == PERCENT else None
