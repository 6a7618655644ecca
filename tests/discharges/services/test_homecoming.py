"""discharges.services homecoming: the kommun's planning steps and the time for homecoming.

mark_sol_planning_done, mark_hsl_planning_done, mark_kommun_ready (each once, by the kommun,
once the episode is shared) and acknowledge_homecoming (when the patient is ready). Refusals as
one table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.services import NotPermitted
from tests.conftest import Personas
from tests.discharges.services.conftest import (
    Refusal,
    Scene,
    assert_refused,
    check_refusal,
    refusal_table,
    send_and_check,
    today,
)

KOMMUN_STEPS = [
    (services.mark_sol_planning_done, EventKind.SOL_PLANNING_DONE, "sol_planning_done_at"),
    (services.mark_hsl_planning_done, EventKind.HSL_PLANNING_DONE, "hsl_planning_done_at"),
    (services.mark_kommun_ready, EventKind.KOMMUN_READY, "kommun_ready_at"),
]
KOMMUN_STEP_IDS = ["sol", "hsl", "kommun_ready"]


@pytest.mark.parametrize(("send", "kind", "field"), KOMMUN_STEPS, ids=KOMMUN_STEP_IDS)
def test_it_marks_the_kommuns_planning_steps(
    send: Callable[..., EpisodeEvent],
    kind: str,
    field: str,
    episode: Episode,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=3)
    stored, fresh = send_and_check(episode, personas.kommun_actor, kind, send, occurred_at=at)
    assert stored.data == {}
    assert getattr(fresh, field) == at


@pytest.mark.parametrize(("send", "kind", "field"), KOMMUN_STEPS, ids=KOMMUN_STEP_IDS)
def test_it_takes_a_kommun_step_once_shared_by_a_ready_notice(
    send: Callable[..., EpisodeEvent],
    kind: str,
    field: str,
    episode: Episode,
    personas: Personas,
) -> None:
    # Before anything is shared the kommun may not act on the episode.
    assert_refused(
        episode, lambda: send(actor=personas.kommun_actor, episode=episode), NotPermitted
    )
    # Shared by a ready notice alone (no admission notice): the kommun plans and marks ready.
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    send(actor=personas.kommun_actor, episode=episode)
    assert getattr(Episode.objects.get(pk=episode.pk), field) is not None


def test_it_acknowledges_the_time_for_homecoming(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    homecoming = timezone.now() + timedelta(days=1)
    at = timezone.now() - timedelta(minutes=2)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.HOMECOMING_ACKNOWLEDGED,
        services.acknowledge_homecoming,
        occurred_at=at,
        homecoming_at=homecoming,
    )
    assert stored.data == {"homecoming_at": homecoming.isoformat()}
    assert (fresh.homecoming_acknowledged_at, fresh.homecoming_at) == (at, homecoming)


# --- Refusals ---------------------------------------------------------------------------------


def kommun_step(send: Callable[..., EpisodeEvent]) -> Callable[[Scene], Any]:
    """The kommun's step ``send``, as a table row sends it."""
    return lambda s: send(actor=s.personas.kommun_actor, episode=s.episode)


@refusal_table(
    *[
        Refusal(f"{step_id}-twice", "noticed", kommun_step(send), before=kommun_step(send))
        for (send, _kind, _field), step_id in zip(KOMMUN_STEPS, KOMMUN_STEP_IDS, strict=True)
    ],
    Refusal(
        "ward-nurse-marking-the-kommun-ready",
        "noticed",
        lambda s: services.mark_kommun_ready(actor=s.personas.ward_actor, episode=s.episode),
        NotPermitted,
    ),
    Refusal(
        "homecoming-when-the-patient-is-not-ready",
        "noticed",
        lambda s: services.acknowledge_homecoming(
            actor=s.personas.kommun_actor,
            episode=s.episode,
            homecoming_at=timezone.now() + timedelta(days=1),
        ),
    ),
)
def test_it_refuses(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
