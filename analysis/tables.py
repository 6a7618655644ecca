"""The tables of the follow-up pages, built once for the page and its exports.

A ``Cell`` carries what the page shows (Swedish numbers, "<5" for a figure hidden by the
small-number rule, a dash for none) and the value an export writes (numbers stay numbers, the
hidden ones are "<5" there too). A ``Table`` knows its headers, rows and total row; the page
renders it and ``analysis.exports`` writes it as CSV and XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from analysis import numbers
from analysis.figures import Counts, Data, Liability, Viewer, beds_occupied, period_liability
from discharges.exports import Cell as ExportValue
from discharges.models import Kommun
from payment.models import LiabilityState

SOFT_HYPHEN = "\u00ad"  # in the Swedish column headers, so that long words break in a cell


@dataclass(slots=True)  # not frozen: a page builds tens of thousands, and frozen costs
class Cell:
    text: str = numbers.DASH
    value: ExportValue = None
    css: str = ""
    title: str = ""
    href: str = ""
    note: str = ""  # a second, smaller line under the text (not exported)
    over: bool = False  # over the threshold: marked with ▲ beside the value


@dataclass(frozen=True)
class Header:
    text: str
    num: bool = True
    title: str = ""


@dataclass
class Row:
    cells: list[Cell]
    code: str = ""  # a kommun's code, written beside its name in the exports
    css: str = ""


@dataclass
class Table:
    name: str  # the element id and the export's name
    title: str
    headers: list[Header]
    rows: list[Row] = field(default_factory=list)
    foot: list[Row] = field(default_factory=list)
    with_code: bool = False  # the first column names kommuner: exports add their code

    def export(self) -> tuple[list[str], list[list[ExportValue]]]:
        """Headers and rows as the exports write them (the total row last)."""
        headers = [h.text.replace(SOFT_HYPHEN, "") for h in self.headers]
        if self.with_code:
            headers.insert(1, _("Municipality code"))
        rows = []
        for row in [*self.rows, *self.foot]:
            values = [cell.value for cell in row.cells]
            if self.with_code:
                values.insert(1, row.code)
            rows.append(values)
        return headers, rows


# --- Cells ----------------------------------------------------------------------------------


class Cells:
    """Cell makers for one viewer: a hidden figure reads "<5" (the threshold) everywhere."""

    def __init__(self, viewer: Viewer) -> None:
        self.viewer = viewer
        # Translated once per table: a page has thousands of cells.
        self.over_title = _("Over the threshold")
        self.states = state_labels()
        self.no_agreement = _("No agreement covers the month")
        self.not_shown = _("Shown to the municipality's own staff and the region's follow-up roles")
        self.hidden_cell = Cell(
            viewer.hidden_text,
            viewer.hidden_text,
            "num hidden",
            _("Fewer than %(n)s episodes: not shown") % {"n": viewer.threshold},
        )

    def count(self, value: int, hidden: bool = False) -> Cell:
        return self.hidden_cell if hidden else Cell(numbers.integer(value), value, "num")

    def decimal(
        self, value: Decimal | None, hidden: bool = False, *, over: bool = False, places: int = 2
    ) -> Cell:
        if hidden:
            return self.hidden_cell
        if value is None:
            return Cell(numbers.DASH, None, "num")
        return Cell(
            numbers.decimal(value, places),
            value,
            "num over" if over else "num",
            self.over_title if over else "",
            over=over,
        )

    def percent(self, share: Decimal | None, hidden: bool = False, title: str = "") -> Cell:
        if hidden:
            return self.hidden_cell
        if share is None:
            return Cell(numbers.DASH, None, "num")
        value = (share * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return Cell(numbers.percent(share), value, "num", title)

    def kronor(self, value: int, hidden: bool = False) -> Cell:
        return self.hidden_cell if hidden else Cell(numbers.kronor(value), value, "num")

    def blank(self, title: str) -> Cell:
        return Cell(numbers.DASH, None, "num muted", title)


def state_labels() -> dict[str, str]:
    return {
        LiabilityState.FREE: _("Not liable"),
        LiabilityState.LIABLE: _("Liable"),
        LiabilityState.PARTLY: _("Liable for one care type"),
        LiabilityState.PER_EPISODE: _("Per episode"),
    }


def state_cell(cells: Cells, state: str | None, *, note: str = "") -> Cell:
    if state is None:
        return Cell(numbers.DASH, None, "muted", cells.no_agreement, note=note)
    label = cells.states.get(state, numbers.DASH)
    return Cell(label, label, f"state-{state}", note=note)


def not_shown_liability(cells: Cells) -> Cell:
    return cells.blank(cells.not_shown)


# --- The figures of a row (a kommun or the region, over a month or the period) -----------------


def figure_headers(*, with_liability: bool, liability_title: str) -> list[Header]:
    headers = [
        Header(pgettext("column", "Discharged episodes")),
        Header(pgettext("column", "Ready days")),
        Header(
            pgettext("column", "Average (agreement)"),
            title=_("Ready days / discharged episodes, same-day discharges included"),
        ),
        Header(
            pgettext("column", "Average (national)"),
            title=_("Only episodes with at least 1 ready day (Väntetider i vården)"),
        ),
        Header(pgettext("column", "3+ days")),
        Header(pgettext("column", "Same day"), title=_("Share discharged on the ready day")),
        Header(
            pgettext("column", "Beds occupied"),
            title=_("Ready days / calendar days: beds occupied on average"),
        ),
        Header(
            pgettext("column", "Per 1,000 aged 65+ and month"),
            title=_(
                "Ready days per 1,000 inhabitants aged 65+ and month (the population on "
                "31 December of the year before); over a period, the months' average"
            ),
        ),
    ]
    if with_liability:
        headers += [
            Header(liability_title, num=False),
            Header(pgettext("column", "Liable days")),
            Header(pgettext("column", "Amount")),
        ]
    return headers


@dataclass(slots=True)
class Figures:
    """What one row of figures is built from."""

    counts: Counts
    months: list[date]
    threshold: Decimal
    hidden: bool
    per_thousand: Decimal | None


def figure_cells(cells: Cells, figures: Figures) -> list[Cell]:
    c, hidden = figures.counts, figures.hidden
    return [
        cells.count(c.episodes, hidden),
        cells.count(c.ready_days, hidden),
        cells.decimal(c.average, hidden, over=c.over(figures.threshold)),
        cells.decimal(c.national_average, hidden),
        cells.count(c.episodes_3plus, hidden),
        cells.percent(c.same_day_share, hidden),
        cells.decimal(beds_occupied(c.ready_days, figures.months), hidden),
        cells.decimal(figures.per_thousand, hidden),
    ]


def liability_cells(
    cells: Cells, viewer: Viewer, kommun: Kommun, liability: Liability, episodes: int, months: int
) -> list[Cell]:
    """State (with the liable months), liable days and amount of a kommun, or dashes for a
    viewer who may not see its liability. Days and amount count as built on the episodes: a
    liable day with no discharged episode in the month still tells of one patient."""
    if not viewer.sees_liability(kommun):
        return [not_shown_liability(cells)] * 3
    note = (
        ngettext(
            "%(n)s of %(m)s month liable", "%(n)s of %(m)s months liable", liability.liable_months
        )
        % {"n": liability.liable_months, "m": months}
        if months > 1 and liability.liable_months
        else ""
    )
    hidden = viewer.hides(kommun, episodes or (1 if liability.liable_days else 0))
    return [
        state_cell(cells, liability.state, note=note),
        cells.count(liability.liable_days, hidden),
        cells.kronor(liability.amount_sek, hidden),
    ]


def kommun_liability(data: Data, kommun: Kommun) -> Liability:
    return period_liability(data, kommun)
