"""The region overview of the follow-up: a table of the kommuner, a heat map of the monthly
average, a trend per kommun and the region's totals, each chart with its data table and a text
summary. Built from the stored rows that ``analysis.figures.load`` reads; nothing here queries.

Small numbers: a figure built on fewer episodes than ``SVU_SMALL_NUMBER_THRESHOLD`` reads "<5"
for everyone but the kommun's own staff and the region's processledare (``Viewer``), in the
charts, the summaries and the exports alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from analysis import charts, numbers
from analysis.figures import (
    Counts,
    Data,
    Viewer,
    beds_occupied,
    missing_population_years,
    period_counts,
    period_liability,
    region_counts,
    region_per_thousand,
)
from analysis.html import table_html
from analysis.tables import (
    Cell,
    Cells,
    Figures,
    Header,
    Row,
    Table,
    figure_cells,
    figure_headers,
    liability_cells,
    not_shown_liability,
)
from discharges.models import Kommun
from payment.models import LiabilityState

KommunLink = Callable[[Kommun], str]


@dataclass
class Chart:
    svg: SafeString
    summary: str


@dataclass
class Card:
    label: str
    value: str
    note: str = ""


@dataclass
class Overview:
    title: str
    cards: list[Card]
    kommuner: Table
    heat_maps: list[Chart]
    heat_table: Table
    heat_summary: str
    trends: list[Chart]

    @property
    def trends_html(self) -> SafeString:
        """The small multiples as one string (a country has 290: no template loop)."""
        return mark_safe("".join(f"<figure>{c.svg}</figure>" for c in self.trends))  # noqa: S308

    trend_summary: str
    region_charts: list[Chart]
    region_table: Table
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, Table]:
        return {t.name: t for t in (self.kommuner, self.heat_table, self.region_table)}

    # The tables as the page writes them (``analysis.overview_cache.Shown`` keeps them written).
    @property
    def kommuner_html(self) -> SafeString:
        return table_html(self.kommuner)

    @property
    def heat_table_html(self) -> SafeString:
        return table_html(self.heat_table)

    @property
    def region_table_html(self) -> SafeString:
        return table_html(self.region_table)


def threshold_text(data: Data) -> str:
    """The threshold as the legends name it: one figure, or "the agreement's threshold"."""
    values = {data.threshold(k) for k in data.kommuner}
    return numbers.decimal(values.pop()) if len(values) == 1 else _("the agreement's threshold")


def hides_total(viewer: Viewer, data: Data, episodes: int) -> bool:
    """A total over several kommuner is hidden when small and not every kommun is exempt."""
    return any(viewer.hides(k, episodes) for k in data.kommuner)


def sees_any_liability(viewer: Viewer, data: Data) -> bool:
    return any(viewer.sees_liability(k) for k in data.kommuner)


# --- The kommun table -------------------------------------------------------------------------


def kommun_table(data: Data, viewer: Viewer, link: KommunLink, title: str) -> Table:
    cells = Cells(viewer)
    months = data.query.months
    with_liability = sees_any_liability(viewer, data)
    headers = [
        Header(pgettext("column", "Municipality"), num=False),
        *figure_headers(
            with_liability=with_liability,
            liability_title=pgettext("column", "Liability %(month)s")
            % {"month": f"{months[-1]:%Y-%m}"},
        ),
    ]
    table = Table("kommuner", _("Municipalities"), headers, with_code=True)
    for kommun in data.kommuner:
        counts = period_counts(data, kommun)
        figures = Figures(
            counts,
            months,
            data.threshold(kommun),
            viewer.hides(kommun, counts.episodes),
            data.per_thousand(kommun, months),
        )
        row = [Cell(kommun.name, kommun.name, href=link(kommun)), *figure_cells(cells, figures)]
        if with_liability:
            liability = period_liability(data, kommun)
            row += liability_cells(cells, viewer, kommun, liability, counts.episodes, len(months))
        own = kommun.organisation_ptr_id in viewer.exempt_kommuner  # the planner's own kommun
        table.rows.append(Row(row, code=kommun.code, css="own" if own else ""))
    table.foot.append(_total_row(data, viewer, cells, title, with_liability))
    return table


def _total_row(data: Data, viewer: Viewer, cells: Cells, title: str, liability: bool) -> Row:
    months = data.query.months
    total = Counts()
    for counts in region_counts(data).values():
        total.add(counts)
    per_thousand = _region_per_thousand(data, months)
    figures = Figures(
        total, months, _one_threshold(data), hides_total(viewer, data, total.episodes), per_thousand
    )
    row = [Cell(title, title, "total"), *figure_cells(cells, figures)]
    if liability:
        if all(viewer.sees_liability(k) for k in data.kommuner):
            liabilities = [period_liability(data, k) for k in data.kommuner]
            liable = sum(1 for p in liabilities if p.state == LiabilityState.LIABLE)
            state = ngettext("%(n)s municipality liable", "%(n)s municipalities liable", liable)
            row += [
                Cell(state % {"n": liable}, liable),
                cells.count(sum(p.liable_days for p in liabilities), figures.hidden),
                cells.kronor(sum(p.amount_sek for p in liabilities), figures.hidden),
            ]
        else:
            row += [not_shown_liability(cells)] * 3
    return Row(row, css="total")


def _one_threshold(data: Data) -> Decimal:
    values = sorted({data.threshold(k) for k in data.kommuner})
    return values[0] if len(values) == 1 else Decimal("Infinity")  # not marked when mixed


def _region_per_thousand(data: Data, months: list[date]) -> Decimal | None:
    """The region's monthly figures averaged over the period (None if one is unknown)."""
    values = [region_per_thousand(data, m) for m in months]
    if not values or any(v is None for v in values):
        return None
    return numbers.ratio_of(sum((v for v in values if v is not None), Decimal(0)), len(values))


# --- The heat map -----------------------------------------------------------------------------


def month_blocks(months: list[date]) -> list[list[date]]:
    """One block for up to 13 months; longer periods one block per calendar year, so that a
    1366-pixel screen shows every column without sideways scrolling."""
    if len(months) <= 13:
        return [months]
    blocks: dict[int, list[date]] = {}
    for month in months:
        blocks.setdefault(month.year, []).append(month)
    return list(blocks.values())


def _heat_cell(data: Data, viewer: Viewer, kommun: Kommun, month: date) -> charts.HeatCell:
    counts = data.month(kommun, month)
    if counts is None or not counts.episodes:
        return charts.HeatCell(None, text=numbers.DASH)
    if viewer.hides(kommun, counts.episodes):
        return charts.HeatCell(None, hidden=True, text=viewer.hidden_text)
    average = counts.average
    return charts.HeatCell(
        average, over=counts.over(data.threshold(kommun)), text=numbers.decimal(average)
    )


Grid = dict[str, list[charts.HeatCell]]  # kommun code -> the period's cells, month by month


def heat_grid(data: Data, viewer: Viewer) -> Grid:
    """Each kommun-month's average as the viewer may see it (computed once per page)."""
    months = data.query.months
    return {k.code: [_heat_cell(data, viewer, k, m) for m in months] for k in data.kommuner}


def heat_map(data: Data, viewer: Viewer, grid: Grid) -> tuple[list[Chart], Table, str]:
    months = data.query.months
    summary = _heat_summary(data, grid)
    legend = {
        "zero": "0",
        "at": _("up to %(t)s") % {"t": threshold_text(data)},
        "over": _("over %(t)s ▲") % {"t": threshold_text(data)},
        "far_over": _("twice the threshold"),
        "none": _("no discharged episode"),
    }
    hidden_label = _("%(h)s: fewer than %(n)s episodes") % {
        "h": viewer.hidden_text,
        "n": viewer.threshold,
    }
    maps = []
    for block in month_blocks(months):
        start = months.index(block[0])
        rows = [
            charts.HeatRow(k.name, data.threshold(k), grid[k.code][start : start + len(block)])
            for k in data.kommuner
        ]
        title = _("Average ready days per municipality and month, %(first)s to %(last)s") % {
            "first": f"{block[0]:%Y-%m}",
            "last": f"{block[-1]:%Y-%m}",
        }
        svg = charts.heat_map(
            block, rows, title=title, summary=summary, hidden_label=hidden_label, legend=legend
        )
        maps.append(Chart(svg, summary))
    return maps, _heat_table(data, viewer, grid), summary


def _heat_table(data: Data, viewer: Viewer, grid: Grid) -> Table:
    """The data table of both the heat map and the trends: each kommun-month's average, with
    "B" beside the months of payment liability the viewer may see (the trends' shading)."""
    months = data.query.months
    headers = [
        Header(pgettext("column", "Municipality"), num=False),
        *(Header(f"{m:%Y-%m}") for m in months),
    ]
    table = Table("karta", _("Average per month"), headers, with_code=True)
    cells = Cells(viewer)
    liable_title = _("Liable")
    for kommun in data.kommuner:
        row = [Cell(kommun.name, kommun.name)]
        sees = viewer.sees_liability(kommun)
        for month, heat in zip(months, grid[kommun.code], strict=True):
            cell = cells.hidden_cell if heat.hidden else _heat_table_cell(cells, heat)
            liability = data.liability.get((kommun.code, month)) if sees else None
            if liability is not None and liability.state == LiabilityState.LIABLE:
                cell = Cell(f"{cell.text} · B", cell.value, cell.css, liable_title, over=cell.over)
            row.append(cell)
        table.rows.append(Row(row, code=kommun.code))
    return table


def _heat_table_cell(cells: Cells, heat: charts.HeatCell) -> Cell:
    """The table's cell of a heat-map cell, with the text already written (no second format)."""
    if heat.value is None:
        return Cell(numbers.DASH, None, "num")
    css, title = ("num over", cells.over_title) if heat.over else ("num", "")
    return Cell(heat.text, heat.value, css, title, over=heat.over)


def _heat_summary(data: Data, grid: Grid) -> str:
    months = data.query.months
    over = [(k, sum(1 for c in grid[k.code] if c.over)) for k in data.kommuner]
    over = sorted([(k, n) for k, n in over if n], key=lambda item: (-item[1], item[0].name))
    t = threshold_text(data)
    if not over:
        text = _("No municipality had a month over %(t)s in the period.") % {"t": t}
    else:
        named = ", ".join(
            f"{k.name} ({ngettext('%(n)s month', '%(n)s months', n) % {'n': n}})" for k, n in over
        )
        text = _("%(over)s of %(all)s municipalities had a month over %(t)s: %(named)s.") % {
            "over": len(over),
            "all": len(data.kommuner),
            "t": t,
            "named": named,
        }
    shown = [
        (cell.value, k, months[i])
        for k in data.kommuner
        for i, cell in enumerate(grid[k.code])
        if cell.value is not None
    ]
    if shown:
        value, kommun, month = max(shown, key=lambda item: (item[0], item[2]))
        text += " " + _("Highest: %(kommun)s %(month)s (%(value)s days).") % {
            "kommun": kommun.name,
            "month": f"{month:%Y-%m}",
            "value": numbers.decimal(value),
        }
    return text


# --- The trends per kommun (small multiples) --------------------------------------------------


def _points(data: Data, viewer: Viewer, kommun: Kommun, grid: Grid) -> list[charts.Point]:
    sees = viewer.sees_liability(kommun)
    points = []
    for month, cell in zip(data.query.months, grid[kommun.code], strict=True):
        liability = data.liability.get((kommun.code, month))
        liable = sees and liability is not None and liability.state == LiabilityState.LIABLE
        points.append(charts.Point(month, cell.value, shaded=liable, over=cell.over))
    return points


def kommun_trend_summary(kommun: Kommun, points: list[charts.Point], threshold: Decimal) -> str:
    values = [p.value for p in points if p.value is not None]
    if not values:
        return _("%(kommun)s: no average to show in the period.") % {"kommun": kommun.name}
    over = [f"{p.month:%Y-%m}" for p in points if p.over]
    liable = [f"{p.month:%Y-%m}" for p in points if p.shaded]
    text = _(
        "%(kommun)s: average %(low)s to %(high)s days; %(over)s of %(n)s months over %(t)s"
    ) % {
        "kommun": kommun.name,
        "low": numbers.decimal(min(values)),
        "high": numbers.decimal(max(values)),
        "over": len(over),
        "n": len(points),
        "t": numbers.decimal(threshold),
    }
    text += f" ({', '.join(over)})" if over else ""
    if liable:
        text += "; " + _("liable %(months)s") % {"months": ", ".join(liable)}
    return text + "."


def trends(data: Data, viewer: Viewer, grid: Grid) -> tuple[list[Chart], str]:
    """A small line chart per kommun on one scale; their data table is the heat map's."""
    shown = [c.value for cells in grid.values() for c in cells if c.value is not None]
    thresholds = [float(data.threshold(k)) * 2 for k in data.kommuner]
    y_max = max([*thresholds, *(float(v) for v in shown), 1.0]) * 1.08
    out, liable_kommuner = [], []
    empty = _("No month to show")
    for kommun in data.kommuner:
        points = _points(data, viewer, kommun, grid)
        threshold = data.threshold(kommun)
        summary = kommun_trend_summary(kommun, points, threshold)
        svg = charts.line_chart(
            points, threshold, title=kommun.name, summary=summary, y_max=y_max, empty_label=empty
        )
        out.append(Chart(svg, summary))
        if any(p.shaded for p in points):
            liable_kommuner.append(f"{kommun.name} ({sum(1 for p in points if p.shaded)})")
    summary = _(
        "Each line is a municipality's monthly average on the same scale; the dashed "
        "line is the threshold %(t)s."
    ) % {"t": threshold_text(data)}
    if sees_any_liability(viewer, data):
        summary += " " + (
            _("Shaded months are months with payment liability: %(list)s.")
            % {"list": ", ".join(liable_kommuner)}
            if liable_kommuner
            else _("No municipality was liable in the period.")
        )
    return out, summary


# --- The region's totals ----------------------------------------------------------------------


def region_part(data: Data, viewer: Viewer, title: str) -> tuple[list[Card], list[Chart], Table]:
    months = data.query.months
    per_month = region_counts(data)
    cells = Cells(viewer)
    threshold = _one_threshold(data)
    headers = [
        Header(pgettext("column", "Month"), num=False),
        *figure_headers(with_liability=False, liability_title=""),
    ]
    table = Table("region", title, headers)
    total = Counts()
    points, bars = [], []
    for month in months:
        counts = per_month.get(month, Counts())
        total.add(counts)
        hidden = hides_total(viewer, data, counts.episodes)
        figures = Figures(counts, [month], threshold, hidden, region_per_thousand(data, month))
        table.rows.append(
            Row([Cell(f"{month:%Y-%m}", f"{month:%Y-%m}", "month"), *figure_cells(cells, figures)])
        )
        shown = None if hidden or not counts.episodes else counts.average
        points.append(charts.Point(month, shown, over=bool(shown) and counts.over(threshold)))
        bars.append(None if hidden else counts.ready_days)
    per_thousand = _region_per_thousand(data, months)
    hidden = hides_total(viewer, data, total.episodes)
    table.foot.append(
        Row(
            [
                Cell(_("Period"), _("Period"), "total"),
                *figure_cells(cells, Figures(total, months, threshold, hidden, per_thousand)),
            ],
            css="total",
        )
    )
    cards = _region_cards(data, viewer, total, hidden, per_thousand)
    return cards, _region_charts(data, points, bars, total, hidden, title), table


def _region_cards(
    data: Data, viewer: Viewer, total: Counts, hidden: bool, per_thousand: Decimal | None
) -> list[Card]:
    months = data.query.months
    hidden_text = viewer.hidden_text

    def shown(text: str) -> str:
        return hidden_text if hidden else text

    missing = missing_population_years(data)
    cards = [
        Card(
            _("Ready days"),
            shown(numbers.integer(total.ready_days)),
            ngettext("%(n)s discharged episode", "%(n)s discharged episodes", total.episodes)
            % {"n": numbers.integer(total.episodes)}
            if not hidden
            else "",
        ),
        Card(
            _("Beds occupied on average"),
            shown(numbers.decimal(beds_occupied(total.ready_days, months))),
            _("by patients ready for discharge, per day"),
        ),
        Card(
            _("Ready days per 1,000 aged 65+ and month"),
            shown(numbers.decimal(per_thousand)),
            _("population missing for %(years)s") % {"years": ", ".join(map(str, missing))}
            if missing
            else _("population 31 December of the year before"),
        ),
        Card(
            _("Average (agreement)"),
            shown(numbers.decimal(total.average)),
            _("national measure: %(value)s")
            % {"value": shown(numbers.decimal(total.national_average))},
        ),
    ]
    if all(viewer.sees_liability(k) for k in data.kommuner):
        liabilities = [period_liability(data, k) for k in data.kommuner]
        liable = sum(1 for p in liabilities if p.state == LiabilityState.LIABLE)
        cards.append(
            Card(
                _("Liable in %(month)s") % {"month": f"{months[-1]:%Y-%m}"},
                f"{liable} / {len(data.kommuner)}",
                _("%(amount)s for the period")
                % {"amount": shown(numbers.kronor(sum(p.amount_sek for p in liabilities)))},
            )
        )
    return cards


def _region_charts(
    data: Data,
    points: list[charts.Point],
    bars: list[int | None],
    total: Counts,
    hidden: bool,
    title: str,
) -> list[Chart]:
    months = data.query.months
    values = [p.value for p in points if p.value is not None]
    over = [f"{p.month:%Y-%m}" for p in points if p.over]
    if values:
        summary = _(
            "%(title)s: monthly average %(low)s to %(high)s days; %(over)s of %(n)s "
            "months over %(t)s."
        ) % {
            "title": title,
            "low": numbers.decimal(min(values)),
            "high": numbers.decimal(max(values)),
            "over": len(over),
            "n": len(points),
            "t": threshold_text(data),
        }
    else:
        summary = _("%(title)s: no average to show in the period.") % {"title": title}
    line = charts.line_chart(
        points,
        _one_threshold(data) if _one_threshold(data).is_finite() else Decimal("3.0"),
        title=_("Average ready days per month, %(title)s") % {"title": title},
        summary=summary,
        large=True,
    )
    shown_bars = [b for b in bars if b is not None]
    bar_summary = (
        _("Ready days per month: %(total)s in the period, from %(low)s to %(high)s a month.")
        % {
            "total": numbers.integer(total.ready_days),
            "low": numbers.integer(min(shown_bars)),
            "high": numbers.integer(max(shown_bars)),
        }
        if shown_bars and not hidden
        else _("Ready days per month: none to show.")
    )
    bar = charts.bar_chart(
        months,
        bars,
        title=_("Ready days per month, %(title)s") % {"title": title},
        summary=bar_summary,
    )
    return [Chart(line, summary), Chart(bar, bar_summary)]


# --- The page ---------------------------------------------------------------------------------


def overview(data: Data, viewer: Viewer, link: KommunLink, title: str) -> Overview:
    cards, region_charts, region_table = region_part(data, viewer, title)
    grid = heat_grid(data, viewer)
    heat, heat_table, heat_summary = heat_map(data, viewer, grid)
    trend_charts, trend_summary = trends(data, viewer, grid)
    return Overview(
        title=title,
        cards=cards,
        kommuner=kommun_table(data, viewer, link, title),
        heat_maps=heat,
        heat_table=heat_table,
        heat_summary=heat_summary,
        trends=trend_charts,
        trend_summary=trend_summary,
        region_charts=region_charts,
        region_table=region_table,
    )


OVERVIEW_TABLES = ("kommuner", "karta", "region")


def overview_table(name: str, data: Data, viewer: Viewer, title: str) -> Table:
    """One of the overview's tables alone, for its download (``OVERVIEW_TABLES``)."""
    if name == "kommuner":
        return kommun_table(data, viewer, lambda _kommun: "", title)
    if name == "karta":
        return _heat_table(data, viewer, heat_grid(data, viewer))
    return region_part(data, viewer, title)[2]
