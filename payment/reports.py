"""The payment report (fakturaunderlag): monthly figures, liability states and liable days per
kommun for one agreement, computed by the rule functions in payment.rules.

Figures come from R2's counts per kommun-month kept by the database
(``discharges.month_figures``), the states from ``rules.liability_states``, and liable days
from the rules applied to each discharged episode that can have days in the period.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.db.models.functions import TruncDate
from django.db.models.query import ValuesIterable

from discharges import month_figures
from discharges.clock import ZONE
from discharges.exports import neutralise
from discharges.models import Episode, Kommun
from payment import liable_sums, rules
from payment.models import Agreement, LiabilityModel

ALL = "all"
CARE_TYPES = ("somatik", "psykiatri")


class ReportError(Exception):
    """The report cannot be computed as asked (e.g. a year without a daily amount)."""


@dataclass
class Row:
    kommun: str
    care_type: str
    month: date
    episodes: int
    ready_days: int
    episodes_3plus: int
    state: str
    liable_days: int = 0
    amount_sek: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.episodes:
            return None
        return (Decimal(self.ready_days) / self.episodes).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        average = self.average
        return {
            "kommun": self.kommun,
            "care_type": self.care_type,
            "month": f"{self.month:%Y-%m}",
            "episodes": self.episodes,
            "ready_days": self.ready_days,
            "average": float(average) if average is not None else None,
            "episodes_3plus": self.episodes_3plus,
            "state": self.state,
            "liable_days": self.liable_days,
            "amount_sek": self.amount_sek,
        }


@dataclass
class EpisodeLine:
    pk: int
    episode_id: str
    kommun: str
    care_type: str
    ready_date: date
    discharge_date: date
    ready_days: int
    liable_dates: list[date]
    amount_sek: int
    prerequisites_missing: list[str]
    liability_start: date | None = None

    @property
    def liable_days(self) -> int:
        return len(self.liable_dates)

    def as_json(self) -> dict[str, Any]:
        return {
            "episode_id": self.episode_id,
            "kommun": self.kommun,
            "care_type": self.care_type,
            "ready_date": self.ready_date.isoformat(),
            "discharge_date": self.discharge_date.isoformat(),
            "ready_days": self.ready_days,
            "liable_days": self.liable_days,
            "amount_sek": self.amount_sek,
            "prerequisites_missing": self.prerequisites_missing,
        }


@dataclass
class Report:
    agreement: Agreement
    first: date
    last: date
    rows: list[Row]
    episodes: list[EpisodeLine]
    # (kommun, care type) -> the R4 states from the agreement's first month to ``last``.
    states: dict[tuple[str, str], list[rules.MonthState]] = field(default_factory=dict)
    # (kommun, care type, month) -> the liable days of the period's months by the episodes'
    # own care type, whether or not the agreement keeps care types apart (payment.monthly).
    care_type_days: dict[tuple[str, str, date], int] = field(default_factory=dict)

    def as_json(self, *, detail: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "agreement": self.agreement.name,
            "from": f"{self.first:%Y-%m}",
            "to": f"{self.last:%Y-%m}",
            "rows": [row.as_json() for row in self.rows],
        }
        if detail:
            data["episodes"] = [line.as_json() for line in self.episodes]
        return data

    def state_history(self, kommun: str, care_type: str, month: date) -> list[rules.MonthState]:
        """The states up to and including ``month``: why the month's state is what it is."""
        return [s for s in self.states.get((kommun, care_type), []) if s.month <= month]


# The months a report may cover: the act is from 2018; the bounds keep every computed date
# (a month's end, the next month) inside what Python's dates hold.
FIRST_MONTH = date(2000, 1, 1)
LAST_MONTH = date(2099, 12, 1)


def parse_month(value: str) -> date:
    try:
        year, month = value.split("-")
        parsed = date(int(year), int(month), 1)
    except (ValueError, OverflowError) as exc:
        raise ReportError(f"{value!r} is not a month (YYYY-MM)") from exc
    if not FIRST_MONTH <= parsed <= LAST_MONTH:
        raise ReportError(
            f"{value!r} is outside the months a report covers "
            f"({FIRST_MONTH:%Y-%m} to {LAST_MONTH:%Y-%m})"
        )
    return parsed


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _group(agreement: Agreement, care_type: str) -> str:
    return care_type if agreement.separate_care_types else ALL


def build_report(
    agreement: Agreement,
    first: date,
    last: date,
    *,
    kommun_codes: Iterable[str] | None = None,
    detail: bool = True,
) -> Report:
    """The report for months ``first``..``last`` (first days of months).

    ``kommun_codes`` narrows it to some kommuner (a kommun's own page); ``detail`` False
    leaves out the episode lines (the rows alone, the same figures). Raises ReportError
    for an empty range or a year with liable days but no daily amount.
    """
    if last < first:
        raise ReportError("--to is before --from")
    kommun_scope = Q(code__startswith=agreement.region.code)
    if kommun_codes is not None:
        kommun_scope &= Q(code__in=list(kommun_codes))
    c = _context(agreement, first, last, kommun_scope)
    # Liable days per episode (R5-R9).
    lines, per_month, care_type_days = _episode_lines(
        agreement, c.terms, first, last, c.scope, c.codes, c.liable_months, detail=detail
    )
    rows = [
        _row(agreement, kommun, group, month, c.figures, c.liable_months, per_month)
        for kommun in c.kommuner
        for group in c.groups
        for month in rules.iter_months(first, last)
    ]
    return Report(agreement, first, last, rows, lines, c.states, care_type_days)


@dataclass(frozen=True)
class _Context:
    """What every report of an agreement's kommuner starts from (R2-R4)."""

    terms: rules.Terms
    codes: dict[int, str]  # the kommuner with any episode: code by id
    kommuner: list[str]  # their codes, sorted
    scope: Q  # their episodes
    groups: list[str]
    figures: Figures
    states: States
    liable_months: LiableMonths


def _context(agreement: Agreement, first: date, last: date, kommun_scope: Q) -> _Context:
    terms = agreement.terms()
    # The kommuner with any episode: probed per kommun (an index lookup each), not read from
    # every episode of the region (Stockholm's 450,000 at 2,000,000 episodes; issue 15).
    codes: dict[int, str] = dict(
        Kommun.objects.filter(kommun_scope)
        .filter(Exists(Episode.objects.filter(kommun=OuterRef("pk"))))
        .values_list("pk", "code")
    )
    kommuner = sorted(codes.values())
    # By the kommuner's ids, not a join on their codes: the planner then estimates each
    # kommun's episodes from its statistics (the candidates of the liable days).
    scope = Q(kommun_id__in=list(codes))
    groups = [ALL] if not agreement.separate_care_types else sorted(CARE_TYPES)
    figures = _month_figures(agreement, min(first, terms.first_month), last, codes)
    states = _states(agreement, terms, last, kommuner, groups, figures)
    liable_months = {
        key: frozenset(s.month for s in history if s.liable) for key, history in states.items()
    }
    return _Context(terms, codes, kommuner, scope, groups, figures, states, liable_months)


def build_month_report(agreement: Agreement, kommun: str, month: date, last: date) -> Report:
    """One kommun-month as ``build_report(agreement, month, last, kommun_codes=[kommun])``
    gives it to the month page, reading only the episodes that can matter to the month: its
    ``rows`` are the month's (one per group), its ``episodes`` every episode discharged in the
    month or waiting in it (ready before its end, discharged from its first day on, whenever
    that is: R9), and its ``states`` run to ``last`` (the explanation of a line's later days).
    """
    if last < month:
        raise ReportError("--to is before --from")
    c = _context(agreement, month, last, Q(code=kommun))
    if not c.codes:  # as build_report: no rows, no states
        return Report(agreement, month, last, [], [], {})
    candidates = Episode.objects.filter(
        c.scope,
        discharge_date__isnull=False,
        ready_date__isnull=False,
        discharge_date__gte=month,
        ready_date__lte=_month_end(month),
    )
    lines, per_month, _care_type_days = _apply_rules(
        agreement, c.terms, month, month, candidates, c.codes, c.liable_months, _month_end(last)
    )
    rows = [
        _row(agreement, kommun, group, month, c.figures, c.liable_months, per_month)
        for group in c.groups
    ]
    return Report(agreement, month, last, rows, lines, c.states)


Figures = dict[tuple[str, str], dict[date, rules.MonthFigures]]
LiableMonths = liable_sums.LiableMonths
States = dict[tuple[str, str], list[rules.MonthState]]


def _month_figures(agreement: Agreement, start: date, last: date, codes: dict[int, str]) -> Figures:
    """Monthly figures (R2) per kommun and group, from the first month that matters."""
    figures: Figures = defaultdict(dict)
    # Stored per kommun-month by the database (discharges.month_figures): five years of a big
    # kommun are 60 rows per care type, not 175,000 episodes counted on every view.
    counts = month_figures.counts(codes, start, last)
    for (kommun_id, care_type, month), (episodes, ready_days, three_plus) in counts.items():
        key = (codes[kommun_id], _group(agreement, care_type))
        old = figures[key].get(month) or rules.MonthFigures(month, 0, 0, 0)
        figures[key][month] = rules.MonthFigures(
            month,
            old.episodes + episodes,
            old.ready_days + ready_days,
            old.episodes_3plus + three_plus,
        )
    return figures


def _states(
    agreement: Agreement,
    terms: rules.Terms,
    last: date,
    kommuner: list[str],
    groups: list[str],
    figures: Figures,
) -> States:
    """Liability states (R3, R4) per kommun and group; none under the per-episode model."""
    states: States = {}
    if agreement.model == LiabilityModel.KOMMUN_AVERAGE and last >= terms.first_month:
        for kommun in kommuner:
            for group in groups:
                states[(kommun, group)] = rules.liability_states(
                    figures.get((kommun, group), {}),
                    first_month=terms.first_month,
                    last_month=last,
                    threshold=terms.threshold_days,
                    months_to_enter=terms.months_to_enter,
                    months_to_exit=terms.months_to_exit,
                )
    return states


def _row(
    agreement: Agreement,
    kommun: str,
    group: str,
    month: date,
    figures: Figures,
    liable_months: LiableMonths,
    per_month: dict[tuple[str, str, date], tuple[int, int]],
) -> Row:
    fig = figures.get((kommun, group), {}).get(month) or rules.MonthFigures(month, 0, 0, 0)
    if agreement.model == LiabilityModel.PER_EPISODE:
        state = "per_episode"
    else:
        state = "liable" if month in liable_months.get((kommun, group), ()) else "free"
    days, amount = per_month.get((kommun, group, month), (0, 0))
    return Row(
        kommun=kommun,
        care_type=group,
        month=month,
        episodes=fig.episodes,
        ready_days=fig.ready_days,
        episodes_3plus=fig.episodes_3plus,
        state=state,
        liable_days=days,
        amount_sek=amount,
    )


Lines = list[EpisodeLine]
PerMonth = dict[tuple[str, str, date], tuple[int, int]]
# (kommun, the episodes' care type, month) -> liable days.
CareTypeDays = dict[tuple[str, str, date], int]

EPISODE_VALUES = (
    "pk",
    "external_id",
    "kommun_id",
    "care_type",
    "ready_date",
    "discharge_date",
    "ready_notice_at",
    "sip_needed",
)
# Read as the rules need them, computed by the database: whether the admission notice was
# sent, and the local date of the SIP invitation (two times fewer to load per episode).
EPISODE_FACTS = {
    "admission_notice_sent": ExpressionWrapper(
        Q(admission_notice_at__isnull=False), output_field=BooleanField()
    ),
    "sip_invitation_day": TruncDate("sip_invitation_at", tzinfo=ZONE),
}


def _episode_lines(
    agreement: Agreement,
    terms: rules.Terms,
    first: date,
    last: date,
    scope: Q,
    codes: dict[int, str],
    liable_months: LiableMonths,
    *,
    detail: bool = True,
) -> tuple[Lines, PerMonth, CareTypeDays]:
    """Episodes discharged in the period (the detail) and the liable days and amounts falling
    in each month of the period (R9), which may come from episodes discharged later."""
    period_end = _month_end(last)
    if not detail and liable_sums.available():
        return [], *_summed(agreement, terms, first, last, period_end, codes, liable_months)
    candidates = (
        Episode.objects.filter(scope)
        .filter(discharge_date__isnull=False, ready_date__isnull=False)
        .filter(discharge_date__gte=first, ready_date__lt=period_end)
    )
    return _apply_rules(
        agreement,
        terms,
        first,
        last,
        candidates,
        codes,
        liable_months,
        period_end,
        keep_lines=detail,
    )


def _summed(
    agreement: Agreement,
    terms: rules.Terms,
    first: date,
    last: date,
    period_end: date,
    codes: dict[int, str],
    liable_months: LiableMonths,
) -> tuple[PerMonth, CareTypeDays]:
    """The liable days and amounts per kommun, group and month summed by the database
    (payment.liable_sums), and the days by care type: what ``_apply_rules`` gives without
    lines, and the same error for a year without a daily amount."""
    sums = liable_sums.liable_day_sums(
        terms,
        separate_care_types=agreement.separate_care_types,
        first=first,
        last=last,
        period_end=period_end,
        codes=codes,
        liable_months=liable_months,
    )
    # A day of each year: the ReportError of the first year without a daily amount.
    _priced(agreement, rules.amount_sek, [date(year, 1, 1) for year in sorted(sums.years)], terms)
    per_month: dict[tuple[str, str, date], list[int]] = defaultdict(lambda: [0, 0])
    for (kommun, care_type, month), days in sums.by_care_type.items():
        bucket = per_month[(kommun, _group(agreement, care_type), month)]
        bucket[0] += days
        bucket[1] += days * terms.daily_amounts[month.year]
    return {key: (v[0], v[1]) for key, v in per_month.items()}, sums.by_care_type


def _apply_rules(
    agreement: Agreement,
    terms: rules.Terms,
    first: date,
    last: date,
    candidates: Any,
    codes: dict[int, str],
    liable_months: LiableMonths,
    lines_until: date,
    *,
    keep_lines: bool = True,
) -> tuple[Lines, PerMonth, CareTypeDays]:
    """R5-R9 on every candidate episode: the liable days and amounts per kommun, group and
    month of ``first``..``last``, and a line for each episode discharged by ``lines_until``
    (``keep_lines`` False: the lines are priced, so that a year without an amount is the same
    error, but not kept)."""
    period_end = _month_end(last)
    lines: list[EpisodeLine] = []
    per_month: dict[tuple[str, str, date], list[int]] = defaultdict(lambda: [0, 0])
    care_type_days: CareTypeDays = defaultdict(int)
    # Read from a client-side cursor, a chunk at a time: ``.iterator()``'s server-side cursor
    # (a round trip per chunk, a plan made for the first rows) made a region's year of
    # episodes take ~0.8 s longer to read (issue 15).
    values = candidates.annotate(**EPISODE_FACTS).values(*EPISODE_VALUES, *EPISODE_FACTS)
    for ep in ValuesIterable(values, chunk_size=5000):
        ep["kommun__code"] = codes[ep["kommun_id"]]
        facts = rules.EpisodeFacts(
            ready_date=ep["ready_date"],
            discharge_date=ep["discharge_date"],
            admission_notice_sent=bool(ep["admission_notice_sent"]),
            ready_notice_at=ep["ready_notice_at"],
            sip_needed=bool(ep["sip_needed"]),
            sip_invitation_date=ep["sip_invitation_day"],
        )
        group = _group(agreement, ep["care_type"])
        dates = rules.liable_days(
            facts, terms, liable_months.get((ep["kommun__code"], group), frozenset())
        )
        # ``first`` is a month's first day: the same as first <= month_start(d) <= last.
        in_period = [d for d in dates if first <= d <= period_end]
        if in_period:
            amounts = _priced(agreement, rules.amount_per_month, in_period, terms)
            for month, count in rules.count_per_month(in_period).items():
                bucket = per_month[(ep["kommun__code"], group, month)]
                bucket[0] += count
                bucket[1] += amounts[month]
                care_type_days[(ep["kommun__code"], ep["care_type"], month)] += count
        if cast(date, ep["discharge_date"]) <= lines_until:
            if keep_lines:
                lines.append(_line(agreement, terms, ep, facts, dates))
            elif dates:
                _priced(agreement, rules.amount_sek, dates, terms)
    lines.sort(key=lambda line: line.episode_id)
    return lines, {key: (v[0], v[1]) for key, v in per_month.items()}, dict(care_type_days)


def _line(
    agreement: Agreement,
    terms: rules.Terms,
    ep: dict[str, Any],
    facts: rules.EpisodeFacts,
    dates: list[date],
) -> EpisodeLine:
    ready_date, discharge_date = cast(date, ep["ready_date"]), cast(date, ep["discharge_date"])
    start = (
        rules.liability_start(ep["ready_notice_at"], terms)
        if agreement.model == LiabilityModel.PER_EPISODE and ep["ready_notice_at"]
        else None
    )
    return EpisodeLine(
        pk=ep["pk"],
        episode_id=ep["external_id"] or f"SVU-{ep['pk']}",
        kommun=ep["kommun__code"],
        care_type=ep["care_type"],
        ready_date=ready_date,
        discharge_date=discharge_date,
        ready_days=rules.ready_days(ready_date, discharge_date),
        liable_dates=dates,
        amount_sek=_priced(agreement, rules.amount_sek, dates, terms) if dates else 0,
        prerequisites_missing=rules.prerequisites_missing(facts, terms),
        liability_start=start,
    )


def _priced(agreement: Agreement, price: Any, days: list[date], terms: rules.Terms) -> Any:
    """``price(days, daily_amounts)``; a year without an amount is a ReportError naming it."""
    try:
        return price(days, terms.daily_amounts)
    except rules.MissingDailyAmount as exc:
        raise ReportError(f"agreement {agreement.name} has no daily amount for {exc.year}") from exc


ROW_COLUMNS = (
    "kommun", "care_type", "month", "episodes", "ready_days", "average", "episodes_3plus",
    "state", "liable_days", "amount_sek",
)  # fmt: skip
EPISODE_COLUMNS = (
    "episode_id", "kommun", "care_type", "ready_date", "discharge_date", "ready_days",
    "liable_days", "amount_sek", "prerequisites_missing",
)  # fmt: skip


def _csv(columns: tuple[str, ...], records: Iterable[dict[str, Any]]) -> str:
    """CSV safe to open in a spreadsheet: a text cell that would run as a formula gets a
    leading ``'`` (numbers stay numbers), and lines end in CRLF (RFC 4180), so that a carriage
    return inside a cell is quoted instead of starting a new row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for data in records:
        writer.writerow([_cell(data[c]) for c in columns])
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def rows_csv(rows: Iterable[Row]) -> str:
    """The monthly rows (fakturaunderlag); an empty cell where the JSON has null."""
    return _csv(ROW_COLUMNS, (row.as_json() for row in rows))


def episodes_csv(lines: Iterable[EpisodeLine]) -> str:
    """The episodes behind the rows; missing prerequisites separated by spaces."""
    return _csv(
        EPISODE_COLUMNS,
        (
            {**line.as_json(), "prerequisites_missing": " ".join(line.prerequisites_missing)}
            for line in lines
        ),
    )
