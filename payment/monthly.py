"""The liability per kommun, care type and month, stored for the follow-up dashboards.

The payment report (``reports.build_report``) applies R3-R9 to every episode of a region since
its agreement's first month: seconds for a large region, far too slow for a page that shows
every kommun of a region or the country. The statistics run calls ``store_monthly_liability``
after it has stored the monthly statistics, so that the dashboards read the states, liable days
and amounts as stored rows, computed at the same time as the figures beside them. Invoices
still come from the report itself (computed fresh on the liability pages).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from discharges import stored_figures
from discharges.models import Kommun
from payment import rules
from payment.basis_lines import signed_month_totals
from payment.models import Agreement, LiabilityModel, LiabilityState, MonthlyLiability
from payment.reports import ALL, CARE_TYPES, Report, ReportError, build_report

logger = logging.getLogger(__name__)

Key = tuple[str, str, date]  # (kommun code, care type, month)


@dataclass
class _Days:
    days: dict[Key, int] = field(default_factory=lambda: defaultdict(int))
    amounts: dict[Key, int] = field(default_factory=lambda: defaultdict(int))


def agreement_periods(
    agreements: list[Agreement], current: date
) -> list[tuple[Agreement, date, date]]:
    """Each agreement with the months it governs: from its first month until the month before
    the region's next agreement starts, or until ``current``."""
    by_region: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in sorted(agreements, key=lambda a: (a.region_id, a.first_month)):
        by_region[agreement.region_id].append(agreement)
    periods = []
    for region_agreements in by_region.values():
        for index, agreement in enumerate(region_agreements):
            following = region_agreements[index + 1 : index + 2]
            last = (
                rules.month_start(following[0].first_month - timedelta(days=1))
                if following
                else current
            )
            if agreement.first_month <= last:
                periods.append((agreement, agreement.first_month, last))
    return periods


def _report(agreement: Agreement, first: date, last: date) -> Report | None:
    """The report up to ``last``, or up to the end of the last year with daily amounts when a
    later year has none yet (the systemförvaltare enters each year's amount when published)."""
    while last >= first:
        try:
            # Without the episode lines: the days by care type are all the table needs, and on
            # PostgreSQL the database sums them (payment.liable_sums; issue 15: Stockholm's
            # agreement took 16 s of Python and the run's memory to 399 MB with the lines).
            return build_report(agreement, first, last, detail=False)
        except ReportError as exc:
            missing = exc.__cause__
            if not isinstance(missing, rules.MissingDailyAmount):
                raise
            logger.warning("agreement %s: no daily amount for %s", agreement.name, missing.year)
            last = min(last, date(missing.year - 1, 12, 1))
    return None


def _liable_days(report: Report, first: date, last: date) -> _Days:
    """Liable days and amounts per kommun, care type (and "all") and month of the day (R9)."""
    terms = report.agreement.terms()
    out = _Days()
    for (kommun, episode_care_type, month), count in report.care_type_days.items():
        if not first <= month <= last or not count:
            continue
        amount = rules.amount_sek([month], terms.daily_amounts) * count  # one year: one amount
        for care_type in (episode_care_type, ALL):
            out.days[(kommun, care_type, month)] += count
            out.amounts[(kommun, care_type, month)] += amount
    return out


def _states(report: Report, last: date) -> dict[Key, str]:
    """The state of every kommun, care type (and "all") and month of the report's rows."""
    groups: dict[Key, str] = {
        (row.kommun, row.care_type, row.month): row.state
        for row in report.rows
        if row.month <= last
    }
    states: dict[Key, str] = {}
    for (kommun, group, month), state in groups.items():
        if group == ALL:  # one state for the kommun, whatever the care type
            for care_type in (ALL, *CARE_TYPES):
                states[(kommun, care_type, month)] = state
        else:
            states[(kommun, group, month)] = state
    if report.agreement.separate_care_types:
        for kommun, _group, month in groups:
            parts = {groups.get((kommun, c, month)) for c in CARE_TYPES}
            if parts == {LiabilityState.LIABLE}:
                combined = LiabilityState.LIABLE
            elif LiabilityState.LIABLE in parts:
                combined = LiabilityState.PARTLY
            else:
                combined = LiabilityState.FREE
            states[(kommun, ALL, month)] = combined
    return states


def liability_rows(
    agreement: Agreement, first: date, last: date, now: datetime
) -> list[MonthlyLiability]:
    """The rows of one agreement's months ``first``..``last`` (none when no year has amounts)."""
    report = _report(agreement, first, rules.month_start(timezone.localdate()))
    if report is None:
        return []
    last = min(last, report.last)
    states = _states(report, last)
    days = _liable_days(report, first, last)
    default = (
        LiabilityState.PER_EPISODE
        if agreement.model == LiabilityModel.PER_EPISODE
        else LiabilityState.FREE
    )
    keys = {k for k in (*states, *days.days) if first <= k[2] <= last}
    codes = {code for code, _c, _m in keys}
    kommun_ids = dict(Kommun.objects.filter(code__in=codes).values_list("code", "pk"))
    return [
        MonthlyLiability(
            agreement=agreement,
            kommun_id=kommun_ids[code],
            care_type=care_type,
            month=month,
            state=states.get((code, care_type, month), default),
            liable_days=days.days.get((code, care_type, month), 0),
            amount_sek=days.amounts.get((code, care_type, month), 0),
            computed_at=now,
        )
        for code, care_type, month in sorted(keys)
    ]


def keep_signed(agreement: Agreement, rows: list[MonthlyLiability]) -> list[MonthlyLiability]:
    """A month both sides signed keeps its signed days and amounts (payment.signing): a
    recompute never changes it; later corrections are adjustment lines of an open month."""
    signed = signed_month_totals(agreement)
    for row in rows:
        key = (row.kommun_id, row.care_type, row.month)
        if key in signed:
            row.liable_days, row.amount_sek = signed[key]
    return rows


def store_monthly_liability(now: datetime | None = None) -> int:
    """Recompute every agreement's monthly liability and replace the table (call it inside
    the statistics run's transaction, so that both tables change together). Returns rows."""
    now = now or timezone.now()
    current = rules.month_start(timezone.localdate())
    agreements = list(Agreement.objects.select_related("region").prefetch_related("daily_amounts"))
    objects: list[MonthlyLiability] = []
    for agreement, first, last in agreement_periods(agreements, current):
        objects.extend(keep_signed(agreement, liability_rows(agreement, first, last, now)))
    with transaction.atomic():
        MonthlyLiability.objects.all().delete()
        MonthlyLiability.objects.bulk_create(objects, batch_size=2000)
        stored_figures.changed()  # the follow-up's cached figures (analysis.overview_cache)
    return len(objects)
