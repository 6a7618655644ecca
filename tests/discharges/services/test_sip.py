"""discharges.services SIP: take_sip_initiative, send_sip_invitation, record_sip_held, cancel_sip.

The SIP round: initiative, invitation, held or cancelled; a cancellation opens a new round. SIP
messages are accepted after the discharge (only a closure ends them). Refusals as one table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from discharges import services
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


def test_it_takes_a_sip_initiative(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    at = timezone.now() - timedelta(minutes=30)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.SIP_INITIATIVE,
        services.take_sip_initiative,
        occurred_at=at,
        note="Många insatser",
    )
    assert stored.data == {"note": "Många insatser"}
    assert (fresh.sip_initiative_at, fresh.sip_needed) == (at, True)


def test_it_sends_a_sip_invitation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    meeting = timezone.now() + timedelta(days=2)
    at = timezone.now() - timedelta(minutes=30)
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.SIP_INVITATION,
        services.send_sip_invitation,
        occurred_at=at,
        meeting_at=meeting,
    )
    assert stored.data == {"meeting_at": meeting.isoformat()}
    assert (fresh.sip_invitation_at, fresh.sip_needed, fresh.sip_cancelled_at) == (at, True, None)


def test_it_records_the_sip_as_held(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    sent = timezone.now() - timedelta(minutes=1)
    held = timezone.localdate(sent)  # not today(): a day later in the minute after midnight
    stored, fresh = send_and_check(
        episode,
        personas.hc_actor,
        EventKind.SIP_HELD,
        services.record_sip_held,
        occurred_at=sent,
        held_date=held,
    )
    assert stored.data == {"held_date": held.isoformat(), "place": "", "follow_up_date": None}
    assert fresh.sip_held_date == held


def test_it_cancels_the_sip(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    at = timezone.now() - timedelta(minutes=5)
    stored, fresh = send_and_check(
        episode,
        personas.kommun_actor,
        EventKind.SIP_CANCELLED,
        services.cancel_sip,
        occurred_at=at,
        reason="Patienten avböjer",
    )
    assert stored.data == {"reason": "Patienten avböjer"}
    assert fresh.sip_cancelled_at == at


def test_it_invites_again_after_a_cancellation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "sip_invited")
    first_invitation = episode.sip_invitation_at
    services.cancel_sip(actor=personas.hc_actor, episode=episode)
    _stored, fresh = send_and_check(
        episode, personas.hc_actor, EventKind.SIP_INVITATION, services.send_sip_invitation
    )
    assert fresh.sip_cancelled_at is None
    assert fresh.sip_invitation_at > first_invitation
    # The new invitation is in force: the SIP can be recorded as held.
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    assert Episode.objects.get(pk=episode.pk).sip_held_date == today()


def test_it_takes_a_new_initiative_after_a_cancellation(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    first = timezone.now() - timedelta(hours=2)
    services.take_sip_initiative(actor=personas.ward_actor, episode=episode, occurred_at=first)
    services.cancel_sip(actor=personas.ward_actor, episode=episode)
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.sip_cancelled_at is None
    # A new SIP round: the new initiative's time, not the cancelled one's.
    assert fresh.sip_initiative_at > first


def test_it_invites_again_after_a_cancellation_and_a_new_initiative(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    # A new initiative after a cancellation starts a new SIP round.
    advance(episode, "sip_invited")
    services.cancel_sip(actor=personas.hc_actor, episode=episode)
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.sip_cancelled_at is None
    assert fresh.status == EpisodeStatus.READY


def test_it_accepts_sip_messages_after_discharge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    # A SIP is often held at home after the discharge: only a closure ends the SIP messages.
    advance(episode, "discharged")
    services.take_sip_initiative(actor=personas.kommun_actor, episode=episode)
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode)
    services.record_sip_held(actor=personas.hc_actor, episode=episode, held_date=today())
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.status == EpisodeStatus.DISCHARGED
    assert fresh.sip_held_date == today()


# --- Refusals ---------------------------------------------------------------------------------


def initiative(scene: Scene, actor: str = "ward_actor") -> Any:
    return services.take_sip_initiative(actor=getattr(scene.personas, actor), episode=scene.episode)


def invitation(scene: Scene) -> Any:
    return services.send_sip_invitation(actor=scene.personas.hc_actor, episode=scene.episode)


def held(scene: Scene, **kwargs: Any) -> Any:
    kwargs.setdefault("held_date", today())
    return services.record_sip_held(actor=scene.personas.hc_actor, episode=scene.episode, **kwargs)


def cancel(scene: Scene, actor: str = "ward_actor") -> Any:
    return services.cancel_sip(actor=getattr(scene.personas, actor), episode=scene.episode)


@refusal_table(
    Refusal(
        "second-initiative",
        "noticed",
        lambda s: initiative(s, "hc_actor"),
        before=initiative,
    ),
    Refusal("second-invitation", "sip_invited", invitation),
    Refusal("held-without-invitation", "ready", held, before=initiative),
    Refusal(
        "held-before-the-invitation-date",
        "sip_invited",
        lambda s: held(
            s, held_date=timezone.localdate(s.episode.sip_invitation_at) - timedelta(days=1)
        ),
        field="held_date",
    ),
    Refusal(
        "held-in-the-future",
        "sip_invited",
        lambda s: held(s, held_date=today() + timedelta(days=1)),
        field="held_date",
    ),
    Refusal("held-twice", "sip_invited", held, before=held),
    Refusal(
        "held-after-cancellation",
        "sip_invited",
        held,
        before=lambda s: cancel(s, "hc_actor"),
    ),
    Refusal("cancel-without-sip", "noticed", cancel),
    Refusal("cancel-twice", "sip_invited", cancel, before=cancel),
    Refusal(
        "cancel-a-held-sip",
        "sip_invited",
        lambda s: cancel(s, "hc_actor"),
        before=held,
    ),
)
def test_it_refuses(refusal: Refusal, scene: Scene) -> None:
    check_refusal(refusal, scene)
