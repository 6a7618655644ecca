"""The import's recorder: the same checks and projection as ``SingleRecorder``, saved in bulk."""

from __future__ import annotations

from discharges import grants
from discharges.bulk import insert_models
from discharges.models import Episode, EpisodeEvent
from discharges.projection import PROJECTED_FIELDS
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import Refused
from discharges.services.recording import Message, build_event


class BatchRecorder:
    """The import's recorder: the same checks and projection as ``SingleRecorder``, saved in
    bulk by ``flush``. Use inside one transaction that holds the row locks of any existing
    episode it appends to."""

    def __init__(self) -> None:
        self.new_episodes: list[Episode] = []
        self.touched: dict[int, Episode] = {}
        self.audience_before: dict[int, frozenset[int]] = {}
        # Each event with its episode: a new episode has no primary key until the flush.
        self.events: list[tuple[Episode, EpisodeEvent]] = []
        self._actors: dict[tuple[int, int], bool] = {}
        self._external_ids: set[str] = set()

    def check_actor(self, actor: Actor) -> bool:
        key = (actor.user.pk, actor.organisation.pk)
        if key not in self._actors:
            self._actors[key] = check_actor(actor)
        return self._actors[key]

    def register(self, actor: Actor, episode: Episode, event: EpisodeEvent) -> Episode:
        if episode.external_id in self._external_ids:
            raise Refused("An episode with this id already exists.", field="external_id")
        if episode.external_id:
            self._external_ids.add(episode.external_id)
        self.new_episodes.append(episode)
        self.events.append((episode, event))
        return episode

    def append(
        self, actor: Actor, episode: Episode, message: Message, expected_version: int | None
    ) -> EpisodeEvent:
        unlimited = self.check_actor(actor)
        if episode.pk is not None and episode.pk not in self.touched:
            self.touched[episode.pk] = episode
            self.audience_before[episode.pk] = grants.audience(episode)
        event = build_event(episode, actor, message, integration=unlimited)
        self.events.append((episode, event))
        return event

    def flush(self) -> None:
        """Save everything: new episodes, all events, projection updates, grants."""
        insert_models(self.new_episodes)
        for episode, event in self.events:
            event.episode_id = episode.pk
        insert_models([event for _episode, event in self.events])
        if self.touched:
            Episode.objects.bulk_update(
                list(self.touched.values()), list(PROJECTED_FIELDS), batch_size=1000
            )
        grants.grant_new_episodes(self.new_episodes)
        for pk, episode in self.touched.items():
            if grants.audience(episode) != self.audience_before[pk]:
                grants.sync_episode(episode)
