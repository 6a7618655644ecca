"""What the follow-up pages read: the stored monthly statistics and liability of the kommuner
in scope for a period and care type, in a fixed number of queries whatever their number, and
who may see which figure (``Viewer``).

Reads (``load``): the statistics rows (one query), their sums by kommun and by month (one: the
database adds them up), the liability rows and their sums by kommun (two), the agreements of
the regions (one, for the thresholds) and the population aged 65+ (one). Nothing is computed
from episodes here: the statistics run stored both tables (``analysis.statistics``).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Count, IntegerField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear

from analysis.models import MonthlyStatistic
from analysis.numbers import ratio, share
from analysis.queries import Query
from discharges.models import Kommun, KommunPopulation
from discharges.population import population_year
from discharges.selectors import follow_up_scope, small_number_scope
from payment.models import Agreement, LiabilityModel, LiabilityState, MonthlyLiability

DEFAULT_THRESHOLD = Decimal("3.0")


@dataclass(slots=True)  # a page makes thousands
class Counts:
    """The stored counts of one kommun-month, or their sum over months or kommuner."""

    episodes: int = 0
    ready_days: int = 0
    episodes_3plus: int = 0
    same_day: int = 0
    episodes_1plus: int = 0
    named_contact: int = 0
    sip_needed: int = 0
    sip_invited_in_time: int = 0
    sip_held: int = 0
    preliminary_known: int = 0
    preliminary_accurate: int = 0
    preliminary_changes: int = 0
    admission_notice_late: int = 0
    track_green: int = 0
    track_yellow: int = 0
    track_red: int = 0
    track_blue: int = 0

    def add(self, other: Counts) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def average(self) -> Decimal | None:
        """R2: ready days / episodes, same-day discharges included (the agreement's)."""
        return ratio(self.ready_days, self.episodes)

    @property
    def national_average(self) -> Decimal | None:
        """Väntetider i vården: only episodes with at least 1 ready day."""
        return ratio(self.ready_days, self.episodes_1plus)

    def over(self, threshold: Decimal) -> bool:
        """R3 on the exact ratio, never the rounded figure: ready_days / episodes > p / q."""
        p, q = threshold.as_integer_ratio()
        return bool(self.episodes) and self.ready_days * q > p * self.episodes

    @property
    def same_day_share(self) -> Decimal | None:
        return share(self.same_day, self.episodes)

    @property
    def named_contact_share(self) -> Decimal | None:
        return share(self.named_contact, self.episodes)

    @property
    def sip_in_time_share(self) -> Decimal | None:
        return share(self.sip_invited_in_time, self.sip_needed)

    @property
    def preliminary_accuracy(self) -> Decimal | None:
        return share(self.preliminary_accurate, self.preliminary_known)

    @property
    def changes_average(self) -> Decimal | None:
        return ratio(self.preliminary_changes, self.episodes)

    @property
    def tracked(self) -> int:
        return self.track_green + self.track_yellow + self.track_red + self.track_blue


# The stored counts, in the order of the statistics' columns (a test checks they mirror
# discharges.aggregates.COUNTS, the columns the statistics run stores).
COUNT_FIELDS = tuple(f.name for f in fields(Counts))


@dataclass(slots=True)
class Liability:
    """A kommun's liability in a month (or summed over months)."""

    state: str | None = None  # a LiabilityState; None: no agreement covers the month
    liable_days: int = 0
    amount_sek: int = 0
    liable_months: int = 0


def days_in(months: list[date]) -> int:
    return sum(_month_days(m) for m in months)


@functools.lru_cache(maxsize=2048)
def _month_days(month: date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def beds_occupied(ready_days: int, months: list[date]) -> Decimal | None:
    """Beds occupied by ready patients on average: ready days / calendar days of the period."""
    return ratio(ready_days, days_in(months)) if months else None


@dataclass(frozen=True)
class Viewer:
    """Who looks: which kommuner's small numbers and liability the user may see."""

    threshold: int
    exempt_kommuner: frozenset[int]
    exempt_regions: frozenset[str]
    liability_kommuner: frozenset[int]
    liability_regions: frozenset[str]

    def hides(self, kommun: Kommun, base: int) -> bool:
        """Whether a figure built on ``base`` episodes is shown as "<5" to this user."""
        if not 0 < base < self.threshold:
            return False
        # organisation_ptr_id is the primary key, read without Model.pk's lookup (once per cell).
        return (
            kommun.organisation_ptr_id not in self.exempt_kommuner
            and kommun.code[:2] not in self.exempt_regions
        )

    def sees_liability(self, kommun: Kommun) -> bool:
        return (
            kommun.organisation_ptr_id in self.liability_kommuner
            or kommun.code[:2] in self.liability_regions
        )

    @property
    def hidden_text(self) -> str:
        return f"<{self.threshold}"


def viewer_for(user: User) -> Viewer:
    exempt_ids, exempt_regions = small_number_scope(user)
    liability_ids, liability_regions = follow_up_scope(user, liability=True)
    return Viewer(
        threshold=settings.SVU_SMALL_NUMBER_THRESHOLD,
        exempt_kommuner=frozenset(exempt_ids),
        exempt_regions=frozenset(exempt_regions),
        liability_kommuner=frozenset(liability_ids),
        liability_regions=frozenset(liability_regions),
    )


MonthKey = tuple[str, date]  # (kommun code, month)


@dataclass
class Data:
    """The stored rows of the period, keyed by (kommun id, month)."""

    kommuner: list[Kommun]
    query: Query
    counts: dict[MonthKey, Counts] = field(default_factory=dict)
    medians: dict[MonthKey, Decimal | None] = field(default_factory=dict)
    liability: dict[MonthKey, Liability] = field(default_factory=dict)
    population: dict[tuple[str, int], int] = field(default_factory=dict)  # (code, year)
    thresholds: dict[str, Decimal] = field(default_factory=dict)  # region code -> threshold
    agreements: dict[str, Agreement] = field(default_factory=dict)  # region code -> latest
    computed_at: datetime | None = None
    # The database's sums: over the period by kommun code, over the kommuner by month.
    kommun_totals: dict[str, Counts] = field(default_factory=dict)
    month_totals: dict[date, Counts] = field(default_factory=dict)
    # Ready days by (kommun code, population year), for the per-1,000 figure of the period.
    days_by_year: dict[tuple[str, int], int] = field(default_factory=dict)
    period_liabilities: dict[str, Liability] = field(default_factory=dict)  # per kommun code
    region_thousands: dict[date, Decimal | None] = field(default_factory=dict)  # per month

    def threshold(self, kommun: Kommun) -> Decimal:
        return self.thresholds.get(kommun.code[:2], DEFAULT_THRESHOLD)

    def month(self, kommun: Kommun, month: date) -> Counts | None:
        return self.counts.get((kommun.code, month))

    def inhabitants(self, kommun: Kommun, month: date) -> int | None:
        """The population aged 65+ a month's ready days are divided by (None: not known)."""
        return self.population.get((kommun.code, population_year(month.year)))

    def per_thousand(self, kommun: Kommun, months: list[date]) -> Decimal | None:
        """Ready days per 1,000 inhabitants aged 65+ and month: each month's ready days divided
        by its own year's population, averaged over ``months`` (so that periods of any length
        compare); None unless the population of every month is known."""
        if months is self.query.months:  # the whole period: summed while loading
            days_by_year = {
                year: self.days_by_year.get((kommun.code, year), 0)
                for year in {population_year(m.year) for m in months}
            }
        else:
            days_by_year = {}
            for month in months:
                year = population_year(month.year)
                counts = self.month(kommun, month)
                days = counts.ready_days if counts else 0
                days_by_year[year] = days_by_year.get(year, 0) + days
        total = Fraction(0)
        for year, days in days_by_year.items():
            inhabitants = self.population.get((kommun.code, year))
            if inhabitants is None:
                return None
            total += Fraction(days * 1000, inhabitants)
        return _decimal(total / len(months)) if months else None

    def is_per_episode(self, kommun: Kommun) -> bool:
        agreement = self.agreements.get(kommun.code[:2])
        return agreement is not None and agreement.model == LiabilityModel.PER_EPISODE


def _decimal(value: Fraction) -> Decimal:
    return ratio(value.numerator, value.denominator) or Decimal(0)


# What the overview shows of the kommuner; the kommun page reads every stored count.
OVERVIEW_FIELDS = ("episodes", "ready_days", "episodes_3plus", "same_day", "episodes_1plus")
# What the overview shows of each kommun-month (the heat map and the trends: the average).
CELL_FIELDS = ("episodes", "ready_days")

# The groups of the statistics' sums (``_load_sums``).
_BY_KOMMUN_YEAR, _BY_MONTH = 0, 1


def load(
    kommuner: list[Kommun],
    query: Query,
    *,
    fields: tuple[str, ...] = COUNT_FIELDS,
    cell_fields: tuple[str, ...] | None = None,
    free_cells: bool = True,
) -> Data:
    """The period's stored rows of ``kommuner`` and their sums, in a fixed number of queries
    whatever their number: each kommun-month's ``cell_fields`` (default ``fields``), and the
    sums of ``fields`` over the months of each kommun and over the kommuner of each month,
    added up by the database (``_load_sums``); the liability likewise. The counts not read
    read 0: the overview needs five, and two of each kommun-month. ``free_cells=False``: the
    liability of the months that are not free only (the overview shades the liable ones).

    The kommuner are filtered by their ids (a subquery of the scope instead made PostgreSQL
    hash-join the kommun table: twice the execution time at 290 kommuner)."""
    data = Data(kommuner=kommuner, query=query)
    code_of = {k.organisation_ptr_id: k.code for k in kommuner}
    period = {"kommun_id__in": list(code_of), "month__gte": query.first, "month__lte": query.last}
    # Unordered: the models' ordering would join the kommun table and sort, for nothing.
    stats = MonthlyStatistic.objects.filter(care_type=query.care_type, **period).order_by()
    cells = cell_fields or fields
    # The counts read are the first of COUNT_FIELDS, in order: a row's tuple is short.
    for names in (fields, cells):
        assert names[:2] == COUNT_FIELDS[:2] and names == COUNT_FIELDS[: len(names)]  # noqa: S101
    # Months come as numbers (year * 12 + month - 1), read by psycopg in C, not as dates
    # through the project's clamping date loader (discharges/db.py), 7,500 a country's page.
    month_of = {m.year * 12 + m.month - 1: m for m in query.months}
    index = ExtractYear("month") * 12 + ExtractMonth("month") - 1
    rows = stats.annotate(index=index).values_list("kommun_id", "index", "sip_days_median", *cells)
    for kommun_id, number, median, *values in rows:
        key = (code_of[kommun_id], month_of[number])
        data.counts[key] = Counts(*values)
        if median is not None:
            data.medians[key] = median
    _load_sums(data, stats, fields, code_of, month_of)
    # One run stores every row at once: any row tells when.
    data.computed_at = next(
        iter(MonthlyStatistic.objects.order_by().values_list("computed_at", flat=True)[:1]), None
    )
    liabilities = MonthlyLiability.objects.filter(care_type=query.care_type, **period).order_by()
    _load_liability(data, liabilities, code_of, month_of, free_cells=free_cells)
    _load_terms(data, kommuner, code_of)
    return data


def _load_sums(
    data: Data,
    stats: QuerySet[MonthlyStatistic],
    fields: tuple[str, ...],
    code_of: dict[int, str],
    month_of: dict[int, date],
) -> None:
    """The sums of ``fields`` by kommun and year (the period's figures of a kommun, and its
    ready days by population year) and by month (the region's), in one query: the two
    GROUP BYs joined by UNION ALL, each row marked with its group."""
    sums = {f"sum_{name}": Sum(name) for name in fields}
    group = functools.partial(Value, output_field=IntegerField())
    by_kommun_year = (
        stats.values("kommun_id", part=ExtractYear("month"))
        .annotate(group=group(_BY_KOMMUN_YEAR), **sums)
        .values_list("group", "kommun_id", "part", *sums)
    )
    by_month = (
        stats.values(part=ExtractYear("month") * 12 + ExtractMonth("month") - 1)
        .annotate(group=group(_BY_MONTH), no_kommun=group(0), **sums)
        .values_list("group", "no_kommun", "part", *sums)
    )
    for kind, kommun_id, part, *values in by_kommun_year.union(by_month, all=True):
        counts = Counts(*(int(v or 0) for v in values))
        if kind == _BY_MONTH:
            data.month_totals[month_of[part]] = counts
            continue
        code = code_of[kommun_id]
        data.days_by_year[(code, population_year(part))] = counts.ready_days
        total = data.kommun_totals.setdefault(code, Counts())
        total.add(counts)


def _load_liability(
    data: Data,
    liabilities: QuerySet[MonthlyLiability],
    code_of: dict[int, str],
    month_of: dict[int, date],
    *,
    free_cells: bool,
) -> None:
    """Each kommun-month's state (the shading, the heat table's "B"; with ``free_cells``
    False only the months not free), and the period's liable days, amount and liable months
    of each kommun summed by the database, with the state of its last stored month."""
    index = ExtractYear("month") * 12 + ExtractMonth("month") - 1
    cells = liabilities if free_cells else liabilities.exclude(state=LiabilityState.FREE)
    for kommun_id, number, state, days, amount in cells.annotate(index=index).values_list(
        "kommun_id", "index", "state", "liable_days", "amount_sek"
    ):
        liable = int(state == LiabilityState.LIABLE)
        data.liability[(code_of[kommun_id], month_of[number])] = Liability(
            state, days, amount, liable
        )
    totals = (
        liabilities.values("kommun_id")
        .annotate(
            days=Sum("liable_days"),
            amount=Sum("amount_sek"),
            liable=Count("pk", filter=Q(state=LiabilityState.LIABLE)),
            latest=Max(index),
        )
        .values_list("kommun_id", "days", "amount", "liable", "latest")
    )
    for kommun_id, days, amount, liable, latest in totals:
        code = code_of[kommun_id]
        # The period's state is its last stored month's (a month not read is free).
        last = data.liability.get((code, month_of[int(latest)]))
        final = last.state if last is not None else LiabilityState.FREE
        data.period_liabilities[code] = Liability(final, int(days), int(amount), int(liable))


def _load_terms(data: Data, kommuner: list[Kommun], code_of: dict[int, str]) -> None:
    """The agreements' thresholds and the population aged 65+ of the period's years."""
    regions = sorted({k.code[:2] for k in kommuner})
    for agreement in Agreement.objects.filter(region__code__in=regions).select_related("region"):
        current = data.agreements.get(agreement.region.code)
        if current is None or agreement.first_month > current.first_month:
            data.agreements[agreement.region.code] = agreement  # the latest in force
            data.thresholds[agreement.region.code] = agreement.threshold_days
    years = sorted({population_year(m.year) for m in data.query.months})
    for kommun_id, year, inhabitants in (
        KommunPopulation.objects.filter(kommun_id__in=list(code_of), year__in=years)
        .order_by()
        .values_list("kommun_id", "year", "inhabitants_65plus")
    ):
        data.population[(code_of[kommun_id], year)] = inhabitants


def period_counts(data: Data, kommun: Kommun) -> Counts:
    """The kommun's counts summed over the period (by the database: ``_load_sums``)."""
    return data.kommun_totals.get(kommun.code) or Counts()


def period_liability(data: Data, kommun: Kommun) -> Liability:
    """Liable days, amount and liable months over the period; the state of its last month."""
    return data.period_liabilities.get(kommun.code) or Liability()


def region_counts(data: Data) -> dict[date, Counts]:
    """The sums over every kommun in scope, per month (by the database: ``_load_sums``)."""
    return data.month_totals


def region_per_thousand(data: Data, month: date) -> Decimal | None:
    """The region's ready days per 1,000 inhabitants aged 65+ in ``month``: None unless every
    kommun in scope has its population for the month's year."""
    if month in data.region_thousands:
        return data.region_thousands[month]
    inhabitants = 0
    for kommun in data.kommuner:
        known = data.inhabitants(kommun, month)
        if known is None:
            inhabitants = 0
            break
        inhabitants += known
    totals = region_counts(data).get(month)
    value = (
        _decimal(Fraction((totals.ready_days if totals else 0) * 1000, inhabitants))
        if inhabitants
        else None
    )
    data.region_thousands[month] = value
    return value


def missing_population_years(data: Data) -> list[int]:
    """The years (31 December) whose population some kommun in scope lacks for the period."""
    years = sorted({population_year(m.year) for m in data.query.months})
    return [
        year for year in years if any((k.code, year) not in data.population for k in data.kommuner)
    ]
