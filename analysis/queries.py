"""The query string of the follow-up pages: period, care type and region, read once.

``from`` and ``to`` (YYYY-MM) give any range of months; ``months=N`` is the last N months up to
the last complete month; without either the period is the last 13 complete months (the month a
year back and the twelve after it, as the group compares them). A value that cannot be read,
or a period outside 2000-01 .. this month, is a ``BadQuery`` whose message the page shows (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from urllib.parse import urlencode

from django.http import QueryDict
from django.utils.translation import gettext as _

from analysis.models import StatCareType
from payment.rules import iter_months, month_start

DEFAULT_MONTHS = 13
MAX_MONTHS = 120
FIRST_MONTH = date(2000, 1, 1)


class BadQuery(Exception):
    """A parameter of the page cannot be used; the message (Swedish) says which and why."""


@dataclass(frozen=True)
class Query:
    first: date
    last: date
    care_type: str
    region: str = ""  # a region code, or "" for every region the user follows

    @cached_property
    def months(self) -> list[date]:
        return list(iter_months(self.first, self.last))

    def params(self, **override: str) -> str:
        """The query string of these choices (with ``override``), for links and exports."""
        values = {
            "from": f"{self.first:%Y-%m}",
            "to": f"{self.last:%Y-%m}",
            "care_type": self.care_type,
            "region": self.region,
            **override,
        }
        return urlencode({k: v for k, v in values.items() if v})


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_complete_month(today: date) -> date:
    return month_start(month_start(today) - timedelta(days=1))


def _month(value: str, name: str, current: date) -> date:
    try:
        year, month = value.strip().split("-")
        if len(year) != 4 or not year.isdigit() or not month.isdigit():
            raise ValueError(value)
        parsed = date(int(year), int(month), 1)
    except ValueError as exc:
        raise BadQuery(
            _("%(field)s: give a month as YYYY-MM, e.g. %(example)s.")
            % {"field": name, "example": f"{current:%Y-%m}"}
        ) from exc
    if not FIRST_MONTH <= parsed <= current:
        raise BadQuery(
            _("%(field)s: a month from %(first)s to %(last)s.")
            % {"field": name, "first": f"{FIRST_MONTH:%Y-%m}", "last": f"{current:%Y-%m}"}
        )
    return parsed


def _period(params: QueryDict, today: date) -> tuple[date, date]:
    current = month_start(today)
    default_last = last_complete_month(today)
    count = DEFAULT_MONTHS
    months = params.get("months") or ""
    if months:
        text = months.strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_MONTHS:
            raise BadQuery(_("Months: a whole number from 1 to %(max)s.") % {"max": MAX_MONTHS})
        count = int(text)
    to, since = params.get("to") or "", params.get("from") or ""
    last = _month(to, _("To"), current) if to else default_last
    if since:
        first = _month(since, _("From"), current)
    else:
        first = max(add_months(last, 1 - count), FIRST_MONTH)
    if last < first:
        first, last = last, first
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_MONTHS:
        raise BadQuery(_("The period may be at most %(months)s months.") % {"months": MAX_MONTHS})
    return first, last


def parse_query(params: QueryDict, *, today: date, regions: set[str]) -> Query:
    """The page's choices from its query string; raises BadQuery with a Swedish message."""
    for name in ("from", "to", "months", "care_type", "region"):
        value = params.get(name, "")
        if len(value) > 20 or "\x00" in value:
            raise BadQuery(_("The address holds a value that is too long or malformed."))
    first, last = _period(params, today)
    care_type = params.get("care_type") or StatCareType.ALL
    if care_type not in StatCareType.values:
        raise BadQuery(_("Care type: all care types, somatic care or psychiatric care."))
    region = params.get("region", "")
    if region and region not in regions:
        raise BadQuery(_("Region: choose one of the regions you follow up."))
    return Query(first, last, care_type, region)
