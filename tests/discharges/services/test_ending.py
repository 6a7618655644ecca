"""discharges.services ending: register_discharge and close_episode.

The discharge ends the planning (ready days counted from the ready date); a closure ends an
episode without discharge. Both are dated after the latest message. Refusals as one table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from discharges import services
from discharges.models import ClosureReason, Destination, Episode, EpisodeStatus, EventKind
from tests.conftest import Personas, fresh
from tests.discharges.services.conftest import (
    Refusal,
    Scene,
    check_refusal,
    refusal_table,
    send_and_check,
    today,
)


def test_it_registers_the_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    ready = timezone.localdate(episode.admitted_at) + timedelta(days=1)
    advance(episode, "ready", ready_date=ready)
    at = timezone.now() - timedelta(minutes=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.DISCHARGE,
        services.register_discharge,
        occurred_at=at,
        destination=Destination.SHORT_TERM,
    )
    assert stored.data == {"destination": "short_term", "needs_outcome": ""}
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert fresh.discharged_at == at
    assert fresh.discharge_date == timezone.localdate(at)
    assert fresh.destination == Destination.SHORT_TERM
    assert fresh.ready_days == (timezone.localdate(at) - ready).days


def test_it_counts_zero_ready_days_for_a_same_day_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready", ready_date=today())
    services.register_discharge(
        actor=personas.ward_actor, episode=episode, destination=Destination.HOME
    )
    assert Episode.objects.get(pk=episode.pk).ready_days == 0


def test_it_registers_a_discharge_without_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    services.register_discharge(
        actor=personas.ward_actor, episode=episode, destination=Destination.OTHER
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert (fresh.ready_date, fresh.ready_days) == (None, None)


def test_it_closes_the_episode_without_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.CLOSED,
        services.close_episode,
        occurred_at=at,
        reason=ClosureReason.TRANSFERRED,
    )
    assert stored.data == {"reason": "transferred"}
    assert fresh.status == EpisodeStatus.CLOSED
    assert (fresh.closed_at, fresh.closure_reason) == (at, ClosureReason.TRANSFERRED)
    assert fresh.discharged_at is None


# --- Refusals ---------------------------------------------------------------------------------


def discharge(scene: Scene, **kwargs: Any) -> Any:
    kwargs.setdefault("destination", Destination.HOME)
    return services.register_discharge(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


def closure(scene: Scene, **kwargs: Any) -> Any:
    kwargs.setdefault("reason", ClosureReason.DIED)
    return services.close_episode(actor=scene.personas.ward_actor, episode=scene.episode, **kwargs)


def kommun_ready_five_minutes_ago(scene: Scene) -> Any:
    """The latest message: the kommun ready five minutes ago."""
    return services.mark_kommun_ready(
        actor=scene.personas.kommun_actor,
        episode=scene.episode,
        occurred_at=timezone.now() - timedelta(minutes=5),
    )


@refusal_table(
    Refusal(
        "discharge-before-the-ready-date",
        "ready",
        discharge,
        field="occurred_at",
        ready_in=1,
    ),
    Refusal(
        "discharge-before-the-admission-time",
        "registered",
        lambda s: discharge(s, occurred_at=s.episode.admitted_at - timedelta(hours=1)),
        field="occurred_at",
    ),
    Refusal(
        "discharge-before-the-latest-message",
        "ready",
        lambda s: discharge(s, occurred_at=fresh(s.episode).kommun_ready_at - timedelta(minutes=1)),
        field="occurred_at",
        before=kommun_ready_five_minutes_ago,
    ),
    Refusal(
        "unknown-destination",
        "ready",
        lambda s: discharge(s, destination="moon"),
        field="destination",
    ),
    Refusal("second-discharge", "discharged", discharge),
    Refusal(
        "unknown-reason-for-closing",
        "noticed",
        lambda s: closure(s, reason="bored"),
        field="reason",
    ),
    Refusal(
        "closure-before-the-latest-message",
        "noticed",
        lambda s: closure(s, occurred_at=s.episode.admission_notice_at - timedelta(minutes=1)),
        field="occurred_at",
    ),
)
def test_it_refuses(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
