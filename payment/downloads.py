"""The liability pages' downloads, for people: the invoice basis (fakturaunderlag) and its
episodes with Swedish headers and values, as Swedish Excel opens them (CSV with ``;``, decimal
comma and a byte-order mark) or as a workbook, through ``discharges.exports`` (which also
neutralises formula cells). Programs read the machine form instead (``payment_report
--format csv``: English keys, ``,`` and ``.``; ``payment.reports.rows_csv``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from discharges.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, Cell, swedish_csv, xlsx
from discharges.models import CareType
from payment.explain import prerequisite_texts
from payment.reports import ALL, EpisodeLine, Row

FORMATS = ("csv", "xlsx")
Table = tuple[list[str], list[list[Cell]]]


def _care_type(value: str) -> str:
    """The care type as the page names it; empty stays empty (an episode without consent)."""
    if value == ALL:
        return pgettext("download", "All")
    return str(CareType(value).label) if value in CareType.values else value


def _state(value: str) -> str:
    return {
        "liable": _("Liable"),
        "free": _("Free"),
        "per_episode": _("Per episode"),
    }.get(value, value)


def month_table(rows: Iterable[Row], names: dict[str, str]) -> Table:
    """One line per kommun, care type and month; ``names``: kommun code -> name."""
    headers = [
        pgettext("download", "Municipality code"),
        pgettext("download", "Municipality"),
        pgettext("download", "Care type"),
        pgettext("download", "Month"),
        pgettext("download", "Discharged episodes"),
        pgettext("download", "Ready days"),
        pgettext("download", "Average ready days"),
        pgettext("download", "Episodes with 3+ ready days"),
        pgettext("download", "Liability"),
        pgettext("download", "Liable days"),
        pgettext("download", "Amount (SEK)"),
    ]
    body: list[list[Cell]] = [
        [
            row.kommun, names.get(row.kommun, ""), _care_type(row.care_type),
            f"{row.month:%Y-%m}", row.episodes, row.ready_days, row.average,
            row.episodes_3plus, _state(row.state), row.liable_days, row.amount_sek,
        ]
        for row in rows
    ]  # fmt: skip
    return headers, body


def episode_table(lines: Iterable[EpisodeLine], names: dict[str, str]) -> Table:
    """The episodes behind the lines, with the prerequisites they miss in words."""
    headers = [
        pgettext("download", "Episode"),
        pgettext("download", "Municipality code"),
        pgettext("download", "Municipality"),
        pgettext("download", "Care type"),
        pgettext("download", "Ready date"),
        pgettext("download", "Discharge date"),
        pgettext("download", "Ready days"),
        pgettext("download", "Liable days"),
        pgettext("download", "Amount (SEK)"),
        pgettext("download", "Missing prerequisites"),
    ]
    body: list[list[Cell]] = [
        [
            line.episode_id, line.kommun, names.get(line.kommun, ""),
            _care_type(line.care_type), line.ready_date, line.discharge_date,
            line.ready_days, line.liable_days, line.amount_sek,
            " ".join(prerequisite_texts(line.prerequisites_missing)),
        ]
        for line in lines
    ]  # fmt: skip
    return headers, body


def download(table: Table, fmt: str, filename: str, sheet: str) -> HttpResponse:
    """``table`` as ``filename.<fmt>`` (``fmt`` one of FORMATS), an attachment."""
    headers, body = table
    if fmt == "xlsx":
        content, content_type = xlsx(sheet, headers, body), XLSX_CONTENT_TYPE
    else:
        content, content_type = swedish_csv(headers, body), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def period_name(first: date, last: date) -> str:
    return f"{first:%Y-%m}-{last:%Y-%m}"
