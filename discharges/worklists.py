"""Att göra: what waits for a user's organisations, most urgent first (a read path).

The candidates are the user's active episodes (the partial index ``episode_active_admitted_idx``
holds the few thousand of the whole country) and, for a health centre, discharged episodes whose
SIP is still open and whose ready date lies within ``SIP_AFTER_DISCHARGE_DAYS``; never the
history. Each row's tasks come from ``deadlines.pending_tasks``; the messages from other
organisations that are not yet acknowledged (kvittens) and what is new since the user's last
look come from two more queries over the candidates' events. The number of queries does not
grow with the data (bench/worklists.py measures it at 1,000,000 episodes).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from discharges.deadlines import SIP_FOLLOW_UP_NOTICE_DAYS, Task, pending_tasks
from discharges.models import (
    ACTIVE_STATUSES,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    OrganisationKind,
    Receipt,
)
from discharges.selectors import memberships_of, organisation_ids, visible_episodes

# How long after the ready date a discharged patient's open SIP stays on the health centre's
# list (the invitation was due on day 3; a meeting at home can follow the discharge).
SIP_AFTER_DISCHARGE_DAYS = 60
# At most this many episodes are read: more than any ward, kommun or health centre has in
# planning at once (the country has ~2,600 active episodes; Stockholm's planner 160).
CANDIDATE_LIMIT = 1000
# Ready this many days or more: marked on the list (the national indicator's "3 or more").
LONG_WAIT_DAYS = 3

OVERDUE, DUE_TODAY, LATER = 0, 1, 2

# What the worklist reads of an episode (``deadlines.pending_tasks`` and the row): half of the
# projection's columns, each a value to convert for a few hundred rows.
WORKLIST_FIELDS = (
    "external_id",
    "patient__name",
    "patient__personnummer",
    "ward_id",
    "kommun_id",
    "health_centre_id",
    "admitted_at",
    "version",
    "status",
    "admission_notice_at",
    "preliminary_ready_date",
    "kommun_answered_at",
    "health_centre_answered_at",
    "named_contact",
    "track_colour",
    "sip_needed",
    "ready_date",
    "sip_invitation_at",
    "sip_held_date",
    "sip_cancelled_at",
    "sip_follow_up_date",
    "sip_follow_up_done_date",
    "kommun_ready_at",
    "homecoming_acknowledged_at",
    "homecoming_at",
    "homecoming_proposed_at",
    "discharged_at",
)


@dataclass(frozen=True)
class WorklistRow:
    """One episode on a user's worklist: what the list shows of it (no detail fields: the
    worklist shows what every party may see without consent)."""

    episode: Episode
    party: str
    tasks: list[Task]
    unacknowledged: int  # messages from the other parties without this organisation's receipt
    new: bool  # a message from another party recorded since the user's last look
    days_ready: int | None  # days since the ready date while ready

    @property
    def urgency(self) -> int:
        if any(task.overdue for task in self.tasks):
            return OVERDUE
        if any(task.due_today for task in self.tasks):
            return DUE_TODAY
        return LATER

    @property
    def overdue(self) -> bool:
        return self.urgency == OVERDUE

    @property
    def due_today(self) -> bool:
        return self.urgency == DUE_TODAY

    @property
    def next_due(self) -> Task | None:
        """The task with the earliest deadline."""
        dated = [task for task in self.tasks if task.due is not None]
        return min(dated, key=lambda task: _moment(task.due)) if dated else None

    @property
    def long_wait(self) -> bool:
        return self.days_ready is not None and self.days_ready >= LONG_WAIT_DAYS

    @property
    def expected(self) -> date | None:
        return self.episode.ready_date or self.episode.preliminary_ready_date

    @property
    def proposed_homecoming(self) -> datetime | None:
        """A proposed time the kommun can acknowledge with one click."""
        if self.party == "kommun" and any(t.code == "homecoming" for t in self.tasks):
            return self.episode.homecoming_proposed_at
        return None


def _moment(due: Any) -> datetime:
    """A deadline as a moment for sorting: a date counts from its start."""
    if isinstance(due, datetime):
        return due
    return timezone.make_aware(datetime.combine(due, time.min))


def candidates(user: User, today: date) -> QuerySet[Episode]:
    """The episodes that can have something waiting: active ones, and for a health centre
    discharged ones whose SIP is still open (ready within ``SIP_AFTER_DISCHARGE_DAYS``) or
    whose planned SIP follow-up is near or passed and not done (its date within the same
    window).

    Scoped by the grants as every read is; the episode's own party columns are added because
    they let PostgreSQL probe the grants of a few episodes instead of reading all of a large
    kommun's grants (Stockholm's 92,000: 28 ms against 2 ms, bench/worklists.py). They change
    nothing: grants go to an episode's parties only (``grants.audience``)."""
    mine = sorted(organisation_ids(user))
    wanted = Q(status__in=ACTIVE_STATUSES) & (
        Q(ward_id__in=mine) | Q(kommun_id__in=mine) | Q(health_centre_id__in=mine)
    )
    if any(m.organisation.kind == OrganisationKind.HEALTH_CENTRE for m in memberships_of(user)):
        wanted |= Q(
            health_centre_id__in=mine,
            status=EpisodeStatus.DISCHARGED,
            sip_needed=True,
            sip_held_date__isnull=True,
            sip_cancelled_at__isnull=True,
            ready_date__gte=today - timedelta(days=SIP_AFTER_DISCHARGE_DAYS),
        ) | Q(
            health_centre_id__in=mine,
            status=EpisodeStatus.DISCHARGED,
            sip_follow_up_done_date__isnull=True,
            sip_follow_up_date__gte=today - timedelta(days=SIP_AFTER_DISCHARGE_DAYS),
            sip_follow_up_date__lte=today + timedelta(days=SIP_FOLLOW_UP_NOTICE_DAYS),
        )
    return (
        visible_episodes(user)
        .filter(wanted)
        .select_related("patient")
        .only(*WORKLIST_FIELDS)
        .order_by("admitted_at", "id")[:CANDIDATE_LIMIT]
    )


def worklist(
    user: User, *, now: datetime | None = None, since: datetime | None = None
) -> list[WorklistRow]:
    """What waits for the user's organisations: overdue first, then due today, then the rest;
    within each the earliest deadline, then the longest wait since the ready date.
    ``since``: the user's last look; rows with a message from another party recorded after it
    are ``new``."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    mine = organisation_ids(user)
    episodes = list(candidates(user, today))
    others = _messages_from_others(episodes, mine)
    rows = []
    for episode in episodes:
        party = _party(episode, mine)
        if party is None:
            continue
        tasks = pending_tasks(episode, party, now, today)
        messages = others.get(episode.pk, [])
        waiting = sum(1 for m in messages if not m.acknowledged)
        if waiting:
            label = ngettext(
                "Acknowledge %(count)s message", "Acknowledge %(count)s messages", waiting
            ) % {"count": waiting}
            tasks.append(Task("receipts", label))
        if not tasks:
            continue
        rows.append(
            WorklistRow(
                episode=episode,
                party=party,
                tasks=tasks,
                unacknowledged=waiting,
                new=since is not None and any(m.recorded_at > since for m in messages),
                days_ready=_days_ready(episode, today),
            )
        )
    rows.sort(key=_urgency_key)
    return rows


def _party(episode: Episode, mine: set[int]) -> str | None:
    """The user's part in the episode, ward first (``selectors.acting_organisation``'s order)."""
    for org_id, party in (
        (episode.ward_id, "ward"),
        (episode.kommun_id, "kommun"),
        (episode.health_centre_id, "health_centre"),
    ):
        if org_id in mine:
            return party
    return None


def _days_ready(episode: Episode, today: date) -> int | None:
    if episode.status != EpisodeStatus.READY or episode.ready_date is None:
        return None
    return max((today - episode.ready_date).days, 0)


def _urgency_key(row: WorklistRow) -> tuple[Any, ...]:
    due = row.next_due
    return (
        row.urgency,
        _moment(due.due) if due is not None else datetime.max.replace(tzinfo=UTC),
        -(row.days_ready or 0),
        row.episode.admitted_at,
        row.episode.pk,
    )


@dataclass(frozen=True)
class _Message:
    recorded_at: datetime
    acknowledged: bool


def _messages_from_others(episodes: Iterable[Episode], mine: set[int]) -> dict[int, list[_Message]]:
    """Per episode, the messages sent by organisations other than the user's (the registration
    is none), each with whether one of the user's organisations has acknowledged it."""
    ids = [episode.pk for episode in episodes]
    if not ids:
        return {}
    events = list(
        EpisodeEvent.objects.filter(episode_id__in=ids)
        .exclude(organisation_id__in=mine)
        .exclude(kind=EventKind.REGISTERED)
        .values_list("pk", "episode_id", "recorded_at")
    )
    acknowledged = set(
        Receipt.objects.filter(event__episode_id__in=ids, organisation_id__in=mine).values_list(
            "event_id", flat=True
        )
    )
    found: dict[int, list[_Message]] = defaultdict(list)
    for pk, episode_id, recorded_at in events:
        found[episode_id].append(_Message(recorded_at, pk in acknowledged))
    return found
