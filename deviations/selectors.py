"""Reads of deviations. A user sees a deviation when they may see its episode (the episode's
grants, ``discharges.selectors.visible_episodes``); the processledare of a region also sees
every deviation of the region's kommuner in the follow-up list (without the patient)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from deviations.models import Deviation
from discharges.models import Episode, Role
from discharges.selectors import (
    acting_organisation,
    membership_regions,
    memberships_of,
    visible_episodes,
)


def lead_regions(user: User) -> set[str]:
    """The region codes where the user is processledare (at the region or one of its hospitals)."""
    codes = membership_regions(user)
    return {
        code
        for m in memberships_of(user)
        if m.role == Role.PROCESS_LEAD and (code := codes.get(m.organisation_id))
    }


def visible_deviations(user: User) -> QuerySet[Deviation]:
    if not user.is_authenticated:
        return Deviation.objects.none()
    query = Q(episode__in=visible_episodes(user))
    for code in sorted(lead_regions(user)):
        query |= Q(episode__kommun__code__startswith=code)
    return Deviation.objects.filter(query).select_related(
        "episode__kommun", "filed_by_organisation", "concerns"
    )


def episode_deviations(episode_id: int) -> list[Deviation]:
    """The deviations of an episode the caller has already found visible, oldest first."""
    return list(
        Deviation.objects.filter(episode_id=episode_id)
        .select_related("filed_by_organisation", "concerns", "filed_by", "answered_by")
        .order_by("filed_at", "pk")
    )


def _local_start(month: date) -> datetime:
    return timezone.make_aware(datetime.combine(month, time.min))


def _month_after(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def counts_per_category(
    kommun_ids: Iterable[int], first: date, last: date
) -> dict[int, dict[str, int]]:
    """Deviations filed in months ``first``..``last`` per kommun (the episode's) and category."""
    rows = (
        Deviation.objects.filter(
            episode__kommun_id__in=list(kommun_ids),
            filed_at__gte=_local_start(first),
            filed_at__lt=_local_start(_month_after(last)),
        )
        .values("episode__kommun_id", "category")
        .annotate(n=Count("pk"))
    )
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        out[row["episode__kommun_id"]][row["category"]] = row["n"]
    return dict(out)


def counts_per_month(kommun_id: int, first: date, last: date) -> dict[date, dict[str, int]]:
    """One kommun's deviations per month filed and category."""
    rows = (
        Deviation.objects.filter(
            episode__kommun_id=kommun_id,
            filed_at__gte=_local_start(first),
            filed_at__lt=_local_start(_month_after(last)),
        )
        .annotate(month=TruncMonth("filed_at"))
        .values("month", "category")
        .annotate(n=Count("pk"))
    )
    out: dict[date, dict[str, int]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        key = timezone.localtime(month).date() if isinstance(month, datetime) else month
        out[key][row["category"]] = row["n"]
    return dict(out)


def counts_for_episodes(episode_ids: Iterable[int]) -> dict[str, int]:
    """Deviations per category about the given episodes (an analysis's patients)."""
    rows = (
        Deviation.objects.filter(episode_id__in=list(episode_ids))
        .values("category")
        .annotate(n=Count("pk"))
    )
    return {row["category"]: row["n"] for row in rows}


def other_parties(user: User, episode: Episode) -> list[tuple[int, str]]:
    """The episode's organisations other than the user's own, which a deviation may concern
    (none when the user acts for no party of the episode)."""
    own = acting_organisation(user, episode)
    if own is None:
        return []
    names = {episode.ward_id: episode.ward.name, episode.kommun_id: episode.kommun.name}
    if episode.health_centre is not None:
        names[episode.health_centre.pk] = episode.health_centre.name
    return [(pk, names[pk]) for pk in names if pk != own.pk]
