"""discharges.projection: the Episode row is exactly the fold of its event log.

Each path below drives an episode through the services and, after every message, replays the
stored events onto a blank episode and compares the result with the stored row.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.models import (
    ClosureReason,
    Destination,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    TrackColour,
)
from discharges.projection import PROJECTED_FIELDS, projection_of, replay
from discharges.services import Actor
from tests.conftest import FLOW_STATES, OrgTree, Personas

# Not written by the projection: the primary key, the row's own creation time and the consent
# flag (projected from the episode's consent records by services.consent, not from its events).
NOT_PROJECTED = {"id", "created_at", "has_consent"}


def projected_field_names() -> list[str]:
    names = [f.attname for f in Episode._meta.concrete_fields if f.attname not in NOT_PROJECTED]
    return sorted(set(names) | set(PROJECTED_FIELDS))


def assert_replay_matches(episode: Episode) -> Episode:
    stored = Episode.objects.get(pk=episode.pk)
    replayed = replay(stored.events.order_by("seq"))
    for name in projected_field_names():
        assert getattr(replayed, name) == getattr(stored, name), name
    return stored


class Driver:
    """Sends messages and checks the replay after each one."""

    def __init__(self, episode: Episode, personas: Personas, org_tree: OrgTree) -> None:
        self.episode = episode
        self.personas = personas
        self.org_tree = org_tree
        self.steps = 1
        assert_replay_matches(episode)

    def __call__(self, send: Callable[..., Any], actor: Actor, **kwargs: Any) -> None:
        send(actor=actor, episode=self.episode, **kwargs)
        self.steps += 1
        stored = assert_replay_matches(self.episode)
        assert stored.version == self.steps

    @property
    def ward(self) -> Actor:
        return self.personas.ward_actor

    @property
    def kommun(self) -> Actor:
        return self.personas.kommun_actor

    @property
    def hc(self) -> Actor:
        return self.personas.hc_actor


def at(hours_ago: float) -> Any:
    return timezone.now() - timedelta(hours=hours_ago)


def today_plus(days: int) -> Any:
    return timezone.localdate() + timedelta(days=days)


def full_flow(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=today_plus(-1), reason="KOL")
    d(services.answer_admission, d.kommun, current_services=True, services="Hemtjänst")
    d(services.answer_admission, d.hc, current_services=False)
    d(services.name_care_contact, d.hc, name="Anna Berg", phone="090-10 00 00")
    d(services.assess_track_colour, d.ward, colour=TrackColour.RED, sip_needed=True)
    d(services.change_preliminary_date, d.ward, preliminary_ready_date=today_plus(0))
    d(services.change_preliminary_date, d.ward, preliminary_ready_date=today_plus(-2))
    d(services.send_ready_notice, d.ward, ready_date=today_plus(-1), occurred_at=at(20))
    d(services.send_sip_invitation, d.hc, meeting_at=timezone.now() + timedelta(days=1))
    d(services.record_sip_held, d.hc, held_date=today_plus(0))
    d(services.mark_sol_planning_done, d.kommun)
    d(services.mark_hsl_planning_done, d.kommun)
    d(services.mark_kommun_ready, d.kommun)
    d(services.acknowledge_homecoming, d.kommun, homecoming_at=timezone.now())
    d(services.register_discharge, d.ward, destination=Destination.SPECIAL_HOUSING)


def withdrawal_and_new_notice(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=None, occurred_at=at(60))
    d(services.send_ready_notice, d.ward, ready_date=today_plus(-2), occurred_at=at(50))
    d(services.acknowledge_homecoming, d.kommun, homecoming_at=at(30), occurred_at=at(48))
    d(services.withdraw_ready_notice, d.ward, reason="Pneumoni", occurred_at=at(40))
    d(services.change_preliminary_date, d.ward, preliminary_ready_date=today_plus(1))
    d(services.send_ready_notice, d.ward, ready_date=today_plus(0))
    d(services.withdraw_ready_notice, d.ward, reason="Fall")
    d(services.send_ready_notice, d.ward, ready_date=today_plus(0))
    d(services.register_discharge, d.ward, destination=Destination.HOME)


def sip_cancel_and_new_invitation(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=today_plus(2))
    d(services.take_sip_initiative, d.kommun, note="Många aktörer", occurred_at=at(30))
    d(services.send_sip_invitation, d.hc, occurred_at=at(29))
    d(services.cancel_sip, d.ward, reason="Patienten sjuk", occurred_at=at(28))
    d(services.send_sip_invitation, d.hc, occurred_at=at(27))
    d(services.send_ready_notice, d.ward, ready_date=today_plus(-1), occurred_at=at(26))
    d(services.record_sip_held, d.hc, held_date=today_plus(0))
    d(services.register_discharge, d.ward, destination=Destination.SHORT_TERM)


def recipients_change(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=today_plus(3))
    d(services.answer_admission, d.kommun, current_services=False)
    d(
        services.change_recipients,
        d.ward,
        kommun=d.org_tree.skelleftea,
        health_centre=d.org_tree.hc_skelleftea,
    )
    other = d.personas.other_kommun_actor
    d(services.answer_admission, other, current_services=True, services="Trygghetslarm")
    d(services.mark_kommun_ready, other)
    d(services.change_recipients, d.ward, kommun=d.org_tree.skelleftea, health_centre=None)
    d(services.send_ready_notice, d.ward, ready_date=today_plus(0))
    d(services.register_discharge, d.ward, destination=Destination.OTHER)


def closure(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=today_plus(1))
    d(services.assess_track_colour, d.ward, colour=TrackColour.GREEN, sip_needed=False)
    d(services.take_sip_initiative, d.hc)
    d(services.close_episode, d.ward, reason=ClosureReason.DIED)


def ready_notice_first_then_late_admission_notice(d: Driver) -> None:
    d(services.send_ready_notice, d.ward, ready_date=today_plus(-1), occurred_at=at(30))
    d(services.send_admission_notice, d.ward, preliminary_ready_date=None, reason="Sent sent")
    d(services.withdraw_ready_notice, d.ward)
    d(services.record_ready_date, d.ward, ready_date=today_plus(0))
    d(services.register_discharge, d.ward, destination="")


def ready_notice_without_admission_notice_withdrawn(d: Driver) -> None:
    d(services.send_ready_notice, d.ward, ready_date=today_plus(0), occurred_at=at(10))
    d(services.withdraw_ready_notice, d.ward, occurred_at=at(9))
    d(services.close_episode, d.ward, reason=ClosureReason.TRANSFERRED)


def imported_history(d: Driver) -> None:
    # Messages back-dated out of order of recording: last_event_at is the latest occurrence.
    d(
        services.send_admission_notice,
        d.ward,
        preliminary_ready_date=today_plus(0),
        occurred_at=at(5),
    )
    d(services.assess_track_colour, d.ward, colour="", sip_needed=True, occurred_at=at(60))
    d(services.record_ready_date, d.ward, ready_date=today_plus(-2), occurred_at=at(50))
    d(services.send_sip_invitation, d.hc, occurred_at=at(49))
    d(services.register_discharge, d.ward, destination=Destination.HOME)


def discharge_without_ready_date(d: Driver) -> None:
    d(services.send_admission_notice, d.ward, preliminary_ready_date=today_plus(0))
    d(services.register_discharge, d.ward, destination=Destination.HOME)


PATHS = [
    full_flow,
    withdrawal_and_new_notice,
    sip_cancel_and_new_invitation,
    recipients_change,
    closure,
    ready_notice_first_then_late_admission_notice,
    ready_notice_without_admission_notice_withdrawn,
    imported_history,
    discharge_without_ready_date,
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.__name__)
def test_it_replays_the_event_log_to_the_stored_row(
    path: Callable[[Driver], None],
    make_episode: Callable[..., Episode],
    personas: Personas,
    org_tree: OrgTree,
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=4))
    path(Driver(episode, personas, org_tree))
    stored = assert_replay_matches(episode)
    assert stored.version == EpisodeEvent.objects.filter(episode=episode).count()


EXPECTED_STATUS = {
    "registered": EpisodeStatus.REGISTERED,
    "noticed": EpisodeStatus.PLANNING,
    "ready": EpisodeStatus.READY,
    "sip_invited": EpisodeStatus.READY,
    "discharged": EpisodeStatus.DISCHARGED,
    "closed": EpisodeStatus.CLOSED,
}


@pytest.mark.parametrize("state", FLOW_STATES)
def test_it_replays_every_state_of_the_flow_helper(
    state: str, episode: Episode, advance: Callable[..., Episode]
) -> None:
    advance(episode, state)
    stored = assert_replay_matches(episode)
    assert stored.status == EXPECTED_STATUS[state]
    assert (stored.sip_invitation_at is not None) == (state == "sip_invited")


def test_it_replays_a_registered_episode(episode: Episode) -> None:
    stored = assert_replay_matches(episode)
    assert stored.status == EpisodeStatus.REGISTERED
    assert stored.version == 1


def test_it_replays_an_episode_with_external_id_and_psychiatric_care(
    make_episode: Callable[..., Episode], org_tree: OrgTree, personas: Personas
) -> None:
    episode = make_episode(ward=org_tree.psych_ward, external_id="X-1")
    d = Driver(episode, personas, org_tree)
    d(services.send_admission_notice, personas.psych_actor, preliminary_ready_date=None)
    stored = assert_replay_matches(episode)
    assert (stored.external_id, stored.care_type) == ("X-1", "psykiatri")


def test_it_ends_the_full_flow_discharged_with_its_counters(
    make_episode: Callable[..., Episode], personas: Personas, org_tree: OrgTree
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=4))
    full_flow(Driver(episode, personas, org_tree))
    stored = Episode.objects.get(pk=episode.pk)
    assert stored.status == EpisodeStatus.DISCHARGED
    assert stored.preliminary_date_changes == 2
    assert stored.ready_date == today_plus(-1)
    assert stored.ready_days == (stored.discharge_date - stored.ready_date).days
    assert stored.sip_held_date == today_plus(0)
    assert stored.track_colour == TrackColour.RED
    assert stored.named_contact == "Anna Berg"


def test_it_counts_the_withdrawals_and_clears_the_homecoming(
    make_episode: Callable[..., Episode], personas: Personas, org_tree: OrgTree
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=4))
    withdrawal_and_new_notice(Driver(episode, personas, org_tree))
    stored = Episode.objects.get(pk=episode.pk)
    assert stored.ready_notice_withdrawals == 2
    assert stored.preliminary_date_changes == 1
    assert stored.homecoming_at is None  # cleared by the first withdrawal, never given again


def test_it_keeps_the_latest_occurrence_as_last_event_at(
    make_episode: Callable[..., Episode], personas: Personas, org_tree: OrgTree
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=4))
    d = Driver(episode, personas, org_tree)
    latest = at(1)
    d(services.send_admission_notice, d.ward, preliminary_ready_date=None, occurred_at=latest)
    d(services.assess_track_colour, d.ward, colour=TrackColour.GREEN, occurred_at=at(30))
    assert Episode.objects.get(pk=episode.pk).last_event_at == latest


def test_it_returns_the_projected_fields_in_order(episode: Episode) -> None:
    values = projection_of(Episode.objects.get(pk=episode.pk))
    assert tuple(values) == PROJECTED_FIELDS
    assert values["version"] == 1
    assert values["status"] == EpisodeStatus.REGISTERED


def test_it_lists_every_projected_field_in_projected_fields() -> None:
    # Every column below the key is the projection's (models.Episode); the replay test and the
    # import's bulk update compare and write exactly PROJECTED_FIELDS.
    written = {f.attname for f in Episode._meta.concrete_fields} - NOT_PROJECTED
    assert set(PROJECTED_FIELDS) == written
    assert {"admission_notice_late", "sip_invitation_delay_days"} <= set(PROJECTED_FIELDS)
