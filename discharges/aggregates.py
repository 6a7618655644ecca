"""Aggregates over the episodes' projection, computed in the database.

The one GROUP BY per kommun, care type and month of discharge that both the monthly
statistics (analysis) and the payment report (payment) are built on: it belongs to the owner
of the projection, so the apps above it share one definition of every count.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth

from discharges.models import Episode, TrackColour

# Counted per group (the monthly statistics store each as a column).
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


def discharged_with_ready_date() -> QuerySet[Episode]:
    """R2's population: discharged episodes that had a ready date."""
    return Episode.objects.filter(discharge_date__isnull=False, ready_date__isnull=False)


def grouped_counts(
    where: Q | None = None, *, names: tuple[str, ...] | None = None
) -> list[dict[str, Any]]:
    """The one GROUP BY: counts (``n_<column>``) per kommun, care type and month of discharge.

    Each row has ``group_kommun`` (the kommun's id), ``care_type`` and ``month``
    (a date). ``names`` keeps only those counts of COUNTS (all by default): R2's three read
    from an index alone (``episode_kommun_discharge_idx``), the others from the table.
    """
    wanted = COUNTS if names is None else {name: COUNTS[name] for name in names}
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in discharged_with_ready_date()
        .filter(where or Q())
        .annotate(month=TruncMonth("discharge_date"), group_kommun=F("kommun_id"))
        .values("group_kommun", "care_type", "month")
        # Aliased: several counts share a name with an Episode field their filters refer to.
        .annotate(**{f"n_{name}": expression for name, expression in wanted.items()})
        .order_by()
    ]
    for row in rows:
        if isinstance(row["month"], datetime):  # TruncMonth of a date is a date, except on
            row["month"] = row["month"].date()  # some backends; normalise
    return rows
