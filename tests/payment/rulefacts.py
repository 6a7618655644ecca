"""Shared facts for the hand-worked tables of payment.rules (test_rules_months.py,
test_rules_days.py).

Times in Europe/Stockholm (the ward's klockslag) or UTC, date ranges written out, a complete
episode by default, the two agreement models' terms and month figures from January 2026.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from payment.rules import EpisodeFacts, MonthFigures, Terms

STOCKHOLM = ZoneInfo("Europe/Stockholm")
THREE = Decimal("3.0")


def local(*args: int) -> datetime:
    """A Europe/Stockholm wall-clock time, as the ward's klockslag."""
    return datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def days(first: date, last: date) -> list[date]:
    """Every date from first to last inclusive, to write expected liable days out plainly."""
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def facts(
    ready: date | None = date(2026, 2, 10),
    discharge: date | None = date(2026, 2, 15),
    *,
    admission_notice_sent: bool = True,
    ready_notice_at: datetime | None = None,
    sip_needed: bool = False,
    sip_invitation_date: date | None = None,
) -> EpisodeFacts:
    """A complete episode by default: notices sent, ready notice at 09:00 local on the ready day."""
    if ready_notice_at is None and ready is not None:
        ready_notice_at = local(ready.year, ready.month, ready.day, 9, 0)
    return EpisodeFacts(
        ready_date=ready,
        discharge_date=discharge,
        admission_notice_sent=admission_notice_sent,
        ready_notice_at=ready_notice_at,
        sip_needed=sip_needed,
        sip_invitation_date=sip_invitation_date,
    )


AVERAGE_TERMS = Terms(model="kommun_average", first_month=date(2022, 1, 1))
# Jämtland-like terms: noon cut-off, liable from day 3 ("tredje eller fjärde dagen").
PER_EPISODE_TERMS = Terms(
    model="per_episode",
    first_month=date(2026, 1, 1),
    notice_cutoff=time(12, 0),
    liability_from_day=3,
)


def fig(month: date, total: int, episodes: int = 10) -> MonthFigures:
    # episodes_3plus does not enter R4; 0 keeps the tables short.
    return MonthFigures(month, episodes, total, 0)


def months_2026(*totals: int | None) -> dict[date, MonthFigures]:
    """Figures from January 2026 on, 10 episodes a month; None leaves the month empty."""
    return {
        date(2026, i, 1): fig(date(2026, i, 1), total)
        for i, total in enumerate(totals, start=1)
        if total is not None
    }
