"""The import's recorder: the same checks and projection as ``SingleRecorder``, saved in bulk.

``BatchRecorder`` runs every message through ``build_event`` in memory; ``drain`` hands over
what was recorded since the last call, ``batch_rows`` turns it into the rows of the tables
(episodes, events, grants, and the projection of stored episodes appended to), and
``write_rows`` saves them (COPY on PostgreSQL). The import checks a whole file this way before
it writes anything, a batch of rows at a time, so its memory does not grow with the file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter, itemgetter
from typing import Any

from django.utils import timezone

from discharges import grants
from discharges.bulk import Encoded, Rows, encode_rows, insert_tuples, new_instance
from discharges.models import Episode, EpisodeEvent, EpisodeGroupObjectPermission
from discharges.projection import PROJECTED_FIELDS
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import Refused
from discharges.services.recording import Message, build_event

EPISODE_FIELDS = [f.attname for f in Episode._meta.concrete_fields]
EVENT_FIELDS = [f.attname for f in EpisodeEvent._meta.concrete_fields if not f.primary_key]
GRANT_COLUMNS = ("content_object_id", "group_id", "permission_id")
# Read from the instances' __dict__ (``new_instance`` sets every field there): attribute access
# goes through Django's descriptor for each foreign key, 600,000 times an import.
_episode_values = itemgetter(*EPISODE_FIELDS)
_event_values = itemgetter(*EVENT_FIELDS)
_projected_values = attrgetter(*PROJECTED_FIELDS)


@dataclass
class Recorded:
    """What a batch recorded: new episodes, events (each with its episode: a new one has no
    primary key yet), and stored episodes appended to with their audience before."""

    new_episodes: list[Episode] = field(default_factory=list)
    events: list[tuple[Episode, EpisodeEvent]] = field(default_factory=list)
    touched: dict[int, tuple[Episode, frozenset[int]]] = field(default_factory=dict)


class BatchRecorder:
    """The import's recorder: the same checks and projection as ``SingleRecorder``, kept in
    memory until ``drain``. Use inside one transaction that holds the row locks of any stored
    episode it appends to."""

    def __init__(self) -> None:
        self.recorded = Recorded()
        self._actors: dict[tuple[int, int], bool] = {}
        self._external_ids: set[str] = set()
        self._now = timezone.now()

    def now(self) -> datetime:
        """The clock as read when the batch began (``drain`` reads it again): reading it per
        message was a tenth of an import's time."""
        return self._now

    def check_actor(self, actor: Actor) -> bool:
        key = (actor.user.id, actor.organisation.id)  # .id: .pk is a property call
        if key not in self._actors:
            self._actors[key] = check_actor(actor)
        return self._actors[key]

    def register(self, actor: Actor, episode: Episode, event: EpisodeEvent) -> Episode:
        if episode.external_id in self._external_ids:
            raise Refused("An episode with this id already exists.", field="external_id")
        if episode.external_id:
            self._external_ids.add(episode.external_id)
        self.recorded.new_episodes.append(episode)
        self.recorded.events.append((episode, event))
        return episode

    def append(
        self, actor: Actor, episode: Episode, message: Message, expected_version: int | None
    ) -> EpisodeEvent:
        unlimited = self.check_actor(actor)
        pk = episode.id
        if pk is not None and pk not in self.recorded.touched:
            self.recorded.touched[pk] = (episode, grants.audience(episode))
        event = build_event(episode, actor, message, integration=unlimited, now=self._now)
        self.recorded.events.append((episode, event))
        return event

    def drain(self) -> Recorded:
        """What was recorded since the last call; the recorder starts afresh. (Ids are unique
        within what it holds; the import checks them across its whole file.)"""
        recorded, self.recorded = self.recorded, Recorded()
        self._external_ids = set()
        self._now = timezone.now()
        return recorded


@dataclass
class BatchRows:
    """A batch as the rows of its tables, ready to be written (the new rows in COPY's text
    format on PostgreSQL: the writing pass only sends them)."""

    episodes: Rows = field(default_factory=list)  # EPISODE_FIELDS
    events: Rows = field(default_factory=list)  # EVENT_FIELDS
    grants: Rows = field(default_factory=list)  # GRANT_COLUMNS
    updates: list[tuple[Any, ...]] = field(default_factory=list)  # pk, PROJECTED_FIELDS
    regrant: list[int] = field(default_factory=list)  # stored episodes whose audience changed


def batch_rows(
    recorded: Recorded,
    ids: Callable[[int], list[int]],
    group_of: Callable[[frozenset[int]], dict[int, int]],
    permission_ids: list[int],
) -> BatchRows:
    """The rows of what ``recorded`` holds. ``ids(n)`` gives n new episode keys; ``group_of``
    the group of each organisation id; ``permission_ids`` the episode permissions granted."""
    rows = BatchRows()
    episodes, granted = [], []
    keys = ids(len(recorded.new_episodes))
    for episode, pk in zip(recorded.new_episodes, keys, strict=True):
        episode.pk = pk
        episodes.append(_episode_values(episode.__dict__))
        audience = grants.audience(episode)
        groups = group_of(audience)
        granted += [(pk, groups[org], perm) for org in audience for perm in permission_ids]
    events = []
    for episode, event in recorded.events:  # each event's episode key, now known
        values = event.__dict__
        values["episode_id"] = episode.__dict__["id"]
        events.append(_event_values(values))
    rows.episodes = encode_rows(Episode, EPISODE_FIELDS, episodes)
    rows.events = encode_rows(EpisodeEvent, EVENT_FIELDS, events)
    rows.grants = encode_rows(EpisodeGroupObjectPermission, GRANT_COLUMNS, granted)
    if keys and isinstance(rows.events, Encoded) and isinstance(rows.grants, Encoded):
        new = frozenset(keys)  # the batch's new episodes: written first (write_rows)
        rows.events = rows.events.written_before(Episode, new)
        rows.grants = rows.grants.written_before(Episode, new)
    for pk, (episode, before) in recorded.touched.items():
        rows.updates.append((pk, *_projected_values(episode)))
        if grants.audience(episode) != before:
            rows.regrant.append(pk)
    return rows


def write_rows(rows: BatchRows) -> None:
    """Save a batch: new episodes, their events and grants, the projection of stored episodes
    appended to (and their grants, where the audience changed). Inside the import's
    transaction."""
    insert_tuples(Episode, EPISODE_FIELDS, rows.episodes)
    insert_tuples(EpisodeEvent, EVENT_FIELDS, rows.events)
    insert_tuples(EpisodeGroupObjectPermission, GRANT_COLUMNS, rows.grants)
    if rows.updates:
        updated = [
            new_instance(Episode, id=pk, **dict(zip(PROJECTED_FIELDS, values, strict=True)))
            for pk, *values in rows.updates
        ]
        Episode.objects.bulk_update(updated, list(PROJECTED_FIELDS), batch_size=500)
    for episode in Episode.objects.filter(pk__in=rows.regrant):
        grants.sync_episode(episode)
