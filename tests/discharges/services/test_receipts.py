"""discharges.services receipts: acknowledge_receipt.

A recipient acknowledges another organisation's message once; the own message, a second
receipt, an organisation that is no party and an episode not yet shared are refused.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent, EventKind, Receipt
from discharges.services import NotPermitted
from tests.conftest import Personas
from tests.discharges.services.conftest import (
    Refusal,
    Scene,
    assert_refused,
    check_refusal,
    refusal_table,
)


def notice_event(episode: Episode) -> EpisodeEvent:
    return EpisodeEvent.objects.get(episode=episode, kind=EventKind.ADMISSION_NOTICE)


def test_it_records_a_receipt_from_a_recipient(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    started = timezone.now()
    receipt = services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    stored = Receipt.objects.get(pk=receipt.pk)
    assert stored.event_id == event.pk
    assert stored.organisation_id == personas.kommun_actor.organisation.pk
    assert stored.user_id == personas.kommun_planner.pk
    assert started <= stored.acknowledged_at <= timezone.now()
    # The health centre acknowledges the same message separately.
    services.acknowledge_receipt(actor=personas.hc_actor, event=event)
    assert Receipt.objects.filter(event=event).count() == 2


def test_it_lets_the_ward_acknowledge_the_kommuns_message(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    answer = services.answer_admission(
        actor=personas.kommun_actor, episode=episode, current_services=False
    )
    services.acknowledge_receipt(actor=personas.ward_actor, event=answer)
    assert Receipt.objects.filter(
        event=answer, organisation=personas.ward_actor.organisation
    ).exists()


def test_it_refuses_a_second_receipt(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    event = notice_event(episode)
    first = services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    assert_refused(
        episode, lambda: services.acknowledge_receipt(actor=personas.kommun_actor, event=event)
    )
    assert Receipt.objects.get(event=event).pk == first.pk


@refusal_table(
    Refusal(
        "the-organisations-own-message",
        "noticed",
        lambda s: services.acknowledge_receipt(
            actor=s.personas.ward_actor, event=notice_event(s.episode)
        ),
    ),
    Refusal(
        "an-organisation-that-is-no-party",
        "noticed",
        lambda s: services.acknowledge_receipt(
            actor=s.personas.other_kommun_actor, event=notice_event(s.episode)
        ),
        NotPermitted,
    ),
    Refusal(
        "before-the-episode-is-shared",
        "registered",
        lambda s: services.acknowledge_receipt(
            actor=s.personas.kommun_actor,
            event=EpisodeEvent.objects.get(episode=s.episode, seq=1),
        ),
        NotPermitted,
    ),
)
def test_it_refuses_a_receipt(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
