"""Property tests for payment.rules: invariants that must hold for any agreement and episode."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from payment.rules import (
    EpisodeFacts,
    MonthFigures,
    Terms,
    amount_per_month,
    amount_sek,
    count_per_month,
    is_over,
    iter_months,
    liability_start,
    liability_states,
    liable_days,
    month_start,
    ready_days,
    waiting_days,
)

STOCKHOLM = ZoneInfo("Europe/Stockholm")
FIRST = date(2024, 1, 1)
LAST = date(2028, 12, 31)
dates = st.dates(min_value=FIRST, max_value=LAST)
months = dates.map(month_start)
thresholds = st.decimals(min_value=0, max_value=10, places=2)


@st.composite
def episode_facts(draw: st.DrawFn) -> EpisodeFacts:
    ready = draw(st.none() | dates)
    discharge = None
    notice = None
    invitation = None
    if ready is not None:
        discharge = draw(st.none() | st.integers(0, 90).map(lambda n: ready + timedelta(days=n)))
        # Any instant from two days before to two days after the ready day, DST changes included.
        start = datetime(ready.year, ready.month, ready.day, tzinfo=UTC) - timedelta(days=2)
        notice = draw(
            st.none() | st.integers(0, 4 * 24 * 60).map(lambda m: start + timedelta(minutes=m))
        )
        invitation = draw(st.none() | st.integers(-5, 10).map(lambda n: ready + timedelta(days=n)))
    return EpisodeFacts(
        ready_date=ready,
        discharge_date=discharge,
        admission_notice_sent=draw(st.booleans()),
        ready_notice_at=notice,
        sip_needed=draw(st.booleans()),
        sip_invitation_date=invitation,
    )


@st.composite
def agreement_terms(draw: st.DrawFn) -> Terms:
    model = draw(st.sampled_from(["kommun_average", "per_episode"]))
    per_episode = model == "per_episode"
    return Terms(
        model=model,
        first_month=draw(months),
        threshold_days=draw(thresholds),
        months_to_enter=draw(st.integers(1, 6)),
        months_to_exit=draw(st.integers(1, 6)),
        sip_invitation_required=draw(st.booleans()),
        sip_invitation_days=draw(st.integers(0, 7)),
        notice_cutoff=draw(st.none() | st.times()) if per_episode else None,
        liability_from_day=draw(st.none() | st.integers(1, 6)) if per_episode else None,
        daily_amounts={year: draw(st.integers(0, 20_000)) for year in range(2024, 2029)},
    )


liable_month_sets = st.frozensets(months, max_size=60)


@given(episode_facts(), agreement_terms(), liable_month_sets)
def test_it_never_has_more_liable_days_than_ready_days(
    facts: EpisodeFacts, terms: Terms, liable_months: frozenset[date]
) -> None:
    liable = liable_days(facts, terms, liable_months)
    if facts.ready_date is None or facts.discharge_date is None:
        assert liable == []
    else:
        assert len(liable) <= ready_days(facts.ready_date, facts.discharge_date)


@given(episode_facts(), agreement_terms(), liable_month_sets)
def test_it_only_makes_waiting_days_liable(
    facts: EpisodeFacts, terms: Terms, liable_months: frozenset[date]
) -> None:
    liable = liable_days(facts, terms, liable_months)
    waiting = waiting_days(facts)
    assert set(liable) <= set(waiting)
    assert liable == sorted(set(liable))
    assert all(d >= terms.first_month for d in liable)


@given(episode_facts(), agreement_terms())
def test_it_makes_per_episode_days_liable_from_the_start_on(
    facts: EpisodeFacts, terms: Terms
) -> None:
    if terms.model != "per_episode" or facts.ready_notice_at is None:
        return
    liable = liable_days(facts, terms)
    if liable:
        start = max(liability_start(facts.ready_notice_at, terms), terms.first_month)
        # Liable days are exactly the waiting days from the start on: no gaps.
        assert liable == [d for d in waiting_days(facts) if d >= start]


# Any instant in 2024-2028, to the second, so DST changes and seconds past the minute occur.
instants = st.integers(0, 5 * 366 * 24 * 3600).map(
    lambda s: datetime(2024, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)


@given(instants, st.integers(0, 3 * 3600), st.times(), st.none() | st.integers(1, 6))
def test_it_never_moves_the_start_earlier_for_a_later_notice(
    notice: datetime, delay: int, cutoff: time, from_day: int | None
) -> None:
    terms = Terms(
        model="per_episode", first_month=FIRST, notice_cutoff=cutoff, liability_from_day=from_day
    )
    later = notice + timedelta(seconds=delay)
    start = liability_start(notice, terms)
    assert start <= liability_start(later, terms)
    # Day 1 is the notice's local date or the next day; the start is day `from_day` (3).
    local_date = notice.astimezone(STOCKHOLM).date()
    assert (start - local_date).days - ((from_day or 3) - 1) in (0, 1)


@st.composite
def figures_at_or_under(draw: st.DrawFn) -> tuple[Decimal, dict[date, MonthFigures]]:
    """A threshold and up to 36 months whose averages are all <= the threshold."""
    threshold = draw(thresholds)
    figures = {}
    for month in iter_months(date(2026, 1, 1), date(2028, 12, 1)):
        if draw(st.booleans()):
            episodes = draw(st.integers(0, 300))
            # the largest total that keeps total / episodes <= threshold, in exact arithmetic
            ceiling = int(Fraction(threshold) * episodes)
            total = draw(st.integers(0, ceiling))
            figures[month] = MonthFigures(month, episodes, total, 0)
    return threshold, figures


@given(figures_at_or_under(), st.integers(1, 6), st.integers(1, 6))
def test_it_never_makes_a_kommun_at_or_under_the_threshold_liable(
    case: tuple[Decimal, dict[date, MonthFigures]], enter: int, exit_: int
) -> None:
    threshold, figures = case
    states = liability_states(
        figures,
        first_month=date(2026, 1, 1),
        last_month=date(2028, 12, 1),
        threshold=threshold,
        months_to_enter=enter,
        months_to_exit=exit_,
    )
    assert len(states) == 36
    assert not any(s.liable or s.over or s.changes_next_month for s in states)


@given(st.lists(st.booleans(), min_size=1, max_size=40), st.integers(1, 6), st.integers(1, 6))
def test_it_follows_the_state_machine_for_any_sequence_of_months(
    overs: list[bool], enter: int, exit_: int
) -> None:
    # An independent restatement of R4: liable after `enter` consecutive over months,
    # free after `exit_` consecutive months not over, each from the following month.
    all_months = list(iter_months(date(2026, 1, 1), date(2029, 12, 1)))[: len(overs)]
    figures = {
        m: MonthFigures(m, 10, 40 if over else 30, 0)
        for m, over in zip(all_months, overs, strict=True)
    }
    states = liability_states(
        figures,
        first_month=all_months[0],
        last_month=all_months[-1],
        threshold=Decimal("3.0"),
        months_to_enter=enter,
        months_to_exit=exit_,
    )
    liable, run = False, 0
    for state, over in zip(states, overs, strict=True):
        assert state.liable is liable
        assert state.over is over
        run = run + 1 if over != liable else 0
        if run == (exit_ if liable else enter):
            assert state.changes_next_month and state.streak == 0
            liable, run = not liable, 0
        else:
            assert not state.changes_next_month and state.streak == run


@given(st.integers(0, 10_000), st.integers(0, 10_000), thresholds)
def test_it_compares_the_average_exactly(episodes: int, total: int, threshold: Decimal) -> None:
    if episodes == 0:
        total = 0
    figures = MonthFigures(date(2026, 1, 1), episodes, total, 0)
    expected = episodes > 0 and Fraction(total, episodes) > Fraction(threshold)
    assert is_over(figures, threshold) is expected


@given(
    st.lists(dates, max_size=200),
    st.fixed_dictionaries({year: st.integers(0, 20_000) for year in range(2024, 2029)}),
)
def test_it_adds_up_per_month_amounts_to_the_total(
    liable: list[date], amounts: dict[int, int]
) -> None:
    per_month = amount_per_month(liable, amounts)
    assert sum(per_month.values()) == amount_sek(liable, amounts)
    assert sum(count_per_month(liable).values()) == len(liable)
    assert list(per_month) == sorted(per_month)
    assert all(m.day == 1 for m in per_month)
