"""The national export (Väntetider i vården): per kommun of a region and month of discharge,
the discharged episodes with at least one ready day, their average ready days and the beds
occupied by ready patients on average.

- ``episodes`` and ``average_ready_days`` follow the national definition: only discharged
  episodes with at least 1 ready day (DOMAIN.md, R2); the average to 2 decimals, halves up.
- ``beds_occupied`` is indicator 4 as the monthly statistics define it: the month's ready days
  (of the episodes discharged in it, R2) over its calendar days, 2 decimals, halves up.

Computed from the episodes in one GROUP BY (``discharges.aggregates.grouped_counts``, the
statistics' own definition of every count), so the series does not depend on a recompute
having run. Every kommun of the region has a row for every month, 0 when nothing was
discharged, so that a gap in the series is a gap in the data, never in the file.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.aggregates import grouped_counts
from discharges.models import Kommun, Region

COLUMNS = ("kommun", "month", "episodes", "average_ready_days", "beds_occupied")
EARLIEST_MONTH = date(2000, 1, 1)
MAX_MONTHS = 10 * 12 + 1
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_CENT = Decimal("0.01")


class BadExport(ValueError):
    """Bad input to the export, with a message naming the option."""


@dataclass(frozen=True)
class VantetiderRow:
    kommun: str  # the kommun code
    month: date
    episodes: int  # discharged in the month with at least 1 ready day
    # Their ready days: also the month's ready days of indicator 4, since the episodes with
    # 0 ready days add none.
    ready_days: int
    days_in_month: int

    @property
    def average_ready_days(self) -> Decimal | None:
        if not self.episodes:
            return None
        return (Decimal(self.ready_days) / self.episodes).quantize(_CENT, ROUND_HALF_UP)

    @property
    def beds_occupied(self) -> Decimal:
        return (Decimal(self.ready_days) / self.days_in_month).quantize(_CENT, ROUND_HALF_UP)

    def values(self) -> tuple[str, str, int, Decimal | None, Decimal]:
        return (
            self.kommun,
            f"{self.month:%Y-%m}",
            self.episodes,
            self.average_ready_days,
            self.beds_occupied,
        )


def parse_month(value: str | None, option: str) -> date:
    """A month as YYYY-MM between 2000-01 and the current month, or BadExport naming ``option``."""
    match = _MONTH.fullmatch((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadExport(
            _("%(option)s: give a month as YYYY-MM, e.g. 2026-03 (got %(value)s).")
            % {"option": option, "value": repr((value or "")[:20])}
        )
    month = date(int(match[1]), int(match[2]), 1)
    current = timezone.localdate().replace(day=1)
    if not EARLIEST_MONTH <= month <= current:
        raise BadExport(
            _("%(option)s: a month from %(first)s to %(last)s.")
            % {"option": option, "first": f"{EARLIEST_MONTH:%Y-%m}", "last": f"{current:%Y-%m}"}
        )
    return month


def parse_period(
    first: str | None, last: str | None, names: tuple[str, str] = ("--from", "--to")
) -> tuple[date, date]:
    """The period from ``first`` to ``last``; errors name the options as ``names`` say."""
    start, end = parse_month(first, names[0]), parse_month(last, names[1])
    if end < start:
        raise BadExport(
            _("%(option)s: the last month comes before the first.") % {"option": names[1]}
        )
    if len(months(start, end)) > MAX_MONTHS:
        raise BadExport(
            _("%(option)s: at most %(n)s months in one export.")
            % {"option": names[1], "n": MAX_MONTHS}
        )
    return start, end


def find_region(code: str | None) -> Region:
    region = Region.objects.filter(code=(code or "").strip()[:2]).first()
    if region is None or not code or len(code.strip()) != 2:
        raise BadExport(
            _("--region: no region has the county code %(code)s (two digits, e.g. 24).")
            % {"code": repr((code or "")[:20])}
        )
    return region


def months(first: date, last: date) -> list[date]:
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return out


def vantetider_rows(region: Region, first: date, last: date) -> list[VantetiderRow]:
    """One row per kommun of ``region`` and month from ``first`` to ``last``."""
    kommuner = list(Kommun.objects.filter(region=region).order_by("code"))
    by_id = {k.pk: k.code for k in kommuner}
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    sums: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
    where = Q(kommun__region=region, discharge_date__gte=first, discharge_date__lte=end)
    for row in grouped_counts(where):  # per care type: summed here
        total = sums[(by_id[row["group_kommun"]], row["month"])]
        total[0] += row["n_episodes_1plus"]
        total[1] += row["n_ready_days"]
    return [
        VantetiderRow(
            kommun=kommun.code,
            month=month,
            episodes=sums[(kommun.code, month)][0],
            ready_days=sums[(kommun.code, month)][1],
            days_in_month=calendar.monthrange(month.year, month.month)[1],
        )
        for kommun in kommuner
        for month in months(first, last)
    ]


def plain_csv(rows: list[VantetiderRow]) -> str:
    """The command's file: ``,``-separated, decimal point, the columns as named nationally."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.values()])
    return out.getvalue()
