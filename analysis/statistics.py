"""Computing the monthly statistics: one GROUP BY over the episodes, stored per
(kommun, care type, month), replacing the table's contents in one transaction (idempotent)."""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models.functions import TruncMonth
from django.utils import timezone

from analysis import overview_cache
from analysis.models import MonthlyStatistic, StatCareType
from discharges.aggregates import COUNTS, discharged_with_ready_date, grouped_counts
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Two runs at once (beat and an admin) must not interleave their replace.
                cursor.execute(f"LOCK TABLE {MonthlyStatistic._meta.db_table} IN EXCLUSIVE MODE")
                # One big GROUP BY gains from parallel workers (off for the pages' queries).
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 2")
        now = timezone.now()
        objects = _statistics(now)
        MonthlyStatistic.objects.all().delete()
        MonthlyStatistic.objects.bulk_create(objects, batch_size=2000)
        # The dashboards read each kommun-month's liability beside its figures (decisions.md).
        store_monthly_liability(now)
        overview_cache.bump()  # the cached overviews are out of date (in this transaction)
    return len(objects)


def _statistics(now: datetime) -> list[MonthlyStatistic]:
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
