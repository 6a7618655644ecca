"""Seed 003's indicators 1, 2, 5, 6, 7, 8, 11 and 12 on a kommun's follow-up page: one table,
a row per month of the period and one for the period, read from the stored rows
(``analysis.indicator_models``) summed over the kommun's health centres (and care types, unless
the page chose one). Each share is hidden by the small-number rule of its own base, as on the
rest of the page (``Viewer.hides``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analysis import numbers
from analysis.figures import Viewer
from analysis.indicator_models import INDICATOR_COUNTS, MonthlyIndicators
from analysis.models import StatCareType
from analysis.queries import Query
from analysis.tables import Cell, Cells, Header, Row, Table
from discharges.models import Kommun

Sums = dict[str, int]


def _headers() -> list[Header]:
    def header(text: str, title: str) -> Header:
        return Header(text, title=title)

    return [
        Header(pgettext("column", "Month"), num=False),
        header(
            _("1. Admission notice"), _("Share of discharged episodes with an admission notice")
        ),
        header(_("2. SIP"), _("Share of discharged episodes that led to a SIP")),
        header(
            _("5. Readmitted 65+"),
            _(
                "Share of the episodes of patients aged 65+ followed by an acute admission "
                "within 30 days"
            ),
        ),
        header(
            _("6. Unchanged needs"),
            _(
                "Share of the episodes with an outcome of needs: unchanged, earlier "
                "municipal services"
            ),
        ),
        header(
            _("7. New needs, social services"),
            _("Share of the episodes with an outcome of needs: new needs from social services"),
        ),
        header(_("8. SIP in the home"), _("Share of discharged episodes with a SIP in the home")),
        header(_("11. Video"), _("Share of the SIPs with a known place held by video")),
        header(_("11. Hospital"), _("Share of the SIPs with a known place held at the hospital")),
        header(_("11. Home"), _("Share of the SIPs with a known place held in the home")),
        header(_("11. Phone"), _("Share of the SIPs with a known place held by phone")),
        header(
            _("12. Follow-up as planned"),
            _("Share of the planned SIP follow-ups done no later than planned"),
        ),
    ]


def _cells(cells: Cells, viewer: Viewer, kommun: Kommun, c: Sums) -> list[Cell]:
    def pct(part: str, base: str) -> Cell:
        return cells.percent(
            numbers.share(c[part], c[base]),
            viewer.hides(kommun, c[base]),
            _("%(part)s of %(whole)s") % {"part": c[part], "whole": c[base]}
            if not viewer.hides(kommun, c[base])
            else "",
        )

    return [
        pct("admission_notice", "episodes"),
        pct("sip", "episodes"),
        pct("readmitted_65plus", "aged_65plus"),
        pct("needs_unchanged", "needs_known"),
        pct("needs_new_social", "needs_known"),
        pct("sip_home", "episodes"),
        pct("sip_video", "sip_place_known"),
        pct("sip_hospital", "sip_place_known"),
        pct("sip_home", "sip_place_known"),
        pct("sip_phone", "sip_place_known"),
        pct("follow_up_as_planned", "follow_up_planned"),
    ]


def monthly_sums(kommun: Kommun, query: Query) -> dict[date, Sums]:
    """The stored counts of the kommun per month of the period (one GROUP BY)."""
    rows = MonthlyIndicators.objects.filter(
        kommun=kommun, month__gte=query.first, month__lte=query.last
    )
    if query.care_type != StatCareType.ALL:
        rows = rows.filter(care_type=query.care_type)
    sums: dict[str, Any] = {name: Sum(name) for name in INDICATOR_COUNTS}
    grouped: list[dict[str, Any]] = [
        dict(row) for row in rows.values("month").annotate(**sums).order_by()
    ]
    return {row["month"]: {name: row[name] or 0 for name in INDICATOR_COUNTS} for row in grouped}


def indicator_table(kommun: Kommun, query: Query, viewer: Viewer) -> Table:
    cells = Cells(viewer)
    table = Table(
        "indikatorer-halland", _("Indicators for discharge (Region Halland 2019)"), _headers()
    )
    sums = monthly_sums(kommun, query)
    empty = dict.fromkeys(INDICATOR_COUNTS, 0)
    total = dict(empty)
    for month in query.months:
        counts = sums.get(month, empty)
        for name in INDICATOR_COUNTS:
            total[name] += counts[name]
        label = f"{month:%Y-%m}"
        table.rows.append(
            Row([Cell(label, label, "month"), *_cells(cells, viewer, kommun, counts)])
        )
    table.foot.append(
        Row(
            [Cell(_("Period"), _("Period"), "total"), *_cells(cells, viewer, kommun, total)],
            css="total",
        )
    )
    return table
