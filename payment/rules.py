"""Payment liability rules (betalningsansvar) R1-R9 of DOMAIN.md, free of Django and the ORM.

Callers load episodes and the agreement and hand over plain values; these functions only compute.
Every number (threshold, months in and out, cut-off, daily amounts) comes in through `Terms` or an
argument, never from a constant here. Bad input raises `RuleError` rather than producing a
plausible-looking but wrong liability.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, localcontext
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MODELS = ("kommun_average", "per_episode")
PREREQUISITES = ("admission_notice", "ready_notice", "sip_invitation")

# R2 defines the "3 or more ready days" report column; it is a statistic, not an agreement term.
_LONG_WAIT_DAYS = 3
# R7: without an agreed day the law makes the kommun liable from the third day.
DEFAULT_LIABILITY_FROM_DAY = 3


class RuleError(ValueError):
    """The input breaks a contract of this module; nothing was computed."""


class MissingDailyAmount(RuleError):
    """The agreement has no daily amount for a year in which a liable day falls."""

    def __init__(self, year: int) -> None:
        # `year` as the only arg keeps the exception picklable (Celery results, multiprocessing).
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        return f"no daily amount for year {self.year}"


def _require_date(value: object, name: str) -> date:
    if type(value) is date:  # the common case, first: a region's report checks ~500,000
        return value
    # datetime is a subclass of date; letting one through would mix clock times into day counts.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RuleError(f"{name} must be a date, not {type(value).__name__}")
    return value


def _require_month(value: object, name: str) -> date:
    checked = _require_date(value, name)
    if checked.day != 1:
        raise RuleError(f"{name} must be the first day of a month, got {checked}")
    return checked


def _require_count(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _require_aware(value: object, name: str) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise RuleError(f"{name} must be a timezone-aware datetime")
    return value


def _exact_ratio(threshold: Decimal | int) -> tuple[int, int]:
    """Return the threshold as an exact integer fraction; floats are refused as inexact."""
    if isinstance(threshold, bool) or not isinstance(threshold, Decimal | int):
        raise RuleError(f"threshold must be a Decimal, not {type(threshold).__name__}")
    if isinstance(threshold, Decimal) and not threshold.is_finite():
        raise RuleError("threshold must be finite")
    if threshold < 0:
        raise RuleError("threshold must not be negative")
    return threshold.as_integer_ratio()


def ready_days(ready_date: date, discharge_date: date) -> int:
    """R1: calendar days from ready date to discharge date (same day = 0).

    Raises RuleError when the discharge is before the ready date or either value is not a date.
    """
    _require_date(ready_date, "ready_date")
    _require_date(discharge_date, "discharge_date")
    if discharge_date < ready_date:
        raise RuleError(f"discharge date {discharge_date} is before ready date {ready_date}")
    return (discharge_date - ready_date).days


@dataclass(frozen=True)
class MonthFigures:
    """R2: one month's figures for one kommun (and care type, where kept apart)."""

    month: date
    episodes: int
    ready_days: int
    episodes_3plus: int

    def __post_init__(self) -> None:
        _require_month(self.month, "month")
        _require_count(self.episodes, "episodes", 0)
        _require_count(self.ready_days, "ready_days", 0)
        _require_count(self.episodes_3plus, "episodes_3plus", 0)
        if self.episodes_3plus > self.episodes or (self.episodes == 0 and self.ready_days):
            raise RuleError(f"inconsistent figures for {self.month}")

    @property
    def average(self) -> Decimal | None:
        """ready_days / episodes, not rounded to any number of decimals; None without episodes.

        Exact whenever the quotient terminates within 28 significant digits (e.g. 3.01); a
        repeating quotient (10/3) is cut there. For display only: `is_over` never uses it.
        """
        if self.episodes == 0:
            return None
        # A fixed context so the result does not depend on the caller's thread-local context.
        with localcontext(prec=28):
            return Decimal(self.ready_days) / Decimal(self.episodes)


def month_figures(month: date, ready_days_list: Iterable[int]) -> MonthFigures:
    """R2: figures for `month` from the ready days of the episodes discharged in it."""
    values = [_require_count(v, "ready days", 0) for v in ready_days_list]
    return MonthFigures(
        month=month,
        episodes=len(values),
        ready_days=sum(values),
        episodes_3plus=sum(1 for v in values if v >= _LONG_WAIT_DAYS),
    )


def is_over(figures: MonthFigures | None, threshold: Decimal) -> bool:
    """R3: True when the month's average is strictly above `threshold`.

    Compared in integers (ready_days * q > p * episodes for threshold = p/q), so 300/100 against
    3.0 is not over and 301/100 is. No figures or no episodes: not over.
    """
    numerator, denominator = _exact_ratio(threshold)
    if figures is None or figures.episodes == 0:
        return False
    return figures.ready_days * denominator > numerator * figures.episodes


def month_start(d: date) -> date:
    """The first day of the month of `d`."""
    return _require_date(d, "d").replace(day=1)


def iter_months(first: date, last: date) -> Iterator[date]:
    """First days of the months from the month of `first` to that of `last`, both inclusive."""
    month, end = month_start(first), month_start(last)
    while month <= end:
        yield month
        if month == end:  # stop before computing a successor that may not exist (9999-12)
            return
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class MonthState:
    """R4: the liability state of one month and how the run of months stands after it."""

    month: date
    liable: bool
    over: bool
    figures: MonthFigures
    streak: int
    changes_next_month: bool


def liability_states(
    figures: Mapping[date, MonthFigures],
    *,
    first_month: date,
    last_month: date,
    threshold: Decimal,
    months_to_enter: int,
    months_to_exit: int,
) -> list[MonthState]:
    """R4: one state per month from `first_month` to `last_month` inclusive, in order.

    The kommun is free in `first_month`; earlier months are never looked at. `figures` is keyed
    by first days of months; absent months are empty, hence not over. `streak` is the run towards
    the next transition, 0 in the month that completes it (which has `changes_next_month`).
    Raises RuleError for months not on a first day, last_month < first_month, or bad terms.
    """
    _require_month(first_month, "first_month")
    _require_month(last_month, "last_month")
    if last_month < first_month:
        raise RuleError(f"last_month {last_month} is before first_month {first_month}")
    _require_count(months_to_enter, "months_to_enter", 1)
    _require_count(months_to_exit, "months_to_exit", 1)
    _exact_ratio(threshold)
    for key, month_figs in figures.items():
        if month_figs.month != key:
            raise RuleError(f"figures for {month_figs.month} are filed under {key}")

    states: list[MonthState] = []
    liable, streak = False, 0
    for month in iter_months(first_month, last_month):
        month_figs = figures.get(month) or MonthFigures(month, 0, 0, 0)
        over = is_over(month_figs, threshold)
        # A month of the other kind breaks the run: the rule asks for consecutive months.
        counts = (not over) if liable else over
        streak = streak + 1 if counts else 0
        changes = streak >= (months_to_exit if liable else months_to_enter)
        if changes:
            streak = 0
        states.append(MonthState(month, liable, over, month_figs, streak, changes))
        if changes:
            liable = not liable
    return states


@dataclass(frozen=True)
class EpisodeFacts:
    """What the rules need to know about one episode.

    `ready_notice_at` must be timezone-aware; `sip_invitation_date` is the local
    (Europe/Stockholm) date the invitation was sent. Raises RuleError when discharge_date is
    before ready_date.
    """

    ready_date: date | None
    discharge_date: date | None
    admission_notice_sent: bool
    ready_notice_at: datetime | None
    sip_needed: bool
    sip_invitation_date: date | None

    def __post_init__(self) -> None:
        ready, discharge = self.ready_date, self.discharge_date
        if ready is not None:
            _require_date(ready, "ready_date")
        if discharge is not None:
            _require_date(discharge, "discharge_date")
        if self.sip_invitation_date is not None:
            _require_date(self.sip_invitation_date, "sip_invitation_date")
        if ready is not None and discharge is not None and discharge < ready:
            ready_days(ready, discharge)  # raises, naming both
        if self.ready_notice_at is not None:
            _require_aware(self.ready_notice_at, "ready_notice_at")


@dataclass(frozen=True)
class Terms:
    """The liability terms of one agreement (överenskommelse).

    `notice_cutoff` and `liability_from_day` belong to the per_episode model and must be None
    for kommun_average. `daily_amounts` (year -> SEK per day) is copied into a read-only mapping.
    Raises RuleError for any value the rules cannot apply.
    """

    model: str
    first_month: date
    threshold_days: Decimal = Decimal("3.0")
    months_to_enter: int = 3
    months_to_exit: int = 3
    sip_invitation_required: bool = True
    sip_invitation_days: int = 3
    notice_cutoff: time | None = None
    liability_from_day: int | None = None
    daily_amounts: Mapping[int, int] = field(default_factory=dict)
    timezone: str = "Europe/Stockholm"

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise RuleError(f"unknown liability model {self.model!r}")
        _require_month(self.first_month, "first_month")
        _exact_ratio(self.threshold_days)
        _require_count(self.months_to_enter, "months_to_enter", 1)
        _require_count(self.months_to_exit, "months_to_exit", 1)
        _require_count(self.sip_invitation_days, "sip_invitation_days", 0)
        if self.model != "per_episode" and (
            self.notice_cutoff is not None or self.liability_from_day is not None
        ):
            raise RuleError("notice_cutoff and liability_from_day apply to per_episode only")
        if self.notice_cutoff is not None and (
            not isinstance(self.notice_cutoff, time) or self.notice_cutoff.tzinfo is not None
        ):
            raise RuleError("notice_cutoff must be a naive local time")
        if self.liability_from_day is not None:
            _require_count(self.liability_from_day, "liability_from_day", 1)
        for year, amount in self.daily_amounts.items():
            _require_count(year, "year", 1)
            _require_count(amount, f"daily amount for {year}", 0)
        object.__setattr__(self, "daily_amounts", MappingProxyType(dict(self.daily_amounts)))
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
            raise RuleError(f"unknown timezone {self.timezone!r}") from exc


def sip_invitation_in_time(ready_date: date, invitation_date: date | None, days: int) -> bool:
    """True when the invitation was sent no later than ready_date + `days` calendar days.

    With days=3 and ready date 10 Feb: 13 Feb is in time, 14 Feb is late. No invitation: False.
    An invitation sent before the ready date is in time.
    """
    _require_count(days, "days", 0)
    if invitation_date is None:
        return False
    return invitation_date <= ready_date + timedelta(days=days)


def prerequisites_missing(facts: EpisodeFacts, terms: Terms) -> list[str]:
    """R5: the prerequisites this episode misses, in PREREQUISITES order; [] when none.

    "sip_invitation" is checked only when the agreement requires it and the episode needs a
    SIP. Without a ready date lateness cannot be judged, so only a missing invitation counts.
    """
    missing: list[str] = []
    if not facts.admission_notice_sent:
        missing.append("admission_notice")
    if facts.ready_notice_at is None:
        missing.append("ready_notice")
    if terms.sip_invitation_required and facts.sip_needed:
        if facts.ready_date is None:
            in_time = facts.sip_invitation_date is not None
        else:
            in_time = sip_invitation_in_time(
                facts.ready_date, facts.sip_invitation_date, terms.sip_invitation_days
            )
        if not in_time:
            missing.append("sip_invitation")
    return missing


def waiting_days(facts: EpisodeFacts) -> list[date]:
    """The days d with ready_date < d <= discharge_date, in order; [] unless both are set."""
    if facts.ready_date is None or facts.discharge_date is None:
        return []
    count = ready_days(facts.ready_date, facts.discharge_date)
    return [facts.ready_date + timedelta(days=i) for i in range(1, count + 1)]


def liable_days_kommun_average(
    facts: EpisodeFacts, terms: Terms, liable_months: Collection[date]
) -> list[date]:
    """R6: waiting days that fall in a liable month, never before terms.first_month.

    `liable_months` holds first days of the months in which the episode's kommun (and care
    type) is liable, as from `liability_states`. [] when a prerequisite (R5) is missing.
    """
    if terms.model != "kommun_average":
        raise RuleError(f"terms are for the {terms.model} model")
    months = _liable_month_set(
        liable_months if isinstance(liable_months, frozenset) else frozenset(liable_months)
    )
    if not months or prerequisites_missing(facts, terms):
        return []
    first = terms.first_month
    # The waiting days are dates (checked by waiting_days): their month without month_start's
    # check, which a region's report would make ~100,000 times.
    return [d for d in waiting_days(facts) if d >= first and d.replace(day=1) in months]


@lru_cache(maxsize=256)
def _liable_month_set(months: frozenset[date]) -> frozenset[date]:
    """``months`` once checked (first days of months): a report passes the same kommun's set
    for each of its episodes."""
    for month in months:
        _require_month(month, "liable month")
    return months


def liability_start(ready_notice_at: datetime, terms: Terms) -> date:
    """R7: the first date on which the kommun can be liable for an episode.

    Day 1 is the notice's local date (in terms.timezone) when its local clock time, to the minute,
    is at or before terms.notice_cutoff, else the following day; without a cut-off it is the
    local date. The start is day `liability_from_day` (3 when None).
    """
    local = _require_aware(ready_notice_at, "ready_notice_at").astimezone(ZoneInfo(terms.timezone))
    day_one = local.date()
    if terms.notice_cutoff is not None:
        # The klockslag on a notice is read to the minute: 12:00:59 is "12:00".
        clock = local.time().replace(second=0, microsecond=0)
        if clock > terms.notice_cutoff:
            day_one += timedelta(days=1)
    from_day = terms.liability_from_day
    if from_day is None:
        from_day = DEFAULT_LIABILITY_FROM_DAY
    return day_one + timedelta(days=from_day - 1)


def liable_days_per_episode(facts: EpisodeFacts, terms: Terms) -> list[date]:
    """R7: waiting days from `liability_start` and terms.first_month on; [] if R5 fails."""
    if terms.model != "per_episode":
        raise RuleError(f"terms are for the {terms.model} model")
    if facts.ready_notice_at is None or prerequisites_missing(facts, terms):
        return []
    start = max(liability_start(facts.ready_notice_at, terms), terms.first_month)
    return [d for d in waiting_days(facts) if d >= start]


def liable_days(
    facts: EpisodeFacts, terms: Terms, liable_months: Collection[date] = ()
) -> list[date]:
    """The episode's liable days under terms.model; `liable_months` is used by kommun_average."""
    if terms.model == "per_episode":
        return liable_days_per_episode(facts, terms)
    return liable_days_kommun_average(facts, terms, liable_months)


def _daily_amount(year: int, daily_amounts: Mapping[int, int]) -> int:
    try:
        return daily_amounts[year]
    except KeyError:
        raise MissingDailyAmount(year) from None


def amount_sek(days: Iterable[date], daily_amounts: Mapping[int, int]) -> int:
    """R8: the sum of each day's daily amount for its year, in SEK; MissingDailyAmount if none."""
    return sum(_daily_amount(d.year, daily_amounts) for d in days)


def count_per_month(days: Iterable[date]) -> dict[date, int]:
    """R9: number of days per month (first day of month), months in ascending order."""
    counts = Counter(month_start(d) for d in days)
    return dict(sorted(counts.items()))


def amount_per_month(days: Iterable[date], daily_amounts: Mapping[int, int]) -> dict[date, int]:
    """R9: SEK per month (first day of month), ascending; raises like `amount_sek`."""
    totals: Counter[date] = Counter()
    for d in days:
        totals[month_start(d)] += _daily_amount(d.year, daily_amounts)
    return dict(sorted(totals.items()))
