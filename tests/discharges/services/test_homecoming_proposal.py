"""discharges.services: the ward's proposed time for hemgång and the kommun's answer.

- propose_homecoming: by the ward of a ready patient; the time within the stay and not before
  the ready date; a new proposal reopens an agreed time.
- send_ready_notice_proposing_homecoming: the ready notice and the proposal together, or
  neither.
- acknowledge_homecoming with the proposed time or another one; a withdrawn ready notice clears
  the proposal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent, EpisodeStatus, EventKind
from discharges.projection import projection_of, replay
from discharges.services import NotPermitted
from tests.conftest import Personas, fresh
from tests.discharges.services.conftest import assert_refused, today


def soon(hours: int = 24) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def kinds(episode: Episode) -> list[str]:
    return list(
        EpisodeEvent.objects.filter(episode=episode).order_by("seq").values_list("kind", flat=True)
    )


def test_the_ward_proposes_and_the_kommun_acknowledges_the_proposed_time(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    proposed = soon()
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=proposed)
    stored = fresh(episode)
    assert (stored.homecoming_proposed_at, stored.homecoming_at) == (proposed, None)
    assert stored.homecoming_acknowledged_at is None
    services.acknowledge_homecoming(
        actor=personas.kommun_actor, episode=episode, homecoming_at=proposed
    )
    stored = fresh(episode)
    assert (stored.homecoming_at, stored.homecoming_proposed_at) == (proposed, proposed)
    assert stored.homecoming_acknowledged_at is not None
    events = EpisodeEvent.objects.filter(episode=episode).order_by("seq")
    assert projection_of(replay(events)) == projection_of(stored)


def test_the_kommun_may_give_another_time_and_a_new_proposal_reopens_it(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=soon(24))
    services.acknowledge_homecoming(
        actor=personas.kommun_actor, episode=episode, homecoming_at=soon(48)
    )
    assert (fresh(episode).homecoming_at, fresh(episode).homecoming_proposed_at) == (
        soon(48),
        soon(24),
    )
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=soon(30))
    stored = fresh(episode)
    assert (stored.homecoming_proposed_at, stored.homecoming_at) == (soon(30), None)
    assert stored.homecoming_acknowledged_at is None  # the kommun acknowledges again


def test_only_the_ward_of_a_ready_patient_proposes(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    assert_refused(
        episode,
        lambda: services.propose_homecoming(
            actor=personas.ward_actor, episode=episode, homecoming_at=soon()
        ),
    )
    advance(episode, "ready")
    assert_refused(
        episode,
        lambda: services.propose_homecoming(
            actor=personas.kommun_actor, episode=episode, homecoming_at=soon()
        ),
        NotPermitted,
    )


def test_a_proposal_before_the_ready_date_or_beyond_the_stay_is_refused(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready", ready_date=today() + timedelta(days=2))
    for at in (soon(), timezone.now() + timedelta(days=800)):
        assert_refused(
            episode,
            lambda at=at: services.propose_homecoming(
                actor=personas.ward_actor, episode=episode, homecoming_at=at
            ),
            field="homecoming_at",
        )


def test_the_ready_notice_carries_the_proposal_or_neither_is_stored(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    episode = advance(make_episode(), "noticed")
    services.send_ready_notice_proposing_homecoming(
        actor=personas.ward_actor,
        episode=episode,
        ready_date=today(),
        homecoming_at=soon(),
        expected_version=episode.version,
    )
    assert kinds(episode)[-2:] == [EventKind.READY_NOTICE, EventKind.HOMECOMING_PROPOSED]
    assert fresh(episode).homecoming_proposed_at == soon()

    refused = advance(make_episode(), "noticed")
    assert_refused(
        refused,
        lambda: services.send_ready_notice_proposing_homecoming(
            actor=personas.ward_actor,
            episode=refused,
            ready_date=today(),
            homecoming_at=timezone.now() - timedelta(days=30),  # before the admission
        ),
        field="homecoming_at",
    )
    assert fresh(refused).status == EpisodeStatus.PLANNING

    without = advance(make_episode(), "noticed")
    services.send_ready_notice_proposing_homecoming(
        actor=personas.ward_actor, episode=without, ready_date=today()
    )
    assert kinds(without)[-1] == EventKind.READY_NOTICE


def test_a_withdrawn_ready_notice_clears_the_proposal(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=soon())
    services.withdraw_ready_notice(actor=personas.ward_actor, episode=episode, reason="Feber")
    stored = fresh(episode)
    assert (stored.homecoming_proposed_at, stored.homecoming_at) == (None, None)
