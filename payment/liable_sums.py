"""Liable days per kommun, group and month as one set-based query (PostgreSQL; issue 15).

A report without its episode lines (the liability page, the period's rows download) needs only
the liable days and amounts per kommun, group and month. ``payment.reports`` computes them by
putting every episode of the period through the rule functions in Python: ~40,000 episodes a
year in Stockholm, most of a second. On PostgreSQL this module asks the database for the same
sums instead: the waiting days (R1) of the episodes that meet the prerequisites (R5), from the
first day the rules allow (the agreement's first month; R7's liability start under the
per-episode model), cut into months (R9) and, under the kommun-average model, kept only in
the months the kommun was liable (R4, R6). The states themselves still come from
``rules.liability_states`` and the amounts from the agreement's daily amounts (R8) in Python.

The rule functions stay the definition: ``tests/payment/test_liable_sums.py`` compares these
sums with the rules' on seeded episodes of both models. Other databases use the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection

from discharges.models import Episode
from payment import rules
from payment.models import LiabilityModel

# (kommun code, group) -> the months R4 made the kommun liable in.
LiableMonths = dict[tuple[str, str], frozenset[date]]

# The first day each episode can be liable (besides the agreement's first month): the day
# after its ready date and, under the per-episode model, R7's liability start: the ready
# notice's local date (the next day when sent after the cut-off, read to the minute), plus
# the agreed day less one.
_PER_EPISODE_START = """
    (e.ready_notice_at AT TIME ZONE %(notice_zone)s)::date
    + CASE WHEN %(cutoff)s::time IS NOT NULL
            AND date_trunc('minute', e.ready_notice_at AT TIME ZONE %(notice_zone)s)::time
                > %(cutoff)s::time
        THEN 1 ELSE 0 END
    + %(from_day)s - 1
"""

_SQL = """
WITH waiting AS (
    SELECT e.kommun_id,
           CASE WHEN %(separate)s THEN e.care_type ELSE 'all' END AS grp,
           e.care_type,
           e.discharge_date,
           GREATEST(e.ready_date + 1, %(first_month)s::date{start}) AS lo
    FROM {episodes} e
    WHERE e.kommun_id = ANY(%(kommuner)s)
      AND e.discharge_date IS NOT NULL AND e.ready_date IS NOT NULL
      AND e.discharge_date >= %(first)s AND e.ready_date < %(period_end)s
      AND e.admission_notice_at IS NOT NULL AND e.ready_notice_at IS NOT NULL
      AND (NOT %(sip_required)s OR e.sip_needed IS NOT TRUE
           OR (e.sip_invitation_at AT TIME ZONE %(local_zone)s)::date
              <= e.ready_date + %(sip_days)s)
)
SELECT w.kommun_id, w.care_type, m.month::date,
       SUM(LEAST(w.discharge_date, (m.month + interval '1 month - 1 day')::date)
           - GREATEST(w.lo, m.month::date) + 1)
FROM waiting w
CROSS JOIN LATERAL generate_series(
    date_trunc('month', w.lo::timestamp), date_trunc('month', w.discharge_date::timestamp),
    interval '1 month') AS m(month)
{liable_join}
WHERE w.lo <= w.discharge_date
  AND m.month <= %(last)s::timestamp
  -- Before the period: only the days of episodes discharged in it (their lines are priced).
  AND (m.month >= %(first)s::timestamp OR w.discharge_date <= %(period_end)s)
GROUP BY 1, 2, 3
"""

_LIABLE_JOIN = """
JOIN unnest(%(liable_kommun)s::int[], %(liable_group)s::text[], %(liable_month)s::date[])
    AS l(kommun_id, grp, month)
  ON l.kommun_id = w.kommun_id AND l.grp = w.grp AND l.month = m.month::date
"""


def available() -> bool:
    """True where the query runs (PostgreSQL); elsewhere the report applies the rules."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Sums:
    """Liable days per (kommun code, the episodes' own care type, month) of the period (a
    report's groups are sums of these), and the years in which the period's episodes have
    liable days at all (the period's, and earlier days of episodes discharged in it), for the
    check that each year has a daily amount."""

    by_care_type: dict[tuple[str, str, date], int]
    years: frozenset[int]


def liable_day_sums(
    terms: rules.Terms,
    *,
    separate_care_types: bool,
    first: date,
    last: date,
    period_end: date,
    codes: dict[int, str],
    liable_months: LiableMonths,
) -> Sums:
    """The liable days (R5-R7, R9) of the episodes discharged from ``first`` on and ready
    before ``period_end`` (the report's candidates), per kommun, care type and month of
    ``first``..``last``. ``codes``: the kommuner (code by id); ``liable_months``: R4's liable
    months per (kommun code, group), used under the kommun-average model."""
    if not codes:  # (with no liable month it still asks: the same queries whatever the data)
        return Sums({}, frozenset())
    per_episode = terms.model == LiabilityModel.PER_EPISODE
    ids = {code: pk for pk, code in codes.items()}
    liable = [
        (ids[code], group, month)
        for (code, group), months in liable_months.items()
        if code in ids
        for month in months
        if month <= last
    ]
    params: dict[str, Any] = {
        "separate": separate_care_types,
        "first_month": terms.first_month,
        "kommuner": list(codes),
        "first": first,
        "last": last,
        "period_end": period_end,
        "sip_required": terms.sip_invitation_required,
        "sip_days": terms.sip_invitation_days,
        "local_zone": settings.TIME_ZONE,
        "notice_zone": terms.timezone,
        "cutoff": terms.notice_cutoff,
        "from_day": terms.liability_from_day or rules.DEFAULT_LIABILITY_FROM_DAY,
        "liable_kommun": [k for k, _g, _m in liable],
        "liable_group": [g for _k, g, _m in liable],
        "liable_month": [m for _k, _g, m in liable],
    }
    sql = _SQL.format(
        episodes=connection.ops.quote_name(Episode._meta.db_table),
        start=f", {_PER_EPISODE_START}" if per_episode else "",
        liable_join="" if per_episode else _LIABLE_JOIN,
    )
    by_care_type: dict[tuple[str, str, date], int] = {}
    years: set[int] = set()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kommun_id, care_type, month, count in cursor.fetchall():
            if not count:
                continue
            years.add(month.year)
            if month >= first:
                by_care_type[(codes[kommun_id], care_type, month)] = int(count)
    return Sums(by_care_type, frozenset(years))
