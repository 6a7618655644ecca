"""Hand-worked tables for payment.rules, R1-R4 (DOMAIN.md): ready days, month figures, over
the threshold, and the liability state machine month by month. No Django, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from payment.rules import (
    MonthFigures,
    RuleError,
    is_over,
    iter_months,
    liability_states,
    month_figures,
    month_start,
    ready_days,
)
from tests.payment.rulefacts import THREE, facts, fig, local, months_2026

# R1 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ready", "discharge", "expected"),
    [
        (date(2026, 2, 10), date(2026, 2, 10), 0),  # same day
        (date(2026, 2, 10), date(2026, 2, 11), 1),
        (date(2026, 1, 30), date(2026, 2, 2), 3),  # Jan 31, Feb 1, Feb 2
        (date(2024, 2, 28), date(2024, 3, 1), 2),  # leap year: Feb 29, Mar 1
        (date(2025, 12, 30), date(2026, 1, 2), 3),  # Dec 31, Jan 1, Jan 2
    ],
)
def test_it_counts_ready_days_in_calendar_days(ready: date, discharge: date, expected: int) -> None:
    assert ready_days(ready, discharge) == expected


def test_it_refuses_a_discharge_before_the_ready_date() -> None:
    with pytest.raises(RuleError, match="before ready date"):
        ready_days(date(2026, 2, 10), date(2026, 2, 9))
    with pytest.raises(RuleError):
        facts(ready=date(2026, 2, 10), discharge=date(2026, 2, 9))


def test_it_refuses_datetimes_where_dates_are_meant() -> None:
    with pytest.raises(RuleError, match="must be a date"):
        ready_days(local(2026, 2, 10, 23, 0), date(2026, 2, 11))  # type: ignore[arg-type]


# R2, R3 ---------------------------------------------------------------------------------------


def test_it_builds_month_figures_from_ready_days() -> None:
    # 0 + 1 + 3 + 5 + 2 = 11 days over 5 episodes; 3 and 5 are >= 3; 11 / 5 = 2.2
    figures = month_figures(date(2026, 3, 1), [0, 1, 3, 5, 2])
    assert figures == MonthFigures(date(2026, 3, 1), episodes=5, ready_days=11, episodes_3plus=2)
    assert figures.average == Decimal("2.2")


def test_it_keeps_the_average_exact() -> None:
    # 301 / 100 = 3.01 exactly, not 3.0 after rounding to one decimal
    assert MonthFigures(date(2026, 3, 1), 100, 301, 40).average == Decimal("3.01")
    # 7 / 8 = 0.875, not 0.88
    assert MonthFigures(date(2026, 3, 1), 8, 7, 0).average == Decimal("0.875")


def test_it_has_no_average_for_an_empty_month() -> None:
    assert month_figures(date(2026, 3, 1), []).average is None


@pytest.mark.parametrize(
    ("episodes", "total", "threshold", "over"),
    [
        (100, 300, THREE, False),  # 300 / 100 = 3.00, not > 3.0
        (100, 301, THREE, True),  # 301 / 100 = 3.01 > 3.0
        (3, 10, THREE, True),  # 10 / 3 = 3.333... > 3.0
        (3, 9, THREE, False),  # 9 / 3 = 3.0
        (7, 22, Decimal("3.14"), True),  # 22 / 7 = 3.1428... > 3.14 (22 * 100 > 314 * 7)
        (100, 314, Decimal("3.14"), False),  # 314 / 100 = 3.14 exactly
        (1, 0, THREE, False),  # one same-day discharge
        (0, 0, THREE, False),  # empty month
    ],
)
def test_it_says_whether_a_month_is_over(
    episodes: int, total: int, threshold: Decimal, over: bool
) -> None:
    figures = MonthFigures(date(2026, 3, 1), episodes, total, 0)
    assert is_over(figures, threshold) is over


def test_it_does_not_count_missing_figures_as_over() -> None:
    assert is_over(None, THREE) is False


def test_it_refuses_a_float_threshold() -> None:
    with pytest.raises(RuleError, match="Decimal"):
        is_over(None, 3.0)  # type: ignore[arg-type]


# R4 -------------------------------------------------------------------------------------------


def states_2026(
    figures: dict[date, MonthFigures], last: int, *, enter: int = 3, exit_: int = 3
) -> list[tuple[bool, bool, int, bool]]:
    """(liable, over, streak, changes_next_month) per month, January to month `last` of 2026."""
    states = liability_states(
        figures,
        first_month=date(2026, 1, 1),
        last_month=date(2026, last, 1),
        threshold=THREE,
        months_to_enter=enter,
        months_to_exit=exit_,
    )
    assert [s.month for s in states] == list(iter_months(date(2026, 1, 1), date(2026, last, 1)))
    return [(s.liable, s.over, s.streak, s.changes_next_month) for s in states]


def test_it_enters_liability_the_month_after_the_third_over_month() -> None:
    # averages 3.5, 4.0, 3.1 (all > 3.0), then 2.0: liable from April, not from March
    assert states_2026(months_2026(35, 40, 31, 20), last=4) == [
        (False, True, 1, False),  # Jan
        (False, True, 2, False),  # Feb
        (False, True, 0, True),  # Mar: third over month, liable from next month
        (True, False, 1, False),  # Apr: liable although 2.0
    ]


def test_it_restarts_the_entry_count_after_a_month_not_over() -> None:
    # 3.5, 3.5, 3.0 (exactly 3.0 is not over), 3.5, 3.5, 3.5, then 1.0
    assert states_2026(months_2026(35, 35, 30, 35, 35, 35, 10), last=7) == [
        (False, True, 1, False),  # Jan
        (False, True, 2, False),  # Feb
        (False, False, 0, False),  # Mar: run broken
        (False, True, 1, False),  # Apr
        (False, True, 2, False),  # May
        (False, True, 0, True),  # Jun: third consecutive over month
        (True, False, 1, False),  # Jul: liable
    ]


def test_it_leaves_liability_the_month_after_the_third_month_not_over() -> None:
    # liable from April; then 3.0, 2.5, 1.0 (none > 3.0): still liable in June, free in July
    assert states_2026(months_2026(35, 35, 35, 30, 25, 10, 35), last=7) == [
        (False, True, 1, False),  # Jan
        (False, True, 2, False),  # Feb
        (False, True, 0, True),  # Mar
        (True, False, 1, False),  # Apr: 3.0 not over
        (True, False, 2, False),  # May
        (True, False, 0, True),  # Jun: third month not over, still liable itself
        (False, True, 1, False),  # Jul: free again; 3.5 starts a new entry run
    ]


def test_it_restarts_the_exit_count_after_an_over_month_while_liable() -> None:
    # liable from April; 2.0, 2.0, 4.0 (over), 2.0, 2.0, 2.0: free from October
    assert states_2026(months_2026(35, 35, 35, 20, 20, 40, 20, 20, 20, 20), last=10) == [
        (False, True, 1, False),  # Jan
        (False, True, 2, False),  # Feb
        (False, True, 0, True),  # Mar
        (True, False, 1, False),  # Apr
        (True, False, 2, False),  # May
        (True, True, 0, False),  # Jun: over, exit run broken
        (True, False, 1, False),  # Jul
        (True, False, 2, False),  # Aug
        (True, False, 0, True),  # Sep
        (False, False, 0, False),  # Oct: free; 2.0 does not count towards entry
    ]


def test_it_counts_an_empty_month_as_not_over() -> None:
    # Entry: over, over, empty, over: the empty March breaks the run.
    assert states_2026(months_2026(35, 35, None, 35), last=4) == [
        (False, True, 1, False),
        (False, True, 2, False),
        (False, False, 0, False),  # Mar: no episodes
        (False, True, 1, False),
    ]
    # Exit: liable from April; April to June have no figures at all: free from July.
    assert states_2026(months_2026(35, 35, 35), last=7) == [
        (False, True, 1, False),
        (False, True, 2, False),
        (False, True, 0, True),
        (True, False, 1, False),  # Apr: empty
        (True, False, 2, False),  # May: empty
        (True, False, 0, True),  # Jun: empty, third month not over
        (False, False, 0, False),  # Jul: free
    ]


def test_it_uses_the_agreed_numbers_of_months() -> None:
    # enter after 2 over months, leave after 1 month not over
    assert states_2026(months_2026(35, 35, 35, 20, 35, 35), last=6, enter=2, exit_=1) == [
        (False, True, 1, False),  # Jan
        (False, True, 0, True),  # Feb: second over month
        (True, True, 0, False),  # Mar: liable; over keeps the exit run at 0
        (True, False, 0, True),  # Apr: one month not over is enough to leave
        (False, True, 1, False),  # May: free
        (False, True, 0, True),  # Jun: second over month, liable from July
    ]
    # enter after 1 over month: the first over month makes the next month liable
    assert states_2026(months_2026(20, 35, 20), last=3, enter=1, exit_=4) == [
        (False, False, 0, False),
        (False, True, 0, True),
        (True, False, 1, False),
    ]


def test_it_walks_a_year_month_by_month() -> None:
    # month  total/10  average  over  liable  streak  changes
    # Jan      35       3.5      yes   no       1
    # Feb      40       4.0      yes   no       2
    # Mar      30       3.0      no    no       0             (exactly 3.0 is not over)
    # Apr      32       3.2      yes   no       1
    # May      50       5.0      yes   no       2
    # Jun      31       3.1      yes   no       0      yes    (3rd over month in a row)
    # Jul      20       2.0      no    yes      1
    # Aug      35       3.5      yes   yes      0             (over breaks the exit run)
    # Sep      --       empty    no    yes      1
    # Oct      30       3.0      no    yes      2
    # Nov      10       1.0      no    yes      0      yes    (3rd month not over in a row)
    # Dec      40       4.0      yes   no       1
    figures = months_2026(35, 40, 30, 32, 50, 31, 20, 35, None, 30, 10, 40)
    assert states_2026(figures, last=12) == [
        (False, True, 1, False),
        (False, True, 2, False),
        (False, False, 0, False),
        (False, True, 1, False),
        (False, True, 2, False),
        (False, True, 0, True),
        (True, False, 1, False),
        (True, True, 0, False),
        (True, False, 1, False),
        (True, False, 2, False),
        (True, False, 0, True),
        (False, True, 1, False),
    ]


def test_it_gives_empty_months_zero_figures() -> None:
    [state] = liability_states(
        {},
        first_month=date(2026, 9, 1),
        last_month=date(2026, 9, 1),
        threshold=THREE,
        months_to_enter=3,
        months_to_exit=3,
    )
    assert state.figures == MonthFigures(date(2026, 9, 1), 0, 0, 0)


def test_it_ignores_months_before_the_first_month() -> None:
    # Over in Nov and Dec 2025, but the agreement starts in January: Jan is the first over month.
    figures = {
        date(2025, 11, 1): fig(date(2025, 11, 1), 40),
        date(2025, 12, 1): fig(date(2025, 12, 1), 40),
        **months_2026(40),
    }
    assert states_2026(figures, last=1) == [(False, True, 1, False)]


def test_it_refuses_a_month_range_that_runs_backwards() -> None:
    with pytest.raises(RuleError, match="before first_month"):
        liability_states(
            {},
            first_month=date(2026, 5, 1),
            last_month=date(2026, 4, 1),
            threshold=THREE,
            months_to_enter=3,
            months_to_exit=3,
        )


def test_it_refuses_figures_filed_under_another_month() -> None:
    with pytest.raises(RuleError, match="filed under"):
        liability_states(
            {date(2026, 1, 1): fig(date(2026, 2, 1), 40)},
            first_month=date(2026, 1, 1),
            last_month=date(2026, 3, 1),
            threshold=THREE,
            months_to_enter=3,
            months_to_exit=3,
        )


def test_it_iterates_months_across_a_year_boundary() -> None:
    assert month_start(date(2025, 11, 17)) == date(2025, 11, 1)
    assert list(iter_months(date(2025, 11, 17), date(2026, 2, 3))) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
    ]
    # the last month a date can hold: no successor is computed
    assert list(iter_months(date(9999, 11, 30), date(9999, 12, 31))) == [
        date(9999, 11, 1),
        date(9999, 12, 1),
    ]
