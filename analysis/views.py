"""Follow-up dashboards: monthly statistics per kommun, read from the stored table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from analysis.models import MonthlyStatistic, StatCareType
from discharges.http import AuthenticatedHttpRequest
from discharges.models import Kommun
from discharges.selectors import follow_up_kommuner
from payment.models import Agreement
from payment.rules import iter_months, month_start

DEFAULT_THRESHOLD = Decimal("3.0")


def _months_back(count: int) -> list[date]:
    last = month_start(timezone.localdate())
    first = last
    for _ in range(count - 1):
        first = month_start(first - timedelta(days=1))
    return list(iter_months(first, last))


def _thresholds(kommuner: list[Kommun]) -> dict[str, Decimal]:
    """Each kommun's threshold: its region's latest agreement's, else 3.0 (one query)."""
    by_region: dict[str, Decimal] = {}
    regions = {k.code[:2] for k in kommuner}
    for agreement in (
        Agreement.objects.filter(region__code__in=regions)
        .select_related("region")
        .order_by("first_month")
    ):
        by_region[agreement.region.code] = agreement.threshold_days  # the latest wins
    return {k.code: by_region.get(k.code[:2], DEFAULT_THRESHOLD) for k in kommuner}


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    kommuner = list(follow_up_kommuner(request.user).order_by("code"))
    if not kommuner:
        raise Http404
    care_type = request.GET.get("care_type", StatCareType.ALL)
    if care_type not in StatCareType.values:
        care_type = StatCareType.ALL
    try:
        count = min(max(int(request.GET.get("months", 12)), 1), 60)
    except ValueError:
        count = 12
    months = _months_back(count)
    selected = next((k for k in kommuner if k.code == request.GET.get("kommun")), None)
    stats = MonthlyStatistic.objects.filter(
        care_type=care_type, month__gte=months[0], month__lte=months[-1]
    ).select_related("kommun")
    if selected:
        by_month = {s.month: s for s in stats.filter(kommun=selected)}
        threshold = _thresholds([selected])[selected.code]
        table = [(month, by_month.get(month)) for month in months]
        context = {"selected": selected, "table": table, "threshold": threshold}
    else:
        recent = months[-6:]
        grid: dict[int, dict[date, MonthlyStatistic]] = {}
        for s in stats.filter(kommun__in=kommuner, month__gte=recent[0]):
            grid.setdefault(s.kommun_id, {})[s.month] = s
        thresholds = _thresholds(kommuner)
        overview = [
            (k, thresholds[k.code], [grid.get(k.pk, {}).get(m) for m in recent]) for k in kommuner
        ]
        context = {"overview": overview, "recent": recent}
    latest = MonthlyStatistic.objects.order_by("-computed_at").values_list("computed_at", flat=True)
    context.update(
        {
            "kommuner": kommuner,
            "care_type": care_type,
            "care_types": StatCareType.choices,
            "months_count": count,
            "computed_at": latest.first(),
        }
    )
    return render(request, "analysis/dashboard.html", context)
