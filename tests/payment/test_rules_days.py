"""Hand-worked tables for payment.rules, R5-R9 (DOMAIN.md): prerequisites, liable days in the
kommun-average and per-episode models, daily amounts and their months. No Django, no database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest

from payment.rules import (
    PREREQUISITES,
    EpisodeFacts,
    MissingDailyAmount,
    RuleError,
    Terms,
    amount_per_month,
    amount_sek,
    count_per_month,
    liability_start,
    liability_states,
    liable_days,
    liable_days_kommun_average,
    liable_days_per_episode,
    prerequisites_missing,
    sip_invitation_in_time,
    waiting_days,
)
from tests.payment.rulefacts import (
    AVERAGE_TERMS,
    PER_EPISODE_TERMS,
    THREE,
    days,
    facts,
    local,
    months_2026,
    utc,
)

# R5 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("invitation", "in_time"),
    [
        (date(2026, 2, 8), True),  # before the ready date
        (date(2026, 2, 10), True),  # ready day
        (date(2026, 2, 13), True),  # day 3 = 10 + 3
        (date(2026, 2, 14), False),  # day 4: late
        (None, False),
    ],
)
def test_it_allows_the_sip_invitation_until_day_three(
    invitation: date | None, in_time: bool
) -> None:
    assert sip_invitation_in_time(date(2026, 2, 10), invitation, 3) is in_time


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({}, []),
        ({"admission_notice_sent": False}, ["admission_notice"]),
        ({"ready_notice_at": None}, ["ready_notice"]),
        ({"sip_invitation_date": None}, ["sip_invitation"]),
        ({"sip_invitation_date": date(2026, 2, 14)}, ["sip_invitation"]),  # day 4
        (
            {"admission_notice_sent": False, "sip_invitation_date": None},
            ["admission_notice", "sip_invitation"],
        ),
        (
            {"admission_notice_sent": False, "ready_notice_at": None, "sip_invitation_date": None},
            ["admission_notice", "ready_notice", "sip_invitation"],
        ),
    ],
)
def test_it_lists_missing_prerequisites_in_order(
    changes: dict[str, object], missing: list[str]
) -> None:
    episode = EpisodeFacts(
        **{
            "ready_date": date(2026, 2, 10),
            "discharge_date": date(2026, 2, 20),
            "admission_notice_sent": True,
            "ready_notice_at": local(2026, 2, 10, 9, 0),
            "sip_needed": True,
            "sip_invitation_date": date(2026, 2, 13),  # day 3: in time
            **changes,
        }
    )
    assert prerequisites_missing(episode, AVERAGE_TERMS) == missing
    assert missing == [p for p in PREREQUISITES if p in missing]
    # Any missing prerequisite removes every liable day, in both models.
    liable_in_average = liable_days(episode, AVERAGE_TERMS, [date(2026, 2, 1)])
    liable_per_episode = liable_days(episode, PER_EPISODE_TERMS)
    if missing:
        assert liable_in_average == liable_per_episode == []
    else:
        assert liable_in_average == days(date(2026, 2, 11), date(2026, 2, 20))  # 10 days
        assert liable_per_episode == days(date(2026, 2, 12), date(2026, 2, 20))  # 9 days


def test_it_does_not_ask_for_a_sip_invitation_when_not_needed_or_not_required() -> None:
    no_invitation = facts(sip_needed=True, sip_invitation_date=None)
    assert prerequisites_missing(no_invitation, AVERAGE_TERMS) == ["sip_invitation"]
    # Örebro dropped the SIP prerequisite (seed 002).
    not_required = Terms(
        model="kommun_average", first_month=date(2022, 1, 1), sip_invitation_required=False
    )
    assert prerequisites_missing(no_invitation, not_required) == []
    assert prerequisites_missing(facts(sip_needed=False), AVERAGE_TERMS) == []


def test_it_uses_the_agreed_sip_invitation_deadline() -> None:
    five_days = Terms(model="kommun_average", first_month=date(2022, 1, 1), sip_invitation_days=5)
    on_day_5 = facts(sip_needed=True, sip_invitation_date=date(2026, 2, 15))  # 10 + 5
    on_day_6 = facts(sip_needed=True, sip_invitation_date=date(2026, 2, 16))
    assert prerequisites_missing(on_day_5, five_days) == []
    assert prerequisites_missing(on_day_6, five_days) == ["sip_invitation"]


# R6 -------------------------------------------------------------------------------------------


def test_it_lists_waiting_days_only_for_discharged_episodes_with_a_ready_date() -> None:
    # ready 10 Feb, discharged 15 Feb: 11, 12, 13, 14, 15 = 5 = ready_days
    assert waiting_days(facts()) == days(date(2026, 2, 11), date(2026, 2, 15))
    assert waiting_days(facts(discharge=date(2026, 2, 10))) == []  # same day
    assert waiting_days(facts(discharge=None)) == []  # still in hospital
    assert waiting_days(facts(ready=None, ready_notice_at=local(2026, 2, 10, 9, 0))) == []


@pytest.mark.parametrize(
    ("liable_months", "expected"),
    [
        # ready 28 Mar, discharged 4 Apr: waiting days Mar 29-31 (3) and Apr 1-4 (4) = 7
        ([date(2026, 4, 1)], days(date(2026, 4, 1), date(2026, 4, 4))),  # liable from April: 4
        ([date(2026, 3, 1)], days(date(2026, 3, 29), date(2026, 3, 31))),  # free from April: 3
        ([date(2026, 3, 1), date(2026, 4, 1)], days(date(2026, 3, 29), date(2026, 4, 4))),  # 7
        ([], []),
    ],
)
def test_it_splits_an_episode_at_the_month_where_the_state_changes(
    liable_months: list[date], expected: list[date]
) -> None:
    episode = facts(ready=date(2026, 3, 28), discharge=date(2026, 4, 4))
    assert liable_days_kommun_average(episode, AVERAGE_TERMS, liable_months) == expected


def test_it_takes_liable_months_from_the_state_machine() -> None:
    # Jan-Mar 2026 over (3.5 each): liable from April. Ready 28 Mar, discharged 4 Apr:
    # liable Apr 1, 2, 3, 4 = 4 days; 4 * 9 500 = 38 000 kr.
    states = liability_states(
        months_2026(35, 35, 35),
        first_month=date(2026, 1, 1),
        last_month=date(2026, 4, 1),
        threshold=THREE,
        months_to_enter=3,
        months_to_exit=3,
    )
    liable_months = [s.month for s in states if s.liable]
    assert liable_months == [date(2026, 4, 1)]
    episode = facts(ready=date(2026, 3, 28), discharge=date(2026, 4, 4))
    liable = liable_days(episode, AVERAGE_TERMS, liable_months)
    assert liable == days(date(2026, 4, 1), date(2026, 4, 4))
    assert amount_sek(liable, {2026: 9500}) == 38_000


def test_it_never_makes_a_day_before_the_first_month_liable() -> None:
    terms = Terms(model="kommun_average", first_month=date(2026, 4, 1))
    episode = facts(ready=date(2026, 3, 28), discharge=date(2026, 4, 4))
    # March is (wrongly) passed as liable: still only April 1-4 count.
    liable = liable_days(episode, terms, [date(2026, 3, 1), date(2026, 4, 1)])
    assert liable == days(date(2026, 4, 1), date(2026, 4, 4))


# R7 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notice", "start", "liable"),
    [
        # ready and notice on Tue 10 Feb 2026, discharged Sun 15 Feb: waiting days 11-15.
        # 12:00 is at the cut-off: day 1 = 10 Feb, day 3 = 12 Feb; liable 12-15 = 4 days
        (local(2026, 2, 10, 12, 0), date(2026, 2, 12), 4),
        # 12:00:59 is read as the klockslag 12:00: same as above
        (local(2026, 2, 10, 12, 0, 59), date(2026, 2, 12), 4),
        # 12:01 is after: day 1 = 11 Feb, day 3 = 13 Feb ("the fourth day"); liable 13-15 = 3
        (local(2026, 2, 10, 12, 1), date(2026, 2, 13), 3),
        # 08:00 the morning after the ready date: day 1 = 11 Feb, start 13 Feb; 3 days
        (local(2026, 2, 11, 8, 0), date(2026, 2, 13), 3),
    ],
)
def test_it_starts_per_episode_liability_on_day_three_or_four(
    notice: datetime, start: date, liable: int
) -> None:
    assert liability_start(notice, PER_EPISODE_TERMS) == start
    episode = facts(ready=date(2026, 2, 10), discharge=date(2026, 2, 15), ready_notice_at=notice)
    assert liable_days_per_episode(episode, PER_EPISODE_TERMS) == days(start, date(2026, 2, 15))
    assert len(liable_days(episode, PER_EPISODE_TERMS)) == liable


@pytest.mark.parametrize(
    ("notice", "start"),
    [
        # winter, UTC+1: 10:30Z = 11:30 local, before noon: day 1 = 15 Jan, start 17 Jan
        (utc(2026, 1, 15, 10, 30), date(2026, 1, 17)),
        # winter: 11:30Z = 12:30 local, after noon: day 1 = 16 Jan, start 18 Jan
        (utc(2026, 1, 15, 11, 30), date(2026, 1, 18)),
        # summer, UTC+2: 09:30Z = 11:30 local, before noon: start 17 Jul
        (utc(2026, 7, 15, 9, 30), date(2026, 7, 17)),
        # summer: 10:30Z = 12:30 local (11:30 if read as UTC+1), after noon: start 18 Jul
        (utc(2026, 7, 15, 10, 30), date(2026, 7, 18)),
        # the same summer instant written with a +02:00 offset gives the same answer
        (datetime(2026, 7, 15, 12, 30, tzinfo=timezone(timedelta(hours=2))), date(2026, 7, 18)),
    ],
)
def test_it_reads_the_notice_time_in_swedish_local_time(notice: datetime, start: date) -> None:
    assert liability_start(notice, PER_EPISODE_TERMS) == start


@pytest.mark.parametrize(
    ("notice", "start"),
    [
        # Sat 28 Mar 2026, still UTC+1: 10:30Z = 11:30, before noon: day 1 = 28 Mar, start 30 Mar
        (utc(2026, 3, 28, 10, 30), date(2026, 3, 30)),
        # Sun 29 Mar, clocks went 02:00 -> 03:00 at 01:00Z, now UTC+2: 10:30Z = 12:30, after
        # noon (UTC+1 would wrongly say 11:30): day 1 = 30 Mar, start 1 Apr
        (utc(2026, 3, 29, 10, 30), date(2026, 4, 1)),
        # 23:30Z on 28 Mar = 00:30 on 29 Mar local: day 1 = 29 Mar (not 28), start 31 Mar
        (utc(2026, 3, 28, 23, 30), date(2026, 3, 31)),
        # Sat 24 Oct 2026, still UTC+2: 10:30Z = 12:30, after noon: day 1 = 25 Oct, start 27 Oct
        (utc(2026, 10, 24, 10, 30), date(2026, 10, 27)),
        # Sun 25 Oct, back to UTC+1 at 01:00Z: 11:30Z = 12:30, after noon (UTC+2 would say
        # 13:30, same side); 10:30Z = 11:30, before noon (UTC+2 would wrongly say 12:30)
        (utc(2026, 10, 25, 11, 30), date(2026, 10, 28)),
        (utc(2026, 10, 25, 10, 30), date(2026, 10, 27)),
    ],
)
def test_it_handles_the_daylight_saving_changes(notice: datetime, start: date) -> None:
    assert liability_start(notice, PER_EPISODE_TERMS) == start


@pytest.mark.parametrize(
    ("cutoff", "from_day", "start"),
    [
        # notice Tue 10 Feb 2026 at 14:00 local
        (time(12, 0), 3, date(2026, 2, 13)),  # after noon: day 1 = 11 Feb, day 3 = 13 Feb
        (time(12, 0), 1, date(2026, 2, 11)),  # day 1 itself
        (time(12, 0), 4, date(2026, 2, 14)),  # 11 + 3
        (time(15, 0), 2, date(2026, 2, 11)),  # before 15:00: day 1 = 10 Feb, day 2 = 11 Feb
        (None, 3, date(2026, 2, 12)),  # no cut-off: day 1 = 10 Feb, day 3 = 12 Feb
        (None, None, date(2026, 2, 12)),  # the law's default: day 3
    ],
)
def test_it_uses_the_agreed_cutoff_and_day(
    cutoff: time | None, from_day: int | None, start: date
) -> None:
    terms = Terms(
        model="per_episode",
        first_month=date(2026, 1, 1),
        notice_cutoff=cutoff,
        liability_from_day=from_day,
    )
    assert liability_start(local(2026, 2, 10, 14, 0), terms) == start


def test_it_never_makes_a_per_episode_day_before_the_first_month_liable() -> None:
    # ready and notice 28 Dec 2025 at 09:00: start 30 Dec; discharged 3 Jan 2026.
    # Waiting days 29 Dec - 3 Jan; from the start: 30, 31 Dec, 1, 2, 3 Jan; the agreement starts
    # in January 2026: liable 1, 2, 3 Jan = 3 days.
    episode = facts(ready=date(2025, 12, 28), discharge=date(2026, 1, 3))
    assert liable_days(episode, PER_EPISODE_TERMS) == days(date(2026, 1, 1), date(2026, 1, 3))


def test_it_has_no_liable_days_when_discharged_before_the_start() -> None:
    # notice 10 Feb 12:01: start 13 Feb; discharged 12 Feb: waiting days 11, 12, none liable
    episode = facts(discharge=date(2026, 2, 12), ready_notice_at=local(2026, 2, 10, 12, 1))
    assert liable_days(episode, PER_EPISODE_TERMS) == []


def test_it_refuses_terms_of_the_wrong_model() -> None:
    with pytest.raises(RuleError):
        liable_days_per_episode(facts(), AVERAGE_TERMS)
    with pytest.raises(RuleError):
        liable_days_kommun_average(facts(), PER_EPISODE_TERMS, [])
    with pytest.raises(RuleError, match="per_episode only"):
        Terms(model="kommun_average", first_month=date(2026, 1, 1), notice_cutoff=time(12, 0))


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "flat_rate"},
        {"first_month": date(2026, 1, 15)},
        {"threshold_days": 3.0},
        {"threshold_days": Decimal("NaN")},
        {"months_to_enter": 0},
        {"months_to_exit": 0},
        {"liability_from_day": 0},
        {"daily_amounts": {2026: -1}},
        {"timezone": "Europe"},
        {"timezone": "Nowhere/Nothing"},
    ],
)
def test_it_refuses_terms_it_cannot_apply(changes: dict[str, object]) -> None:
    values: dict[str, object] = {"model": "per_episode", "first_month": date(2026, 1, 1)}
    with pytest.raises(RuleError):
        Terms(**{**values, **changes})  # type: ignore[arg-type]


def test_it_refuses_a_naive_ready_notice_time() -> None:
    with pytest.raises(RuleError, match="timezone-aware"):
        facts(ready_notice_at=datetime(2026, 2, 10, 9, 0))  # noqa: DTZ001 -- the point of the test


# R8 -------------------------------------------------------------------------------------------

# Illustrative amounts, not Socialstyrelsen's.
AMOUNTS = {2025: 9_000, 2026: 9_500}


def test_it_prices_each_day_at_its_own_years_amount() -> None:
    # 30, 31 Dec 2025 at 9 000 + 1, 2 Jan 2026 at 9 500 = 18 000 + 19 000 = 37 000
    assert amount_sek(days(date(2025, 12, 30), date(2026, 1, 2)), AMOUNTS) == 37_000
    assert amount_sek([], {}) == 0


def test_it_names_the_year_without_a_daily_amount() -> None:
    with pytest.raises(MissingDailyAmount) as excinfo:
        amount_sek(days(date(2026, 12, 30), date(2027, 1, 2)), AMOUNTS)
    assert excinfo.value.year == 2027
    assert str(excinfo.value) == "no daily amount for year 2027"
    assert isinstance(excinfo.value, RuleError)


def test_it_keeps_the_terms_amounts_read_only() -> None:
    amounts = {2026: 9_500}
    terms = Terms(model="kommun_average", first_month=date(2026, 1, 1), daily_amounts=amounts)
    amounts[2026] = 1
    assert terms.daily_amounts[2026] == 9_500
    with pytest.raises(TypeError):
        terms.daily_amounts[2027] = 1  # type: ignore[index]


# R9 -------------------------------------------------------------------------------------------


def test_it_reports_days_and_amounts_in_the_month_they_fall() -> None:
    # 29 Mar - 4 Apr 2026: 3 days in March, 4 in April; at 9 500: 28 500 and 38 000
    liable = days(date(2026, 3, 29), date(2026, 4, 4))
    assert count_per_month(liable) == {date(2026, 3, 1): 3, date(2026, 4, 1): 4}
    assert amount_per_month(liable, AMOUNTS) == {date(2026, 3, 1): 28_500, date(2026, 4, 1): 38_000}


def test_it_splits_amounts_across_a_year_boundary_by_month() -> None:
    # 30, 31 Dec 2025 at 9 000 = 18 000; 1, 2 Jan 2026 at 9 500 = 19 000
    liable = days(date(2025, 12, 30), date(2026, 1, 2))
    assert count_per_month(liable) == {date(2025, 12, 1): 2, date(2026, 1, 1): 2}
    assert amount_per_month(liable, AMOUNTS) == {
        date(2025, 12, 1): 18_000,
        date(2026, 1, 1): 19_000,
    }
    with pytest.raises(MissingDailyAmount, match="2025"):
        amount_per_month(liable, {2026: 9_500})
