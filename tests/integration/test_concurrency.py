"""Concurrent writes on one episode serialise on its row lock (PostgreSQL).

Two threads, each with its own database connection, send a message to the same episode at the
same moment. With the row lock the second waits for the first to commit and then sees the new
state: it is refused (or found stale) and nothing is written twice. Without the lock both would
read the same version and the second insert would break the event log's (episode, seq) key.
Skipped on SQLite outside CI (it serialises whole transactions, not rows); CI runs PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent
from tests.conftest import Personas
from tests.engines import ON_POSTGRESQL, postgresql_only

pytestmark = [
    pytest.mark.integration,
    postgresql_only("row locks need PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _race(*sends: Callable[[], Any]) -> list[Any]:
    """Run the sends at the same moment in threads; each result is the return or the error."""
    assert ON_POSTGRESQL, "CI must run the concurrency tests on PostgreSQL"
    barrier = threading.Barrier(len(sends))
    results: list[Any] = [None] * len(sends)

    def run(index: int, send: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = send()
        except Exception as exc:  # the test inspects whatever was raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _noticed(make_episode: Callable[..., Episode], advance: Callable[..., Episode]) -> Episode:
    return advance(make_episode(), "noticed")


def test_two_ready_notices_at_once_give_one_event(
    make_episode: Callable[..., Episode], advance: Callable[..., Episode], personas: Personas
) -> None:
    for _round in range(5):  # several rounds so the two really overlap
        episode = _noticed(make_episode, advance)
        before = EpisodeEvent.objects.filter(episode=episode).count()

        def send(episode: Episode = episode) -> Any:
            fresh = Episode.objects.get(pk=episode.pk)
            return services.send_ready_notice(
                actor=personas.ward_actor, episode=fresh, ready_date=timezone.localdate()
            )

        results = _race(send, send)
        events = [r for r in results if isinstance(r, EpisodeEvent)]
        refusals = [r for r in results if isinstance(r, services.Refused)]
        assert len(events) == 1 and len(refusals) == 1, results
        assert EpisodeEvent.objects.filter(episode=episode).count() == before + 1


def test_two_writes_on_the_same_version_one_is_stale(
    make_episode: Callable[..., Episode], advance: Callable[..., Episode], personas: Personas
) -> None:
    for _round in range(5):
        episode = _noticed(make_episode, advance)
        version = episode.version
        base = timezone.localdate() + timedelta(days=5)

        def change(
            days: int, episode: Episode = episode, version: int = version, base: Any = base
        ) -> Callable[[], Any]:
            return lambda: services.change_preliminary_date(
                actor=personas.ward_actor,
                episode=Episode.objects.get(pk=episode.pk),
                preliminary_ready_date=base + timedelta(days=days),
                expected_version=version,
            )

        results = _race(change(1), change(2))
        assert sum(isinstance(r, EpisodeEvent) for r in results) == 1, results
        assert sum(isinstance(r, services.Stale) for r in results) == 1, results
        stored = Episode.objects.get(pk=episode.pk)
        assert stored.version == version + 1
        assert stored.preliminary_date_changes == 1
