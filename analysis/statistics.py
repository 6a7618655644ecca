"""Computing the monthly statistics per (kommun, care type, month), replacing the table's
contents in one transaction (idempotent).

On PostgreSQL the whole table is one set-based statement per run (``INSERT ... SELECT ...
GROUP BY GROUPING SETS``): the care types and their sum ("all") and the SIP medians
(``percentile_cont``) are computed in the database and nothing passes through Python. Other
backends (SQLite in development) use the per-group computation over ``grouped_counts``, which
is also the reference the set-based statement is tested against
(tests/analysis/test_statistics_set_based.py): both give the same rows.
"""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, models, transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from analysis import overview_cache
from analysis.indicators import compute_indicators
from analysis.models import MonthlyStatistic, StatCareType
from discharges.aggregates import COUNTS, discharged_with_ready_date, grouped_counts
from discharges.models import Episode, TrackColour
from payment.monthly import store_monthly_liability

Key = tuple[int, str, date]


def _sip_intervals() -> dict[Key, list[int]]:
    """Days from SIP invitation to SIP meeting, per group (for the medians)."""
    intervals: dict[Key, list[int]] = defaultdict(list)
    rows = (
        discharged_with_ready_date()
        .filter(sip_held_after_days__isnull=False)
        .annotate(month=TruncMonth("discharge_date"))
        .values_list("kommun_id", "care_type", "month", "sip_held_after_days")
    )
    for kommun_id, care_type, month, days in rows:
        if days is None:  # excluded by the filter; for the type checker
            continue
        intervals[(kommun_id, care_type, month)].append(days)
        intervals[(kommun_id, StatCareType.ALL, month)].append(days)
    return intervals


def _median(values: list[int]) -> Decimal | None:
    return Decimal(str(pystats.median(values))).quantize(Decimal("0.1")) if values else None


def compute_statistics() -> int:
    """Recompute every group from the episodes and replace the table, and the stored monthly
    liability with it (``payment.monthly``). Returns the statistics rows stored.

    Rows exist for care type "somatik" and "psykiatri" where they have episodes, and "all"
    (their sum) for every kommun-month with any; months without episodes have no row.
    """
    with transaction.atomic():
        now = timezone.now()
        stored = store_statistics(now)
        # The dashboards read each kommun-month's liability beside its figures (decisions.md).
        store_monthly_liability(now)
        compute_indicators(now)  # seed 003's indicators, stored beside (issue 14)
        overview_cache.bump()  # the cached overviews are out of date (in this transaction)
    return stored


def store_statistics(now: datetime) -> int:
    """Replace the statistics table (call it inside a transaction: ``compute_statistics``).
    Returns the rows stored."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Two runs at once (beat and an admin) must not interleave their replace.
            cursor.execute(f"LOCK TABLE {MonthlyStatistic._meta.db_table} IN EXCLUSIVE MODE")
            # The liability's reads gain from parallel workers (off for the pages' queries;
            # PostgreSQL plans an INSERT ... SELECT without them).
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
            # The medians' sort (2,000,000 episodes: ~1.7 million rows) in memory, not on disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
    MonthlyStatistic.objects.all().delete()
    if connection.vendor == "postgresql":
        return insert_set_based(now)
    objects = statistics_per_group(now)
    MonthlyStatistic.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def _column(name: str, model: type[models.Model] = Episode) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 (a concrete column, for the type checker)
    return str(field.column)


def _count_expressions() -> dict[str, str]:
    """The SQL of each of ``discharges.aggregates.COUNTS`` (the same definitions, written for
    the set-based statement; tests/analysis/test_statistics_set_based.py keeps them equal)."""
    col = _column
    track = {
        name: f"COUNT(*) FILTER (WHERE {col('track_colour')} = '{colour.value}')"
        for name, colour in (
            ("track_green", TrackColour.GREEN),
            ("track_yellow", TrackColour.YELLOW),
            ("track_red", TrackColour.RED),
            ("track_blue", TrackColour.BLUE),
        )
    }
    deviation = col("preliminary_deviation_days")
    return {
        "episodes": "COUNT(*)",
        "ready_days": f"COALESCE(SUM({col('ready_days')}), 0)",
        "episodes_3plus": f"COUNT(*) FILTER (WHERE {col('ready_days')} >= 3)",
        "same_day": f"COUNT(*) FILTER (WHERE {col('ready_days')} = 0)",
        "episodes_1plus": f"COUNT(*) FILTER (WHERE {col('ready_days')} >= 1)",
        "named_contact": f"COUNT(*) FILTER (WHERE {col('named_contact_at')} IS NOT NULL)",
        "sip_needed": f"COUNT(*) FILTER (WHERE {col('sip_needed')})",
        "sip_invited_in_time": (
            f"COUNT(*) FILTER (WHERE {col('sip_needed')} "
            f"AND {col('sip_invitation_delay_days')} <= 3)"
        ),
        "sip_held": f"COUNT(*) FILTER (WHERE {col('sip_held_date')} IS NOT NULL)",
        "preliminary_known": f"COUNT(*) FILTER (WHERE {deviation} IS NOT NULL)",
        "preliminary_accurate": f"COUNT(*) FILTER (WHERE {deviation} BETWEEN -1 AND 1)",
        "preliminary_changes": f"COALESCE(SUM({col('preliminary_date_changes')}), 0)",
        "admission_notice_late": f"COUNT(*) FILTER (WHERE {col('admission_notice_late')})",
        **track,
    }


def statistics_select_sql() -> str:
    """The monthly statistics as one SELECT (PostgreSQL): every stored column, in the order
    of ``STATISTIC_COLUMNS``, for every group; takes the parameter ``%(now)s``.

    The counts are hashed (GROUPING SETS, no sort); the SIP medians, an ordered-set aggregate
    that would make PostgreSQL sort every row, are computed over the episodes with a SIP held
    only and joined to their groups (at 2,000,000 episodes: 3.6 s of CPU instead of 5.2 to
    6.2 s for one GROUPING SETS with the median; bench/national.py)."""
    counts = _count_expressions()
    kommun, care_type = _column("kommun"), _column("care_type")
    month = f"CAST(date_trunc('month', {_column('discharge_date')}) AS date)"
    days = _column("sip_held_after_days")
    group = (
        f"{kommun} AS g_kommun, CASE WHEN GROUPING({care_type}) = 1 "
        f"THEN '{StatCareType.ALL.value}' ELSE {care_type} END AS g_care, {month} AS g_month"
    )
    population = (
        f"FROM {Episode._meta.db_table}\n"
        f"WHERE {_column('discharge_date')} IS NOT NULL AND {_column('ready_date')} IS NOT NULL"
    )
    grouping = f"GROUP BY GROUPING SETS (({kommun}, {month}, {care_type}), ({kommun}, {month}))"
    named = ",\n  ".join(f"{sql} AS n_{name}" for name, sql in counts.items())
    return (
        f"WITH counts AS (SELECT {group},\n  {named}\n{population}\n{grouping}),\n"
        f"medians AS (SELECT {group},\n  ROUND(CAST(percentile_cont(0.5) WITHIN GROUP "
        f"(ORDER BY {days}) AS numeric), 1) AS median\n{population} AND {days} IS NOT NULL\n"
        f"{grouping})\n"
        f"SELECT g_kommun, g_care, g_month, %(now)s, medians.median, "
        f"{', '.join(f'n_{name}' for name in counts)}\n"
        "FROM counts LEFT JOIN medians USING (g_kommun, g_care, g_month)"
    )


STATISTIC_COLUMNS = ("kommun", "care_type", "month", "computed_at", "sip_days_median", *COUNTS)


def insert_set_based(now: datetime) -> int:
    """Store every group with one ``INSERT ... SELECT`` (PostgreSQL). Returns the rows."""
    columns = ", ".join(_column(name, MonthlyStatistic) for name in STATISTIC_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {MonthlyStatistic._meta.db_table} ({columns})\n{statistics_select_sql()}",
            {"now": now},
        )
        return int(cursor.rowcount)


def statistics_per_group(now: datetime) -> list[MonthlyStatistic]:
    """The statistics computed group by group in Python over ``grouped_counts`` (backends
    without GROUPING SETS; the reference of the set-based statement's tests)."""
    totals: dict[Key, dict[str, int]] = {}
    for row in grouped_counts():
        counts = {name: row[f"n_{name}"] for name in COUNTS}
        month = row["month"]
        totals[(row["group_kommun"], row["care_type"], month)] = counts
        combined = totals.setdefault(
            (row["group_kommun"], StatCareType.ALL, month), dict.fromkeys(COUNTS, 0)
        )
        for name, value in counts.items():
            combined[name] += value
    medians = {key: _median(values) for key, values in _sip_intervals().items()}
    return [
        MonthlyStatistic(
            kommun_id=kommun_id,
            care_type=care_type,
            month=month,
            sip_days_median=medians.get((kommun_id, care_type, month)),
            computed_at=now,
            **counts,
        )
        for (kommun_id, care_type, month), counts in totals.items()
    ]
