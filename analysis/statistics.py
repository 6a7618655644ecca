"""Computing the monthly statistics: one GROUP BY over the episodes, stored per
(kommun, care type, month), replacing the table's contents in one transaction (idempotent)."""

from __future__ import annotations

import statistics as pystats
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from analysis.models import MonthlyStatistic, StatCareType
from discharges.models import Episode, TrackColour

# Counted per group; each is a column of MonthlyStatistic.
COUNTS: dict[str, Any] = {
    "episodes": Count("id"),
    "ready_days": Coalesce(Sum("ready_days"), 0),
    "episodes_3plus": Count("id", filter=Q(ready_days__gte=3)),
    "same_day": Count("id", filter=Q(ready_days=0)),
    "episodes_1plus": Count("id", filter=Q(ready_days__gte=1)),
    "named_contact": Count("id", filter=Q(named_contact_at__isnull=False)),
    "sip_needed": Count("id", filter=Q(sip_needed=True)),
    "sip_invited_in_time": Count("id", filter=Q(sip_needed=True, sip_invitation_delay_days__lte=3)),
    "sip_held": Count("id", filter=Q(sip_held_date__isnull=False)),
    "preliminary_known": Count("id", filter=Q(preliminary_deviation_days__isnull=False)),
    "preliminary_accurate": Count(
        "id", filter=Q(preliminary_deviation_days__gte=-1, preliminary_deviation_days__lte=1)
    ),
    "preliminary_changes": Coalesce(Sum("preliminary_date_changes"), 0),
    "admission_notice_late": Count("id", filter=Q(admission_notice_late=True)),
    "track_green": Count("id", filter=Q(track_colour=TrackColour.GREEN)),
    "track_yellow": Count("id", filter=Q(track_colour=TrackColour.YELLOW)),
    "track_red": Count("id", filter=Q(track_colour=TrackColour.RED)),
    "track_blue": Count("id", filter=Q(track_colour=TrackColour.BLUE)),
}

Key = tuple[int, str, date]


def discharged_with_ready_date() -> Any:
    """R2's population: discharged episodes that had a ready date."""
    return Episode.objects.filter(discharge_date__isnull=False, ready_date__isnull=False)


def grouped_counts(
    where: Q | None = None, *, kommun_field: str = "kommun_id"
) -> list[dict[str, Any]]:
    """The one GROUP BY: counts (``n_<column>``) per kommun, care type and month of discharge.

    Each row has ``group_kommun`` (the value of ``kommun_field``), ``care_type`` and ``month``
    (a date).
    """
    rows = list(
        discharged_with_ready_date()
        .filter(where or Q())
        .annotate(month=TruncMonth("discharge_date"), group_kommun=F(kommun_field))
        .values("group_kommun", "care_type", "month")
        # Aliased: several counts share a name with an Episode field their filters refer to.
        .annotate(**{f"n_{name}": expression for name, expression in COUNTS.items()})
        .order_by()
    )
    for row in rows:
        if isinstance(row["month"], datetime):  # TruncMonth of a date is a date, except on
            row["month"] = row["month"].date()  # some backends; normalise
    return rows


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
        intervals[(kommun_id, care_type, month)].append(days)
        intervals[(kommun_id, StatCareType.ALL, month)].append(days)
    return intervals


def _median(values: list[int]) -> Decimal | None:
    return Decimal(str(pystats.median(values))).quantize(Decimal("0.1")) if values else None


def compute_statistics() -> int:
    """Recompute every group from the episodes and replace the table. Returns rows stored.

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
        objects = _statistics(timezone.now())
        MonthlyStatistic.objects.all().delete()
        MonthlyStatistic.objects.bulk_create(objects, batch_size=2000)
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
