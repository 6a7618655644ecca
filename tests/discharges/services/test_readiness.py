"""discharges.services readiness: send_ready_notice, record_ready_date, withdraw_ready_notice.

The ready notice (or a recorded ready date) makes the patient ready and shares the episode;
a withdrawal takes it back to planning (or registered). Refusals as one table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from discharges import selectors, services
from discharges.models import Episode, EpisodeStatus, EventKind
from tests.conftest import Personas
from tests.discharges.services.conftest import (
    Refusal,
    Scene,
    check_refusal,
    refusal_table,
    send_and_check,
    today,
)


def test_it_sends_the_ready_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=10)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_NOTICE,
        services.send_ready_notice,
        occurred_at=at,
        ready_date=today(),
    )
    assert stored.data == {"ready_date": today().isoformat()}
    assert (fresh.ready_date, fresh.ready_notice_at) == (today(), at)
    assert fresh.status == EpisodeStatus.READY
    assert fresh.shared_at == episode.admission_notice_at  # shared once, by the first notice


def test_it_shares_the_episode_by_a_ready_notice_without_admission_notice(
    episode: Episode, personas: Personas
) -> None:
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.shared_at == fresh.ready_notice_at
    assert selectors.visible_episodes(personas.kommun_planner).filter(pk=episode.pk).exists()


def test_it_records_a_ready_date_without_notice(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    ready = timezone.localdate(episode.admitted_at) + timedelta(days=1)
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_DATE_RECORDED,
        services.record_ready_date,
        ready_date=ready,
    )
    assert stored.data == {"ready_date": ready.isoformat()}
    assert fresh.status == EpisodeStatus.READY
    assert (fresh.ready_date, fresh.ready_notice_at) == (ready, None)


def test_it_shares_the_episode_by_a_recorded_ready_date(
    episode: Episode, personas: Personas
) -> None:
    # A known ready date concerns the kommun (its liability) even without the notice.
    assert not selectors.visible_episodes(personas.kommun_planner).exists()
    services.record_ready_date(actor=personas.ward_actor, episode=episode, ready_date=today())
    assert Episode.objects.get(pk=episode.pk).shared_at is not None
    assert selectors.visible_episodes(personas.kommun_planner).filter(pk=episode.pk).exists()


def test_it_withdraws_the_ready_notice_back_to_planning(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.acknowledge_homecoming(
        actor=personas.kommun_actor,
        episode=episode,
        homecoming_at=timezone.now() + timedelta(days=1),
    )
    stored, fresh = send_and_check(
        episode,
        personas.ward_actor,
        EventKind.READY_NOTICE_WITHDRAWN,
        services.withdraw_ready_notice,
        reason="Feber",
    )
    assert stored.data == {"reason": "Feber"}
    assert fresh.status == EpisodeStatus.PLANNING
    assert (fresh.ready_date, fresh.ready_notice_at) == (None, None)
    assert (fresh.homecoming_at, fresh.homecoming_acknowledged_at) == (None, None)
    assert fresh.ready_notice_withdrawals == 1
    # A new ready notice is accepted after the withdrawal.
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.READY


def test_it_withdraws_to_registered_when_no_admission_notice_was_sent(
    episode: Episode, personas: Personas
) -> None:
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=today())
    services.withdraw_ready_notice(actor=personas.ward_actor, episode=episode)
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.REGISTERED


# --- Refusals ---------------------------------------------------------------------------------


def before_admission(scene: Scene) -> date:
    """The day before the admission day."""
    return timezone.localdate(scene.episode.admitted_at) - timedelta(days=1)


def ready_notice(scene: Scene, **kwargs: Any) -> Any:
    return services.send_ready_notice(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


def ready_date(scene: Scene, **kwargs: Any) -> Any:
    return services.record_ready_date(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


def withdrawal(scene: Scene, **kwargs: Any) -> Any:
    return services.withdraw_ready_notice(
        actor=scene.personas.ward_actor, episode=scene.episode, **kwargs
    )


@refusal_table(
    Refusal(
        "second-ready-notice-without-withdrawal",
        "ready",
        lambda s: ready_notice(s, ready_date=today()),
    ),
    Refusal(
        "ready-date-before-admission",
        "noticed",
        lambda s: ready_notice(s, ready_date=before_admission(s)),
        field="ready_date",
    ),
    Refusal(
        "recorded-ready-date-when-already-ready",
        "ready",
        lambda s: ready_date(s, ready_date=today()),
    ),
    Refusal(
        "recorded-ready-date-before-admission",
        "registered",
        lambda s: ready_date(s, ready_date=before_admission(s)),
        field="ready_date",
    ),
    Refusal("withdrawal-without-ready-notice", "noticed", withdrawal),
    Refusal(
        "withdrawal-dated-before-ready-notice",
        "ready",
        lambda s: withdrawal(s, occurred_at=s.episode.ready_notice_at - timedelta(minutes=1)),
        field="occurred_at",
    ),
)
def test_it_refuses(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
