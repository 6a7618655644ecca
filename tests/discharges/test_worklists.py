"""discharges.worklists: Att göra per role, most urgent first.

- Rows: the user's episodes with something waiting, each with its tasks, the messages from the
  other parties not yet acknowledged, the days since the ready date and whether something new
  was recorded since the user's last look.
- Order: overdue first, then due today, then the rest; within each the earliest deadline.
- The ward's tasks include a passed preliminary date and the discharge at the agreed time.
- Queries: as many for one episode as for many.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discharges import services, worklists
from discharges.models import Destination, Episode, TrackColour
from tests.conftest import Personas, fresh


def codes(row: worklists.WorklistRow) -> list[str]:
    return [task.code for task in row.tasks]


def rows_of(user: object, **kwargs: object) -> dict[int, worklists.WorklistRow]:
    return {row.episode.pk: row for row in worklists.worklist(user, **kwargs)}  # type: ignore[arg-type]


def test_it_puts_what_waits_for_each_party_on_its_worklist(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    [row] = worklists.worklist(personas.ward_nurse)
    assert (row.episode.pk, row.party, codes(row)) == (episode.pk, "ward", ["admission_notice"])
    assert worklists.worklist(personas.kommun_planner) == []
    advance(episode, "noticed")
    [row] = worklists.worklist(personas.kommun_planner)
    assert (row.party, codes(row)) == ("kommun", ["answer", "kommun_ready", "receipts"])
    assert row.unacknowledged == 1  # the admission notice (the registration is no message)
    [row] = worklists.worklist(personas.hc_coordinator)
    assert (row.party, codes(row)) == ("health_centre", ["answer", "named_contact", "receipts"])
    assert worklists.worklist(personas.other_kommun_planner) == []
    assert worklists.worklist(personas.processledare) == []


def test_it_sorts_overdue_then_due_today_then_the_rest(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    today = timezone.localdate()
    later = advance(make_episode(), "noticed")  # answer, kommunklar: no deadline
    ready_today = advance(make_episode(), "ready", ready_date=today)
    waiting = advance(make_episode(admitted_at=timezone.now() - timedelta(days=6)), "ready",
                      ready_date=today - timedelta(days=4))  # fmt: skip
    for episode in (later, ready_today, waiting):
        services.acknowledge_all(actor=personas.kommun_actor, episode=episode)
    rows = worklists.worklist(personas.kommun_planner)
    assert [row.episode.pk for row in rows] == [waiting.pk, ready_today.pk, later.pk]
    assert [row.urgency for row in rows] == [
        worklists.OVERDUE,
        worklists.DUE_TODAY,
        worklists.LATER,
    ]
    assert [row.days_ready for row in rows] == [4, 0, None]
    assert [row.long_wait for row in rows] == [True, False, False]


def test_it_orders_rows_of_equal_urgency_by_their_deadline(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    now = timezone.now()
    newer = make_episode(admitted_at=now - timedelta(hours=30))  # notice due 6 h ago
    older = make_episode(admitted_at=now - timedelta(hours=50))  # notice due 26 h ago
    rows = worklists.worklist(personas.ward_nurse)
    assert [row.episode.pk for row in rows] == [older.pk, newer.pk]
    assert all(row.overdue for row in rows)


def test_it_asks_the_ward_for_the_ready_notice_when_the_preliminary_date_has_passed(
    episode: Episode, personas: Personas
) -> None:
    services.send_admission_notice(
        actor=personas.ward_actor,
        episode=episode,
        preliminary_ready_date=timezone.localdate() - timedelta(days=1),
        occurred_at=episode.admitted_at + timedelta(hours=1),
    )
    services.assess_track_colour(actor=personas.ward_actor, episode=episode, colour="green")
    [row] = worklists.worklist(personas.ward_nurse)
    assert codes(row) == ["ready_notice"]
    assert row.overdue


def test_it_asks_the_ward_to_discharge_at_the_agreed_homecoming(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    services.assess_track_colour(actor=personas.ward_actor, episode=episode, colour="green")
    agreed = timezone.now() + timedelta(hours=3)
    services.acknowledge_homecoming(
        actor=personas.kommun_actor, episode=episode, homecoming_at=agreed
    )
    [row] = worklists.worklist(personas.ward_nurse)
    assert codes(row) == ["discharge", "receipts"]
    discharge = row.tasks[0]
    assert discharge.due == agreed
    assert discharge.due_today == (timezone.localdate(agreed) == timezone.localdate())
    assert row.unacknowledged == 1  # the kommun's acknowledgement, to the ward


def test_it_counts_the_unacknowledged_messages_until_they_are_acknowledged(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    [row] = worklists.worklist(personas.kommun_planner)
    assert row.unacknowledged == 2  # admission notice, ready notice
    receipts = services.acknowledge_all(actor=personas.kommun_actor, episode=episode)
    assert len(receipts) == 2
    [row] = worklists.worklist(personas.kommun_planner)
    assert row.unacknowledged == 0
    assert "receipts" not in codes(row)
    # Acknowledged by the kommun, not by the health centre.
    [row] = worklists.worklist(personas.hc_coordinator)
    assert row.unacknowledged == 2


def test_it_marks_rows_with_a_message_recorded_since_the_last_look(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    seen = advance(make_episode(), "noticed")
    last_look = timezone.now()
    unseen = advance(make_episode(), "noticed")
    rows = rows_of(personas.kommun_planner, since=last_look)
    assert (rows[seen.pk].new, rows[unseen.pk].new) == (False, True)
    # The ward's own messages are not new to the ward.
    assert not any(row.new for row in worklists.worklist(personas.ward_nurse, since=last_look))
    # Without a last look nothing is marked.
    assert not any(row.new for row in worklists.worklist(personas.kommun_planner))


def test_it_offers_the_kommun_the_proposed_homecoming_to_acknowledge(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    [row] = worklists.worklist(personas.kommun_planner)
    assert row.proposed_homecoming is None
    proposed = (timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=proposed)
    [row] = worklists.worklist(personas.kommun_planner)
    assert row.proposed_homecoming == proposed
    [ward_row] = worklists.worklist(personas.ward_nurse)
    assert ward_row.proposed_homecoming is None  # only the kommun acknowledges


def test_it_keeps_an_open_sip_on_the_health_centres_list_for_a_while_after_discharge(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    recent = advance(make_episode(), "sip_invited")
    services.register_discharge(
        actor=personas.ward_actor, episode=recent, destination=Destination.HOME
    )
    [row] = worklists.worklist(personas.hc_coordinator)
    assert row.episode.pk == recent.pk
    assert "sip_held" in codes(row)
    assert worklists.worklist(personas.kommun_planner) == []  # discharged: nothing left
    later = timezone.now() + timedelta(days=worklists.SIP_AFTER_DISCHARGE_DAYS + 1)
    assert worklists.worklist(personas.hc_coordinator, now=later) == []


def test_it_reads_no_closed_episode(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    today = timezone.localdate()
    assert [e.pk for e in worklists.candidates(personas.ward_nurse, today)] == [episode.pk]
    advance(episode, "closed")
    assert fresh(episode).status == "closed"
    assert list(worklists.candidates(personas.ward_nurse, today)) == []
    assert list(worklists.candidates(personas.hc_coordinator, today)) == []


@pytest.mark.parametrize("user", ["kommun_planner", "ward_nurse", "hc_coordinator"])
def test_its_query_count_does_not_grow_with_the_list(
    user: str,
    make_episode: Callable[..., Episode],
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    def queries() -> int:
        member = type(personas.ward_nurse).objects.get(username=user)  # memberships not cached
        with CaptureQueriesContext(connection) as captured:
            rows = worklists.worklist(member, since=timezone.now() - timedelta(hours=1))
        assert rows
        return len(captured)

    first = advance(make_episode(), "ready")
    services.assess_track_colour(
        actor=personas.ward_actor, episode=first, colour=TrackColour.RED, sip_needed=True
    )
    one = queries()
    for _ in range(6):
        advance(make_episode(), "sip_invited")
    assert queries() == one


def test_a_planned_sip_follow_up_waits_on_the_health_centres_list_until_done(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    """Shown a week before the planned date, overdue after it, gone once recorded done; after
    the discharge too (primary care leads the SIP then); not on the kommun's list."""
    episode = advance(make_episode(), "sip_invited")
    today = timezone.localdate()
    planned = today + timedelta(days=10)
    services.record_sip_held(
        actor=personas.hc_actor, episode=episode, held_date=today, follow_up_date=planned
    )
    services.register_discharge(
        actor=personas.ward_actor, episode=episode, destination=Destination.HOME
    )
    assert worklists.worklist(personas.hc_coordinator) == []  # ten days ahead: not yet
    week_before = timezone.now() + timedelta(days=3)
    [row] = worklists.worklist(personas.hc_coordinator, now=week_before)
    [task] = [t for t in row.tasks if t.code == "sip_follow_up"]
    assert (task.due, task.overdue) == (planned, False)
    after = timezone.now() + timedelta(days=12)
    [row] = worklists.worklist(personas.hc_coordinator, now=after)
    assert row.overdue and "sip_follow_up" in codes(row)
    assert worklists.worklist(personas.kommun_planner, now=after) == []
    services.record_sip_follow_up_done(
        actor=personas.kommun_actor, episode=fresh(episode), done_date=today
    )
    assert worklists.worklist(personas.hc_coordinator, now=after) == []
