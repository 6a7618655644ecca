"""Charts as SVG drawn on the server: a heat map, line charts (small multiples and large) and a
bar chart. No script, no web font, nothing fetched: the page works in a closed hospital
network and prints as it shows.

Each chart is an ``<svg role="img">`` whose ``<title>`` names it and whose ``<desc>`` carries
the text summary the page also shows; the page puts the data table beside it. Colour is never
the only carrier: every heat-map cell has its value written in it, values over the threshold
are marked with ▲, and shaded months are named in the summary and the table.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from analysis import numbers

_ids = itertools.count(1)

INK, MUTED, LINE, GRID = "#1d2733", "#5d6b7a", "#005a8c", "#d5dde5"
OVER, SHADE, HIDDEN = "#a4301c", "#f9ddd6", "#dfe3e7"
FONT = 'font-family="system-ui, DejaVu Sans, Liberation Sans, Arial, sans-serif"'


def _attrs(**values: object) -> str:
    return " ".join(
        f'{k.rstrip("_").replace("_", "-")}="{escape(str(v))}"' for k, v in values.items()
    )


def _svg(
    width: float,
    height: float,
    title: str,
    summary: str,
    body: list[str],
    css: str,
    uid: int | None = None,
) -> SafeString:
    uid = uid or next(_ids)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {width:.0f} '
        f'{height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-labelledby="chart-{uid}-t chart-{uid}-d" {FONT}>'
        f'<title id="chart-{uid}-t">{escape(title)}</title>'
        f'<desc id="chart-{uid}-d">{escape(summary)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every text is escaped)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def month_label(month: date) -> str:
    return f"{month:%Y-%m}"


# --- Heat map -------------------------------------------------------------------------------


@dataclass(slots=True)
class HeatCell:
    value: Decimal | None  # the average; None: no discharged episode (or hidden)
    over: bool = False
    hidden: bool = False
    text: str = ""  # as written in the cell ("3,40", "<5" or a dash)


@dataclass(frozen=True)
class HeatRow:
    label: str
    threshold: Decimal
    cells: Sequence[HeatCell]


def _mix(a: str, b: str, t: float) -> str:
    t = min(max(t, 0.0), 1.0)
    pa = [int(a[i : i + 2], 16) for i in (1, 3, 5)]
    pb = [int(b[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(pa, pb, strict=True))


@functools.lru_cache(maxsize=4096)
def heat_colour(value: Decimal, threshold: Decimal) -> tuple[str, str]:
    """Fill and text colour: blues up to the threshold, oranges to dark red above it."""
    t = float(threshold) or 1.0
    v = float(value)
    if v <= t:
        return _mix("#f3f7fb", "#8dbbdf", v / t), INK
    fill = _mix("#f8c09c", "#9b2a17", (v - t) / t)
    return fill, ("#ffffff" if v >= 1.5 * t else INK)


def heat_map(
    months: Sequence[date],
    rows: Sequence[HeatRow],
    *,
    title: str,
    summary: str,
    hidden_label: str,
    legend: dict[str, str],
) -> SafeString:
    """Kommuner down, months across; the value written in every cell. Compact markup (one
    group per row, shared attributes on groups): a whole country's map has 3,770 cells."""
    label_w, cell_h, top = 150, 24, 28
    cell_w = max(60, min(80, 1000 // max(len(months), 1)))  # 13 months fill 1,150 px
    width = label_w + cell_w * len(months) + 4
    height = top + cell_h * len(rows) + 70
    uid = next(_ids)
    hatch = f"url(#hatch-{uid})"
    body = [
        f'<defs><pattern id="hatch-{uid}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff2"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#c5ccd3" stroke-width="2"/></pattern></defs>',
        f'<g font-size="11" text-anchor="middle" fill="{MUTED}">',
    ]
    centres = [label_w + cell_w * i + cell_w // 2 for i in range(len(months))]
    for centre, month in zip(centres, months, strict=True):
        body.append(f'<text x="{centre}" y="{top - 10}">{month_label(month)}</text>')
    body.append(f'</g><g font-size="12" fill="{INK}">')
    for r, row in enumerate(rows):
        body.append(
            f'<g transform="translate(0 {top + r * cell_h})">'
            f'<text x="{label_w - 8}" y="16" text-anchor="end">{escape(row.label)}</text>'
            f'<g stroke="{GRID}">'
        )
        texts = []
        for i, cell in enumerate(row.cells):
            if cell.hidden:
                fill, ink = hatch, INK
            elif cell.value is None:
                fill, ink = "#ffffff", MUTED
            else:
                fill, ink = heat_colour(cell.value, row.threshold)
            body.append(
                f'<rect x="{label_w + i * cell_w + 1}" y="1" width="{cell_w - 2}" '
                f'height="{cell_h - 2}" fill="{fill}"/>'
            )
            extra = (f' fill="{ink}"' if ink != INK else "") + (
                ' font-weight="bold"' if cell.over else ""
            )
            text = escape(cell.text) + (" ▲" if cell.over else "")
            texts.append(f'<text x="{centres[i]}" y="16"{extra}>{text}</text>')
        body.append('</g><g text-anchor="middle">' + "".join(texts) + "</g></g>")
    body.append("</g>")
    body.extend(_heat_legend(top + cell_h * len(rows) + 22, rows, hatch, hidden_label, legend))
    return _svg(width, height, title, summary, body, "heat-map", uid)


def _heat_legend(
    y: float, rows: Sequence[HeatRow], hatch: str, hidden_label: str, legend: dict[str, str]
) -> list[str]:
    threshold = rows[0].threshold if rows else Decimal("3.0")
    t = float(threshold)
    swatches = [
        (heat_colour(Decimal(0), threshold)[0], legend["zero"]),
        (heat_colour(threshold, threshold)[0], legend["at"]),
        (heat_colour(Decimal(str(t * 1.3)), threshold)[0], legend["over"]),
        (heat_colour(Decimal(str(t * 2)), threshold)[0], legend["far_over"]),
        (hatch, hidden_label),
        ("#ffffff", legend["none"]),
    ]
    body, x = [], 4.0
    for fill, label in swatches:
        body.append(
            f'<rect x="{x:.1f}" y="{y - 12:.1f}" width="18" height="14" fill="{fill}" '
            f'stroke="{GRID}"/>'
        )
        body.append(_text(x + 24, y, label, size=11, fill=INK))
        x += 34 + 6.2 * len(label)
    return body


# --- Line charts ----------------------------------------------------------------------------


@dataclass(slots=True)
class Point:
    month: date
    value: Decimal | None  # None: nothing to draw (no episodes, or hidden)
    shaded: bool = False  # e.g. a month with liability
    over: bool = False


def _scale_max(points: Sequence[Point], threshold: Decimal, floor: Decimal) -> float:
    values = [float(p.value) for p in points if p.value is not None]
    return max([float(threshold) * 2, float(floor), *values]) * 1.08


def _t(x: float, y: float, text: str, extra: str = "") -> str:
    """A text whose size, anchor and colour come from its group."""
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{escape(text)}</text>'


@dataclass(frozen=True)
class _Geometry:
    large: bool
    top_value: float
    count: int

    @property
    def size(self) -> tuple[float, float, float, float, float, float]:
        """width, height, left, right, top, bottom."""
        if self.large:
            return 900.0, 260.0, 44.0, 12.0, 18.0, 30.0
        return 220.0, 116.0, 26.0, 6.0, 22.0, 18.0

    def x(self, i: int) -> float:
        width, _h, left, right, _t, _b = self.size
        return left + (width - left - right) / max(self.count, 1) * (i + 0.5)

    def y(self, value: float) -> float:
        _w, height, _l, _r, top, bottom = self.size
        plot_h = height - top - bottom
        return top + plot_h - plot_h * value / self.top_value


@functools.lru_cache(maxsize=256)
def _frame(
    geometry: _Geometry, threshold: Decimal, label: str, months: tuple[date, ...]
) -> tuple[str, str]:
    """The parts every chart of a page shares (axis, threshold, ticks; the month labels),
    drawn once per page however many kommuner: before and after the kommun's own line."""
    width, height, left, right, _top, bottom = geometry.size
    large = geometry.large
    small_size, label_size = ("11", "10") if large else ("9", "9")
    ty = geometry.y(float(threshold))
    before = [
        f'<line x1="{left:.0f}" y1="{height - bottom:.0f}" x2="{width - right:.0f}" '
        f'y2="{height - bottom:.0f}" stroke="{GRID}"/>'
        f'<line x1="{left:.0f}" y1="{ty:.1f}" x2="{width - right:.0f}" y2="{ty:.1f}" '
        f'stroke="{OVER}" stroke-dasharray="5 3" stroke-width="1.2"/>'
        f'<g font-size="{small_size}" text-anchor="end" fill="{MUTED}">'
    ]
    for tick in _ticks(geometry.top_value, 4 if large else 2):
        before.append(_t(left - 4, geometry.y(tick) + 4, str(tick)))
    before.append(_t(width - right, ty - 3, label, f' fill="{OVER}"') + "</g>")
    after = [f'<g font-size="{label_size}" text-anchor="middle" fill="{MUTED}">']
    every = large and len(months) <= 25
    last = len(months) - 1
    for i, month in enumerate(months):
        if every or i in (0, last) or month.month == 1:
            text = month_label(month) if large or len(months) < 2 else f"{month:%y-%m}"
            after.append(_t(geometry.x(i), height - (10 if large else 4), text))
    after.append("</g>")
    return "".join(before), "".join(after)


def line_chart(
    points: Sequence[Point],
    threshold: Decimal,
    *,
    title: str,
    summary: str,
    large: bool = False,
    y_max: float | None = None,
    threshold_label: str = "",
    empty_label: str = "",
) -> SafeString:
    """The values by month with the threshold as a dashed line and shaded months behind;
    ``empty_label`` is written across a chart without any value."""
    top_value = y_max or _scale_max(points, threshold, Decimal(0))
    geometry = _Geometry(large, top_value, len(points))
    width, height, left, right, top, bottom = geometry.size
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(points), 1)
    label = threshold_label or numbers.decimal(threshold, 1)
    before, after = _frame(geometry, threshold, label, tuple(p.month for p in points))
    body = (
        []
        if large
        else [f'<text x="2" y="13" font-size="12" font-weight="bold">{escape(title)}</text>']
    )
    for first, count in _runs([p.shaded for p in points]):
        body.append(
            f'<rect x="{left + step * first:.1f}" y="{top:.0f}" width="{step * count:.1f}" '
            f'height="{plot_h:.0f}" fill="{SHADE}"/>'
        )
    body.append(before)
    body.extend(_line(points, geometry.x, geometry.y, large))
    if empty_label and all(p.value is None for p in points):
        body.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" font-size="10" '
            f'text-anchor="middle" fill="{MUTED}">{escape(empty_label)}</text>'
        )
    body.append(after)
    return _svg(width, height, title, summary, body, "line-large" if large else "line-small")


def _runs(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """(first index, length) of each run of True: one shaded band per run of months."""
    runs: list[tuple[int, int]] = []
    for i, flag in enumerate(flags):
        if flag and runs and runs[-1][0] + runs[-1][1] == i:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        elif flag:
            runs.append((i, 1))
    return runs


def _ticks(top_value: float, count: int) -> list[int]:
    step = max(1, round(top_value / count))
    return list(range(0, int(top_value) + 1, step))


def _line(
    points: Sequence[Point],
    x_of: Callable[[int], float],
    y_of: Callable[[float], float],
    large: bool,
) -> list[str]:
    body: list[str] = []
    segment: list[str] = []
    values = [p.value for p in points]
    for i, point in enumerate([*points, Point(date.min, None)]):
        if point.value is None:
            if len(segment) > 1:
                body.append(
                    f'<polyline points="{" ".join(segment)}" fill="none" '
                    f'stroke="{LINE}" stroke-width="{2 if large else 1.6}"/>'
                )
            segment = []
            continue
        x, y = x_of(i), y_of(float(point.value))
        segment.append(f"{x:.1f},{y:.1f}")
        alone = (i == 0 or values[i - 1] is None) and (
            i + 1 >= len(values) or values[i + 1] is None
        )
        if large or point.over or alone:  # a small chart marks what its line does not show
            radius = (4 if large else 2.6) if point.over else (3 if large else 2)
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" '
                f'fill="{OVER if point.over else LINE}"/>'
            )
        if large:
            body.append(
                _text(
                    x,
                    y - 8,
                    numbers.decimal(point.value) + (" ▲" if point.over else ""),
                    size=10,
                    anchor="middle",
                    fill=OVER if point.over else INK,
                    weight="bold" if point.over else "normal",
                )
            )
    return body


# --- Bars -----------------------------------------------------------------------------------


def bar_chart(
    months: Sequence[date],
    values: Sequence[int | None],
    *,
    title: str,
    summary: str,
    unit: str = "",
) -> SafeString:
    """One bar per month with its value written above it (None: no bar, a dash)."""
    width, height, left, top, bottom = 900.0, 220.0, 44.0, 20.0, 30.0
    plot_w, plot_h = width - left - 12, height - top - bottom
    top_value = max([v for v in values if v is not None] or [1]) * 1.12 or 1
    step = plot_w / max(len(months), 1)
    body = [
        f'<line x1="{left}" y1="{top + plot_h:.1f}" x2="{width - 12}" y2="{top + plot_h:.1f}" '
        f'stroke="{GRID}"/>'
    ]
    for i, (month, value) in enumerate(zip(months, values, strict=True)):
        x = left + step * i
        if value is not None:
            h = plot_h * value / top_value
            body.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{top + plot_h - h:.1f}" '
                f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="#7fa9c9"/>'
            )
        label = numbers.integer(value) + unit if value is not None else numbers.DASH
        body.append(
            _text(
                x + step / 2,
                top + plot_h - (plot_h * (value or 0) / top_value) - 4,
                label,
                size=10,
                anchor="middle",
            )
        )
        if len(months) <= 25 or i in (0, len(months) - 1):
            body.append(
                _text(
                    x + step / 2,
                    height - 10,
                    month_label(month),
                    size=10,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    return _svg(width, height, title, summary, body, "bars")
