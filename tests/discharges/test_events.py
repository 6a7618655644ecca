"""One payload schema per event kind: the services, the projection and the event summary agree
on it, and a payload with other keys is refused before it is stored."""

from __future__ import annotations

import os
import typing
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from discharges import projection, services
from discharges.events import PAYLOADS, EventKind, PayloadMismatch, check_payload, payload_keys
from discharges.models import (
    ClosureReason,
    Destination,
    Episode,
    EpisodeEvent,
    NeedsOutcome,
    SipPlace,
    TrackColour,
)
from discharges.services.recording import message
from discharges.templatetags import svu
from tests.conftest import OrgTree, Personas


def test_every_kind_has_a_schema() -> None:
    assert set(PAYLOADS) == set(EventKind.values)


@pytest.mark.parametrize("kind", EventKind.values)
def test_the_projection_reads_the_schema_of_each_kind(kind: str) -> None:
    handler = projection._HANDLERS[kind]
    hints = typing.get_type_hints(handler)
    assert hints["data"] is PAYLOADS[kind]


@pytest.mark.parametrize("kind", sorted(svu.SUMMARIES))
def test_the_event_summary_reads_the_schema_of_each_kind(kind: str) -> None:
    hints = typing.get_type_hints(svu.SUMMARIES[kind])
    assert hints["data"] is PAYLOADS[kind]


def _send_every_kind(
    episode: Episode, other: Episode, personas: Personas, org_tree: OrgTree
) -> None:
    """Every kind a page offers, through the services, on two episodes."""
    ward, hc, kommun = personas.ward_actor, personas.hc_actor, personas.kommun_actor
    start = timezone.now() - timedelta(days=2)

    def at(hours: int) -> datetime:
        return start + timedelta(hours=hours)

    # The day of the SIP meeting and the homecoming: the local day of at(40) (eight hours ago),
    # not today's, which is a day later between midnight and 8:00.
    today = timezone.localdate(at(40))

    services.send_admission_notice(
        actor=ward, episode=episode, preliminary_ready_date=today, reason="x", occurred_at=at(1)
    )
    services.change_preliminary_date(
        actor=ward, episode=episode, preliminary_ready_date=today + timedelta(days=1),
        occurred_at=at(2),
    )  # fmt: skip
    services.answer_admission(
        actor=kommun, episode=episode, current_services=True, occurred_at=at(3)
    )
    services.name_care_contact(actor=hc, episode=episode, name="Anna", occurred_at=at(4))
    services.assess_track_colour(
        actor=ward, episode=episode, colour=TrackColour.RED, sip_needed=True, occurred_at=at(5)
    )
    services.take_sip_initiative(actor=kommun, episode=episode, note="n", occurred_at=at(6))
    services.cancel_sip(actor=kommun, episode=episode, reason="r", occurred_at=at(7))
    services.send_sip_invitation(actor=hc, episode=episode, meeting_at=at(30), occurred_at=at(8))
    services.send_ready_notice(actor=ward, episode=episode, ready_date=today, occurred_at=at(9))
    services.withdraw_ready_notice(actor=ward, episode=episode, reason="sämre", occurred_at=at(10))
    services.record_ready_date(actor=ward, episode=episode, ready_date=today, occurred_at=at(11))
    services.record_sip_held(
        actor=hc,
        episode=episode,
        held_date=today,
        place=SipPlace.HOME,
        follow_up_date=today + timedelta(days=14),
        occurred_at=at(40),
    )
    services.mark_sol_planning_done(actor=kommun, episode=episode, occurred_at=at(41))
    services.mark_hsl_planning_done(actor=kommun, episode=episode, occurred_at=at(42))
    services.mark_kommun_ready(actor=kommun, episode=episode, occurred_at=at(43))
    services.propose_homecoming(
        actor=ward, episode=episode, homecoming_at=at(44), occurred_at=at(43)
    )
    services.acknowledge_homecoming(
        actor=kommun, episode=episode, homecoming_at=at(44), occurred_at=at(44)
    )
    services.change_recipients(
        actor=ward, episode=episode, kommun=org_tree.umea, health_centre=None, occurred_at=at(45)
    )
    services.register_discharge(
        actor=ward,
        episode=episode,
        destination=Destination.HOME,
        needs_outcome=NeedsOutcome.UNCHANGED,
        occurred_at=at(46),
    )
    services.record_sip_follow_up_done(
        actor=kommun, episode=episode, done_date=today, occurred_at=at(47)
    )
    # Imported history on the other episode: a preliminary date and a SIP meeting known
    # without the messages that carry them.
    history = services.Actor(personas.integration, other.ward)
    services.record_preliminary_date(
        actor=history, episode=other, preliminary_ready_date=today, occurred_at=at(1)
    )
    services.record_sip_held_without_invitation(
        actor=services.Actor(personas.integration, hc.organisation),
        episode=other,
        held_date=today,
        occurred_at=at(40),
    )
    services.close_episode(actor=ward, episode=other, reason=ClosureReason.DIED)


def test_every_event_the_services_store_has_its_kinds_keys(
    make_episode: Callable[..., Episode], personas: Personas, org_tree: OrgTree
) -> None:
    _send_every_kind(make_episode(), make_episode(), personas, org_tree)
    events = list(EpisodeEvent.objects.all())
    assert {event.kind for event in events} == set(EventKind.values)
    for event in events:
        assert set(event.data) == payload_keys(event.kind), event.kind


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (EventKind.READY_NOTICE, {}),
        (EventKind.READY_NOTICE, {"ready_date": "2026-01-02", "extra": 1}),
        (EventKind.DISCHARGE, {"dest": "other"}),
        (EventKind.KOMMUN_READY, {"note": ""}),
    ],
)
def test_a_payload_with_other_keys_is_refused(kind: str, data: dict[str, object]) -> None:
    with pytest.raises(PayloadMismatch):
        check_payload(kind, data)
    with pytest.raises(PayloadMismatch):
        message(kind, None, data)


def test_a_payload_with_the_schemas_keys_passes() -> None:
    check_payload(EventKind.READY_NOTICE, {"ready_date": "2026-01-02"})
    check_payload(EventKind.KOMMUN_READY, {})


def test_the_benchmark_writes_each_kinds_schema_keys() -> None:
    """bench/ writes events in bulk SQL, past the services: its payloads must be the same shape."""
    from bench.events import event_rows

    rows = event_rows()
    assert len({row.kind for row in rows}) >= 15
    for row in rows:
        assert set(row.payload) == payload_keys(row.kind), row.kind


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="the benchmark's SQL runs on PostgreSQL (CI runs this on it)",
)
@pytest.mark.django_db
def test_the_benchmarks_sql_yields_each_kinds_schema_keys() -> None:
    from bench.events import sample_payloads

    payloads = sample_payloads()
    assert payloads
    for kind, data in payloads:
        assert set(data) == payload_keys(kind), kind
