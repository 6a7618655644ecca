"""Shared helpers for the tests of discharges.services, one module per service family.

- ``assert_refused``: a message raises exactly the expected ``Refused`` naming the field, and
  nothing changed (projection, events, grants, receipts, the caller's version).
- ``send_and_check`` / ``assert_appended``: a message is stored as sent, the version moves on.
- ``Scene`` and ``Refusal``: the refusal tables; each row brings the episode to a state, takes
  the steps before, sends one message and expects it refused (``check_refusal``).
- ``CASES``: every message once, for the checks all messages share (``test_recording.py``,
  ``test_specs.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.models import (
    ClosureReason,
    Destination,
    Episode,
    EpisodeEvent,
    EpisodeGroupObjectPermission,
    EventKind,
    Receipt,
    TrackColour,
)
from discharges.projection import projection_of
from discharges.services import Actor, Refused
from tests.conftest import OrgTree, Personas

# --- Helpers ----------------------------------------------------------------------------------


def today() -> date:
    return timezone.localdate()


def sent_day(occurred_at: datetime | None) -> date:
    """The local calendar day of a message's time (today when it has none, or no zone)."""
    if occurred_at is None or timezone.is_naive(occurred_at):
        return today()
    return timezone.localdate(occurred_at)


def snapshot(episode: Episode) -> dict[str, Any]:
    """Everything a refused message must leave as it was."""
    fresh = Episode.objects.get(pk=episode.pk)
    return {
        "projection": projection_of(fresh),
        "events": EpisodeEvent.objects.filter(episode_id=episode.pk).count(),
        "grants": set(
            EpisodeGroupObjectPermission.objects.filter(content_object_id=episode.pk).values_list(
                "group_id", "permission_id"
            )
        ),
        "receipts": Receipt.objects.filter(event__episode_id=episode.pk).count(),
    }


def assert_refused(
    episode: Episode,
    send: Callable[[], Any],
    exc_type: type[Refused] = Refused,
    *,
    field: str | None = None,
) -> Refused:
    """``send()`` raises exactly ``exc_type`` naming ``field``, and nothing changed."""
    before = snapshot(episode)
    version = episode.version
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type, info.value
    assert info.value.field == field, info.value
    assert snapshot(episode) == before
    assert episode.version == version  # the caller's instance is untouched too
    return info.value


def assert_appended(
    episode: Episode,
    event: EpisodeEvent,
    *,
    kind: str,
    actor: Actor,
    occurred_at: datetime,
    version_before: int,
    started: datetime,
) -> tuple[EpisodeEvent, Episode]:
    """The event is stored as sent and the episode's version moved on by one."""
    stored = EpisodeEvent.objects.get(pk=event.pk)
    fresh = Episode.objects.get(pk=episode.pk)
    assert stored.episode_id == episode.pk
    assert stored.kind == kind
    assert stored.seq == version_before + 1
    assert stored.author_id == actor.user.pk
    assert stored.organisation_id == actor.organisation.pk
    assert stored.occurred_at == occurred_at
    assert started <= stored.recorded_at <= timezone.now()
    assert fresh.version == version_before + 1
    assert episode.version == fresh.version  # the caller's instance reflects the new state
    assert fresh.last_event_at >= occurred_at
    assert EpisodeEvent.objects.filter(episode=episode).count() == version_before + 1
    return stored, fresh


def send_and_check(
    episode: Episode,
    actor: Actor,
    kind: str,
    send: Callable[..., EpisodeEvent],
    *,
    occurred_at: datetime | None = None,
    **kwargs: Any,
) -> tuple[EpisodeEvent, Episode]:
    """Send a message with an explicit time and the current version; check the event row."""
    occurred_at = occurred_at or timezone.now() - timedelta(minutes=1)
    version_before = episode.version
    started = timezone.now()
    event = send(
        actor=actor,
        episode=episode,
        occurred_at=occurred_at,
        expected_version=version_before,
        **kwargs,
    )
    return assert_appended(
        episode,
        event,
        kind=kind,
        actor=actor,
        occurred_at=occurred_at,
        version_before=version_before,
        started=started,
    )


# --- Refusal tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scene:
    """The episode (an Umeå patient at the somatic ward) and who may act on it."""

    episode: Episode
    personas: Personas
    org_tree: OrgTree
    advance: Callable[..., Episode]


@pytest.fixture
def scene(
    episode: Episode, personas: Personas, org_tree: OrgTree, advance: Callable[..., Episode]
) -> Scene:
    return Scene(episode=episode, personas=personas, org_tree=org_tree, advance=advance)


@dataclass(frozen=True)
class Refusal:
    """One row of a refusal table.

    The episode is advanced to ``state`` (with a ready date ``ready_in`` days from today when
    given), ``before`` takes the steps that set the case up, then ``send`` must raise exactly
    ``exc_type`` naming ``field`` and change nothing.
    """

    id: str
    state: str
    send: Callable[[Scene], Any]
    exc_type: type[Refused] = Refused
    field: str | None = None
    before: Callable[[Scene], Any] | None = None
    ready_in: int | None = None

    def __str__(self) -> str:
        return self.id


def check_refusal(refusal: Refusal, scene: Scene) -> Refused:
    ready_date = None if refusal.ready_in is None else today() + timedelta(days=refusal.ready_in)
    scene.advance(scene.episode, refusal.state, ready_date=ready_date)
    if refusal.before is not None:
        refusal.before(scene)
    return assert_refused(
        scene.episode, lambda: refusal.send(scene), refusal.exc_type, field=refusal.field
    )


def refusal_table(*rows: Refusal) -> pytest.MarkDecorator:
    """``@refusal_table(...)``: parametrizes ``refusal`` over the rows, with their ids."""
    ids = [row.id for row in rows]
    assert len(set(ids)) == len(ids), ids
    return pytest.mark.parametrize("refusal", rows, ids=ids)


# --- The messages, for the checks every message shares ------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    senders: tuple[str, ...]  # "ward", "kommun", "hc"
    state: str  # an ``advance`` state in which the message is valid
    send: Callable[..., EpisodeEvent]  # send(episode, actor, org_tree, **time_and_version)

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "send_admission_notice",
        EventKind.ADMISSION_NOTICE,
        ("ward",),
        "registered",
        lambda ep, actor, orgs, **kw: services.send_admission_notice(
            actor=actor,
            episode=ep,
            preliminary_ready_date=today() + timedelta(days=3),
            reason="Stroke",
            **kw,
        ),
    ),
    Case(
        "change_preliminary_date",
        EventKind.PRELIMINARY_DATE_CHANGED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.change_preliminary_date(
            actor=actor, episode=ep, preliminary_ready_date=today() + timedelta(days=9), **kw
        ),
    ),
    Case(
        "answer_admission",
        EventKind.ADMISSION_ANSWER,
        ("kommun", "hc"),
        "noticed",
        lambda ep, actor, orgs, **kw: services.answer_admission(
            actor=actor, episode=ep, current_services=True, services="Hemtjänst", **kw
        ),
    ),
    Case(
        "name_care_contact",
        EventKind.NAMED_CARE_CONTACT,
        ("hc",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.name_care_contact(
            actor=actor, episode=ep, name="Anna Berg", **kw
        ),
    ),
    Case(
        "assess_track_colour",
        EventKind.TRACK_COLOUR,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.assess_track_colour(
            actor=actor, episode=ep, colour=TrackColour.YELLOW, sip_needed=False, **kw
        ),
    ),
    Case(
        "send_ready_notice",
        EventKind.READY_NOTICE,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.send_ready_notice(
            actor=actor, episode=ep, ready_date=today(), **kw
        ),
    ),
    Case(
        "record_ready_date",
        EventKind.READY_DATE_RECORDED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.record_ready_date(
            actor=actor, episode=ep, ready_date=today(), **kw
        ),
    ),
    Case(
        "withdraw_ready_notice",
        EventKind.READY_NOTICE_WITHDRAWN,
        ("ward",),
        "ready",
        lambda ep, actor, orgs, **kw: services.withdraw_ready_notice(
            actor=actor, episode=ep, reason="Feber", **kw
        ),
    ),
    Case(
        "take_sip_initiative",
        EventKind.SIP_INITIATIVE,
        ("ward", "kommun", "hc"),
        "noticed",
        lambda ep, actor, orgs, **kw: services.take_sip_initiative(
            actor=actor, episode=ep, note="Behov av samordning", **kw
        ),
    ),
    Case(
        "send_sip_invitation",
        EventKind.SIP_INVITATION,
        ("hc",),
        "ready",
        lambda ep, actor, orgs, **kw: services.send_sip_invitation(
            actor=actor, episode=ep, meeting_at=timezone.now() + timedelta(days=2), **kw
        ),
    ),
    Case(
        "record_sip_held",
        EventKind.SIP_HELD,
        ("hc",),
        "sip_invited",
        # Held on the day the message is sent (today() is a day later in the first minute
        # after midnight, when the message was sent a minute ago).
        lambda ep, actor, orgs, **kw: services.record_sip_held(
            actor=actor, episode=ep, held_date=sent_day(kw.get("occurred_at")), **kw
        ),
    ),
    Case(
        "cancel_sip",
        EventKind.SIP_CANCELLED,
        ("ward", "kommun", "hc"),
        "sip_invited",
        lambda ep, actor, orgs, **kw: services.cancel_sip(
            actor=actor, episode=ep, reason="Patienten avböjer", **kw
        ),
    ),
    Case(
        "mark_sol_planning_done",
        EventKind.SOL_PLANNING_DONE,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_sol_planning_done(
            actor=actor, episode=ep, **kw
        ),
    ),
    Case(
        "mark_hsl_planning_done",
        EventKind.HSL_PLANNING_DONE,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_hsl_planning_done(
            actor=actor, episode=ep, **kw
        ),
    ),
    Case(
        "mark_kommun_ready",
        EventKind.KOMMUN_READY,
        ("kommun",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.mark_kommun_ready(actor=actor, episode=ep, **kw),
    ),
    Case(
        "propose_homecoming",
        EventKind.HOMECOMING_PROPOSED,
        ("ward",),
        "ready",
        lambda ep, actor, orgs, **kw: services.propose_homecoming(
            actor=actor, episode=ep, homecoming_at=timezone.now() + timedelta(days=1), **kw
        ),
    ),
    Case(
        "acknowledge_homecoming",
        EventKind.HOMECOMING_ACKNOWLEDGED,
        ("kommun",),
        "ready",
        lambda ep, actor, orgs, **kw: services.acknowledge_homecoming(
            actor=actor, episode=ep, homecoming_at=timezone.now() + timedelta(days=1), **kw
        ),
    ),
    Case(
        "register_discharge",
        EventKind.DISCHARGE,
        ("ward",),
        "ready",
        lambda ep, actor, orgs, **kw: services.register_discharge(
            actor=actor, episode=ep, destination=Destination.HOME, **kw
        ),
    ),
    Case(
        "close_episode",
        EventKind.CLOSED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.close_episode(
            actor=actor, episode=ep, reason=ClosureReason.DIED, **kw
        ),
    ),
    Case(
        "change_recipients",
        EventKind.RECIPIENTS_CHANGED,
        ("ward",),
        "noticed",
        lambda ep, actor, orgs, **kw: services.change_recipients(
            actor=actor, episode=ep, kommun=orgs.skelleftea, health_centre=orgs.hc_skelleftea, **kw
        ),
    ),
]

PARTIES = ("ward", "kommun", "hc")


def actor_of(personas: Personas, party: str) -> Actor:
    return {
        "ward": personas.ward_actor,
        "kommun": personas.kommun_actor,
        "hc": personas.hc_actor,
    }[party]


def first_sender(personas: Personas, case: Case) -> Actor:
    return actor_of(personas, case.senders[0])
