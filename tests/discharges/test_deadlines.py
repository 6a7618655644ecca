"""discharges.deadlines and the overdue selectors.

- The admission notice is due within 24 hours of admission.
- Where a SIP is needed, the invitation is due no later than the ready date + 3 calendar days:
  day 3 is in time, day 4 is overdue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges import selectors, services
from discharges.deadlines import (
    Task,
    admission_notice_due,
    admission_notice_late,
    pending_tasks,
    sip_invitation_due,
)
from discharges.models import ClosureReason, Episode, EpisodeStatus, TrackColour
from tests.conftest import Personas

NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)
TODAY = date(2025, 3, 12)
ADMITTED = NOW - timedelta(days=2)


def test_it_makes_the_admission_notice_due_24_hours_after_admission() -> None:
    assert admission_notice_due(ADMITTED) == ADMITTED + timedelta(hours=24)


@pytest.mark.parametrize(
    ("sent_after", "late"),
    [
        (timedelta(hours=1), False),
        (timedelta(hours=24), False),
        (timedelta(hours=24, seconds=1), True),
        (timedelta(days=3), True),
    ],
)
def test_it_tells_whether_the_admission_notice_was_late(sent_after: timedelta, late: bool) -> None:
    episode = Episode(admitted_at=ADMITTED, admission_notice_at=ADMITTED + sent_after)
    assert admission_notice_late(episode) is late


def test_it_has_no_lateness_for_an_unsent_notice() -> None:
    assert admission_notice_late(Episode(admitted_at=ADMITTED)) is None


def test_it_projects_the_same_lateness(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    admitted = timezone.now() - timedelta(hours=30)
    on_time = make_episode(admitted_at=admitted)
    late = make_episode(admitted_at=admitted)
    for episode, after in ((on_time, timedelta(hours=23)), (late, timedelta(hours=25))):
        services.send_admission_notice(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=None,
            occurred_at=admitted + after,
        )
        stored = Episode.objects.get(pk=episode.pk)
        assert stored.admission_notice_late is admission_notice_late(stored)
    assert Episode.objects.get(pk=on_time.pk).admission_notice_late is False
    assert Episode.objects.get(pk=late.pk).admission_notice_late is True


def test_it_makes_the_sip_invitation_due_three_days_after_the_ready_date() -> None:
    assert sip_invitation_due(date(2025, 2, 27)) == date(2025, 3, 2)
    assert sip_invitation_due(date(2024, 2, 27)) == date(2024, 3, 1)  # leap year


# --- overdue_admission_notices ----------------------------------------------------------------


def test_it_lists_exactly_the_unsent_admission_notices_older_than_24_hours(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    now = timezone.now()
    ward = personas.ward_actor
    overdue = make_episode(admitted_at=now - timedelta(hours=25))
    just_overdue = make_episode(admitted_at=now - timedelta(hours=24, seconds=1))
    make_episode(admitted_at=now - timedelta(hours=24))  # due right now: not yet overdue
    make_episode(admitted_at=now - timedelta(hours=23))
    sent = make_episode(admitted_at=now - timedelta(hours=30))
    services.send_admission_notice(actor=ward, episode=sent, preliminary_ready_date=None)
    closed = make_episode(admitted_at=now - timedelta(hours=30))
    services.close_episode(actor=ward, episode=closed, reason=ClosureReason.NO_NEEDS)

    found = selectors.overdue_admission_notices(personas.ward_nurse, now=now)
    assert set(found.values_list("pk", flat=True)) == {overdue.pk, just_overdue.pk}


def test_it_lists_overdue_admission_notices_to_the_ward_only(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    make_episode(admitted_at=timezone.now() - timedelta(hours=30))
    for user in (personas.kommun_planner, personas.hc_coordinator, personas.psych_nurse):
        assert not selectors.overdue_admission_notices(user).exists()
    assert selectors.overdue_admission_notices(personas.ward_nurse).count() == 1


def test_it_lists_an_unsent_admission_notice_after_a_ready_notice(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    # Any active episode without an admission notice counts, also one already ready,
    # as pending_tasks shows the ward the same overdue task.
    episode = make_episode(admitted_at=timezone.now() - timedelta(hours=30))
    services.send_ready_notice(
        actor=personas.ward_actor, episode=episode, ready_date=timezone.localdate()
    )
    tasks = pending_tasks(episode, "ward", timezone.now(), timezone.localdate())
    assert [(t.code, t.overdue) for t in tasks if t.code == "admission_notice"] == [
        ("admission_notice", True)
    ]
    found = selectors.overdue_admission_notices(personas.ward_nurse)
    assert list(found.values_list("pk", flat=True)) == [episode.pk]


# --- overdue_sip_invitations ------------------------------------------------------------------


@pytest.fixture
def needs_sip(episode: Episode, personas: Personas, advance: Callable[..., Episode]) -> Episode:
    """A ready episode on the red track whose SIP invitation is not sent."""
    advance(episode, "ready")
    services.assess_track_colour(
        actor=personas.ward_actor, episode=episode, colour=TrackColour.RED, sip_needed=True
    )
    return episode


def sip_overdue_ids(user: Any, today: date) -> set[int]:
    return set(selectors.overdue_sip_invitations(user, today=today).values_list("pk", flat=True))


def sip_task(episode: Episode, today: date) -> Task:
    tasks = pending_tasks(episode, "health_centre", timezone.now(), today)
    [task] = [t for t in tasks if t.code == "sip_invitation"]
    return task


def test_it_is_in_time_on_day_3_and_overdue_on_day_4(
    needs_sip: Episode, personas: Personas
) -> None:
    ready = needs_sip.ready_date
    assert ready is not None
    hc = personas.hc_coordinator
    assert sip_overdue_ids(hc, ready + timedelta(days=3)) == set()
    assert sip_overdue_ids(hc, ready + timedelta(days=4)) == {needs_sip.pk}
    on_day_3 = sip_task(needs_sip, ready + timedelta(days=3))
    assert (on_day_3.due, on_day_3.overdue) == (ready + timedelta(days=3), False)
    assert sip_task(needs_sip, ready + timedelta(days=4)).overdue is True


def test_it_does_not_list_a_sent_sip_invitation(needs_sip: Episode, personas: Personas) -> None:
    services.send_sip_invitation(actor=personas.hc_actor, episode=needs_sip)
    ready = needs_sip.ready_date
    assert ready is not None
    assert sip_overdue_ids(personas.hc_coordinator, ready + timedelta(days=10)) == set()


def test_it_does_not_list_an_episode_needing_no_sip(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.assess_track_colour(
        actor=personas.ward_actor, episode=episode, colour=TrackColour.GREEN, sip_needed=False
    )
    ready = episode.ready_date
    assert ready is not None
    assert sip_overdue_ids(personas.hc_coordinator, ready + timedelta(days=10)) == set()


def test_it_lists_an_overdue_sip_invitation_after_discharge(
    needs_sip: Episode, personas: Personas
) -> None:
    ready = needs_sip.ready_date
    assert ready is not None
    late = ready + timedelta(days=10)
    services.register_discharge(actor=personas.ward_actor, episode=needs_sip, destination="")
    assert sip_overdue_ids(personas.hc_coordinator, late) == {needs_sip.pk}
    assert sip_overdue_ids(personas.other_kommun_planner, late) == set()


def test_it_does_not_list_a_closed_episode(
    needs_sip: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    services.close_episode(
        actor=personas.ward_actor, episode=needs_sip, reason=ClosureReason.TRANSFERRED
    )
    ready = needs_sip.ready_date
    assert ready is not None
    assert sip_overdue_ids(personas.hc_coordinator, ready + timedelta(days=10)) == set()


# --- pending_tasks ----------------------------------------------------------------------------


def make(**fields: Any) -> Episode:
    """An in-memory episode (pending_tasks reads no database)."""
    values: dict[str, Any] = {"admitted_at": ADMITTED, "status": EpisodeStatus.REGISTERED}
    values.update(fields)
    return Episode(**values)


NOTICED = {"status": EpisodeStatus.PLANNING, "admission_notice_at": ADMITTED + timedelta(hours=2)}
PLANNED = {
    **NOTICED,
    "track_colour": TrackColour.GREEN,
    "kommun_answered_at": NOW,
    "health_centre_answered_at": NOW,
    "named_contact": "Anna Berg",
    "kommun_ready_at": NOW,
}
READY = {**PLANNED, "status": EpisodeStatus.READY, "ready_date": TODAY}


def codes(episode: Episode, party: str, today: date = TODAY) -> list[str]:
    return [task.code for task in pending_tasks(episode, party, NOW, today)]


def test_it_asks_the_ward_for_the_admission_notice_first() -> None:
    [task] = pending_tasks(make(), "ward", NOW, TODAY)
    assert task.code == "admission_notice"
    assert task.due == ADMITTED + timedelta(hours=24)
    assert task.overdue is True  # admitted two days before NOW
    [task] = pending_tasks(make(admitted_at=NOW - timedelta(hours=2)), "ward", NOW, TODAY)
    assert task.overdue is False
    assert codes(make(), "kommun") == []
    assert codes(make(), "health_centre") == []


def test_it_asks_the_parties_to_answer_and_plan_after_the_notice() -> None:
    episode = make(**NOTICED)
    assert codes(episode, "ward") == ["track_colour"]
    assert codes(episode, "kommun") == ["answer", "kommun_ready"]
    assert codes(episode, "health_centre") == ["answer", "named_contact"]


def test_it_leaves_nothing_waiting_once_planned() -> None:
    episode = make(**PLANNED)
    for party in ("ward", "kommun", "health_centre"):
        assert codes(episode, party) == []


def test_it_asks_the_kommun_for_the_homecoming_then_the_ward_to_discharge() -> None:
    ready = make(**READY)
    assert codes(ready, "kommun") == ["homecoming"]
    assert codes(ready, "ward") == ["propose_homecoming"]
    proposed = make(**READY, homecoming_proposed_at=NOW + timedelta(days=1))
    assert codes(proposed, "ward") == []
    [task] = pending_tasks(proposed, "kommun", NOW, TODAY)
    assert task.code == "homecoming"
    assert task.label == _("Acknowledge the proposed time for homecoming")
    agreed = NOW + timedelta(hours=5)
    acknowledged = make(**READY, homecoming_acknowledged_at=NOW, homecoming_at=agreed)
    assert codes(acknowledged, "kommun") == []
    [task] = pending_tasks(acknowledged, "ward", NOW, TODAY)
    assert (task.code, task.due, task.overdue, task.due_today) == ("discharge", agreed, False, True)
    [task] = pending_tasks(acknowledged, "ward", agreed + timedelta(minutes=1), TODAY)
    assert task.overdue is True


def test_it_makes_the_homecoming_acknowledgement_due_on_the_ready_date() -> None:
    [task] = pending_tasks(make(**READY), "kommun", NOW, TODAY)
    assert (task.due, task.overdue, task.due_today) == (TODAY, False, True)
    [task] = pending_tasks(make(**READY), "kommun", NOW, TODAY + timedelta(days=1))
    assert (task.overdue, task.due_today) == (True, False)


@pytest.mark.parametrize(
    ("preliminary", "overdue", "due_today"),
    [(TODAY - timedelta(days=1), True, False), (TODAY, False, True)],
)
def test_it_asks_the_ward_for_the_ready_notice_once_the_preliminary_date_has_come(
    preliminary: date, overdue: bool, due_today: bool
) -> None:
    episode = make(**PLANNED, preliminary_ready_date=preliminary)
    [task] = pending_tasks(episode, "ward", NOW, TODAY)
    assert (task.code, task.due, task.overdue, task.due_today) == (
        "ready_notice",
        preliminary,
        overdue,
        due_today,
    )
    assert codes(make(**PLANNED, preliminary_ready_date=TODAY + timedelta(days=1)), "ward") == []
    # Once ready, the preliminary date no longer asks for anything.
    assert "ready_notice" not in codes(make(**READY, preliminary_ready_date=preliminary), "ward")


def test_it_asks_the_health_centre_to_invite_to_and_record_the_sip() -> None:
    assert codes(make(**READY, sip_needed=True), "health_centre") == ["sip_invitation"]
    invited = make(**READY, sip_needed=True, sip_invitation_at=NOW)
    assert codes(invited, "health_centre") == ["sip_held"]
    held = make(**READY, sip_needed=True, sip_invitation_at=NOW, sip_held_date=TODAY)
    assert codes(held, "health_centre") == []


def test_it_keeps_the_sip_tasks_after_discharge_but_not_after_closure() -> None:
    discharged = make(**{**READY, "status": EpisodeStatus.DISCHARGED}, sip_needed=True)
    assert codes(discharged, "health_centre") == ["sip_invitation"]
    assert codes(discharged, "ward") == []
    assert codes(discharged, "kommun") == []
    closed = make(**{**READY, "status": EpisodeStatus.CLOSED}, sip_needed=True)
    for party in ("ward", "kommun", "health_centre"):
        assert codes(closed, party) == []


def test_it_gives_a_closed_episode_no_tasks() -> None:
    closed = make(status=EpisodeStatus.CLOSED)
    for party in ("ward", "kommun", "health_centre"):
        assert codes(closed, party) == []
