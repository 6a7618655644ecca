"""One kommun's follow-up over time: its monthly figures and liability, the trend against the
threshold, and the regional follow-up indicators of DOMAIN.md (named care contact, SIP
invitation within 3 days, days from invitation to meeting, accuracy and changes of the
preliminary date, admission notices later than 24 h, the track colour mix). Built from the
stored rows; small numbers as on the overview (``analysis.dashboards``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from analysis import charts, numbers
from analysis.dashboards import Card, Chart, kommun_trend_summary
from analysis.figures import (
    Counts,
    Data,
    Liability,
    Viewer,
    beds_occupied,
    period_counts,
    period_liability,
)
from analysis.indicator_page import indicator_table
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
)
from discharges.models import Kommun
from payment.models import LiabilityState


@dataclass
class KommunPage:
    kommun: Kommun
    cards: list[Card]
    trend: Chart
    months: Table
    indicators: Table
    seed_indicators: Table  # seed 003's indicators (issue 14)
    sees_liability: bool

    def tables(self) -> dict[str, Table]:
        """The page's tables by name, each downloadable as CSV and XLSX."""
        return {t.name: t for t in (self.months, self.indicators, self.seed_indicators)}


def _month_cell(month: date) -> Cell:
    return Cell(f"{month:%Y-%m}", f"{month:%Y-%m}", "month")


def months_table(data: Data, viewer: Viewer, kommun: Kommun) -> Table:
    cells = Cells(viewer)
    sees = viewer.sees_liability(kommun)
    headers = [
        Header(pgettext("column", "Month"), num=False),
        *figure_headers(with_liability=sees, liability_title=pgettext("column", "Liability")),
    ]
    table = Table("manader", _("Month by month"), headers)
    threshold = data.threshold(kommun)
    for month in data.query.months:
        counts = data.month(kommun, month) or Counts()
        figures = Figures(
            counts,
            [month],
            threshold,
            viewer.hides(kommun, counts.episodes),
            data.per_thousand(kommun, [month]),
        )
        row = [_month_cell(month), *figure_cells(cells, figures)]
        if sees:
            liability = data.liability.get((kommun.code, month)) or Liability()
            row += liability_cells(cells, viewer, kommun, liability, counts.episodes, 1)
        table.rows.append(Row(row))
    total = period_counts(data, kommun)
    figures = Figures(
        total,
        data.query.months,
        threshold,
        viewer.hides(kommun, total.episodes),
        data.per_thousand(kommun, data.query.months),
    )
    foot = [Cell(_("Period"), _("Period"), "total"), *figure_cells(cells, figures)]
    if sees:
        liability = period_liability(data, kommun)
        foot += liability_cells(
            cells, viewer, kommun, liability, total.episodes, len(data.query.months)
        )
    table.foot.append(Row(foot, css="total"))
    return table


def indicator_headers() -> list[Header]:
    return [
        Header(pgettext("column", "Month"), num=False),
        Header(pgettext("column", "Named care contact"), title=_("Share of discharged episodes")),
        Header(
            pgettext("column", "SIP invitation within 3 days"),
            title=_("Share of the episodes needing a SIP invited within 3 days of the ready date"),
        ),
        Header(
            pgettext("column", "Days to SIP meeting"),
            title=_("Median days from SIP invitation to meeting"),
        ),
        Header(
            pgettext("column", "Preliminary date ±1 day"),
            title=_("Share whose preliminary ready date was within one day of the ready date"),
        ),
        Header(
            pgettext("column", "Changes of preliminary date per episode"),
            title=_("Changes per discharged episode"),
        ),
        Header(
            pgettext("column", "Admission notice > 24 h"),
            title=_("Admission notices sent later than 24 h"),
        ),
        Header(
            pgettext("column", "Green"),
            title=_("Share of the assessed episodes on the green track"),
        ),
        Header(
            pgettext("column", "Yellow"),
            title=_("Share of the assessed episodes on the yellow track"),
        ),
        Header(
            pgettext("column", "Red"), title=_("Share of the assessed episodes on the red track")
        ),
        Header(
            pgettext("column", "Blue"), title=_("Share of the assessed episodes on the blue track")
        ),
    ]


def indicator_cells(
    cells: Cells, viewer: Viewer, kommun: Kommun, c: Counts, median: Cell
) -> list[Cell]:
    """Each cell is hidden by its own base: the episodes its share is taken of."""

    def hides(base: int) -> bool:
        return viewer.hides(kommun, base)

    def track(count: int) -> Cell:
        share = numbers.share(count, c.tracked)
        title = ngettext("%(n)s episode", "%(n)s episodes", count) % {"n": count}
        return cells.percent(share, hides(c.tracked), title if not hides(c.tracked) else "")

    return [
        cells.percent(c.named_contact_share, hides(c.episodes)),
        cells.percent(c.sip_in_time_share, hides(c.sip_needed)),
        median,
        cells.percent(c.preliminary_accuracy, hides(c.preliminary_known)),
        cells.decimal(c.changes_average, hides(c.episodes)),
        cells.count(c.admission_notice_late, hides(c.episodes)),
        track(c.track_green),
        track(c.track_yellow),
        track(c.track_red),
        track(c.track_blue),
    ]


def indicators_table(data: Data, viewer: Viewer, kommun: Kommun) -> Table:
    cells = Cells(viewer)
    table = Table("indikatorer", _("Follow-up indicators"), indicator_headers())
    for month in data.query.months:
        counts = data.month(kommun, month) or Counts()
        median = cells.decimal(
            data.medians.get((kommun.code, month)),
            viewer.hides(kommun, counts.sip_held),
            places=1,
        )
        table.rows.append(
            Row([_month_cell(month), *indicator_cells(cells, viewer, kommun, counts, median)])
        )
    total = period_counts(data, kommun)
    median = cells.blank(_("The median is computed per month"))
    table.foot.append(
        Row(
            [
                Cell(_("Period"), _("Period"), "total"),
                *indicator_cells(cells, viewer, kommun, total, median),
            ],
            css="total",
        )
    )
    return table


def _cards(data: Data, viewer: Viewer, kommun: Kommun, sees: bool) -> list[Card]:
    months = data.query.months
    total = period_counts(data, kommun)
    hidden = viewer.hides(kommun, total.episodes)

    def shown(text: str) -> str:
        return viewer.hidden_text if hidden else text

    cards = [
        Card(
            _("Discharged episodes"),
            shown(numbers.integer(total.episodes)),
            _("%(n)s with 3 or more ready days")
            % {"n": shown(numbers.integer(total.episodes_3plus))},
        ),
        Card(
            _("Average (agreement)"),
            shown(numbers.decimal(total.average)),
            _("national measure: %(value)s")
            % {"value": shown(numbers.decimal(total.national_average))},
        ),
        Card(
            _("Beds occupied on average"),
            shown(numbers.decimal(beds_occupied(total.ready_days, months))),
            _("%(n)s ready days") % {"n": shown(numbers.integer(total.ready_days))},
        ),
        Card(
            _("Ready days per 1,000 aged 65+ and month"),
            shown(numbers.decimal(data.per_thousand(kommun, months))),
            _("population 31 December of the year before"),
        ),
    ]
    if sees:
        liability = period_liability(data, kommun)
        days_hidden = viewer.hides(kommun, total.episodes or (1 if liability.liable_days else 0))
        cards.append(
            Card(
                _("Liable months"),
                f"{liability.liable_months} / {len(months)}",
                viewer.hidden_text
                if days_hidden
                else _("%(days)s liable days, %(amount)s")
                % {
                    "days": numbers.integer(liability.liable_days),
                    "amount": numbers.kronor(liability.amount_sek),
                },
            )
        )
    return cards


def kommun_page(data: Data, viewer: Viewer, kommun: Kommun) -> KommunPage:
    sees = viewer.sees_liability(kommun)
    threshold = data.threshold(kommun)
    points = []
    for month in data.query.months:
        counts = data.month(kommun, month)
        liability = data.liability.get((kommun.code, month))
        hidden = counts is not None and viewer.hides(kommun, counts.episodes)
        value = None if counts is None or hidden else counts.average
        points.append(
            charts.Point(
                month,
                value,
                shaded=sees and liability is not None and liability.state == LiabilityState.LIABLE,
                over=value is not None and counts is not None and counts.over(threshold),
            )
        )
    summary = kommun_trend_summary(kommun, points, threshold)
    svg = charts.line_chart(
        points,
        threshold,
        title=_("Average ready days per month, %(kommun)s") % {"kommun": kommun.name},
        summary=summary,
        large=True,
    )
    return KommunPage(
        kommun=kommun,
        cards=_cards(data, viewer, kommun, sees),
        trend=Chart(svg, summary),
        months=months_table(data, viewer, kommun),
        indicators=indicators_table(data, viewer, kommun),
        seed_indicators=indicator_table(kommun, data.query, viewer),
        sees_liability=sees,
    )
