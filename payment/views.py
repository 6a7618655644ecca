"""The kommun's liability pages: the invoice basis (fakturaunderlag), why each month has its
state and why each episode has its liable days, and the downloads (Swedish CSV and XLSX)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.access_log import log_access_by_id
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction, Kommun
from discharges.selectors import follow_up_kommuner
from payment.basis_views import basis_section
from payment.downloads import download, episode_table, month_table, period_name
from payment.explain import explain_episode, explain_month, prerequisite_texts
from payment.models import Agreement
from payment.reports import (
    FIRST_MONTH,
    LAST_MONTH,
    EpisodeLine,
    ReportError,
    build_month_report,
    build_report,
    parse_month,
)
from payment.rules import month_start
from payment.selectors import visible_lines

# The longest period a page or an export covers (its rows are kommuner x months).
MAX_PERIOD_MONTHS = 120


class BadPeriod(Exception):
    """The months asked for cannot be read or lie out of range; the message says why."""


def _default_period() -> tuple[date, date]:
    """The last twelve months, this one included."""
    today = month_start(timezone.localdate())
    return month_start(today - timedelta(days=330)), today


def _period(request: AuthenticatedHttpRequest) -> tuple[date, date]:
    """``from`` and ``to`` (YYYY-MM, either order); the last twelve months by default."""
    default_first, today = _default_period()
    try:
        first = parse_month(request.GET["from"]) if request.GET.get("from") else default_first
        last = parse_month(request.GET["to"]) if request.GET.get("to") else today
    except ReportError as exc:
        raise BadPeriod(
            _("Give the period as months YYYY-MM from %(first)s to %(last)s.")
            % {"first": f"{FIRST_MONTH:%Y-%m}", "last": f"{LAST_MONTH:%Y-%m}"}
        ) from exc
    if last < first:
        first, last = last, first
    if (last.year - first.year) * 12 + last.month - first.month >= MAX_PERIOD_MONTHS:
        raise BadPeriod(
            _("The period may be at most %(months)s months.") % {"months": MAX_PERIOD_MONTHS}
        )
    return first, last


def _scope(request: AuthenticatedHttpRequest) -> tuple[list[Kommun], list[Agreement]]:
    kommuner = list(follow_up_kommuner(request.user, liability=True).order_by("code"))
    if not kommuner:
        raise Http404
    regions = {k.code[:2] for k in kommuner}
    # The daily amounts read once: Agreement.terms() reads them, once per episode explained.
    agreements = list(
        Agreement.objects.filter(region__code__in=regions)
        .select_related("region")
        .prefetch_related("daily_amounts")
    )
    return kommuner, agreements


def _pick(
    request: AuthenticatedHttpRequest, agreements: list[Agreement], name: str | None
) -> Agreement:
    for agreement in agreements:
        if agreement.name == (name or agreements[0].name):
            return agreement
    raise Http404


@login_required
def liability(request: AuthenticatedHttpRequest) -> HttpResponse:
    kommuner, agreements = _scope(request)
    context: dict[str, Any] = {
        "kommuner": kommuner,
        "agreements": agreements,
        "kommun_names": {k.code: k.name for k in kommuner},
    }
    if not agreements:
        return render(request, "payment/liability.html", context)
    agreement = _pick(request, agreements, request.GET.get("agreement"))
    codes = [k.code for k in kommuner if agreement.covers(k.code)]
    wanted = request.GET.get("kommun")
    if wanted in codes:
        codes = [wanted]
    report, error, status = None, None, 200
    try:
        first, last = _period(request)
        report = build_report(agreement, first, last, kommun_codes=codes, detail=False)
    except BadPeriod as exc:
        (first, last), error, status = _default_period(), str(exc), 400
    except ReportError as exc:
        error = str(exc)
    context.update(
        {
            "agreement": agreement,
            "first": first,
            "last": last,
            "report": report,
            "error": error,
            "kommun_filter": wanted or "",
            "totals": _totals(report.rows) if report else None,
        }
    )
    # The signed invoice basis: a section per kommun-month with its state (issue 14).
    context["bases"], context["may_propose"] = basis_section(
        request.user, agreement, [k for k in kommuner if k.code in codes], first, last
    )
    return render(request, "payment/liability.html", context, status=status)


def _totals(rows: list[Any]) -> dict[str, int]:
    return {
        "episodes": sum(r.episodes for r in rows),
        "ready_days": sum(r.ready_days for r in rows),
        "liable_days": sum(r.liable_days for r in rows),
        "amount_sek": sum(r.amount_sek for r in rows),
    }


# Episode lines per page of a month page (a big kommun has thousands in a month).
MONTH_PAGE_LINES = 100


@login_required
def month_detail(
    request: AuthenticatedHttpRequest, name: str, kommun: str, care_type: str, month: str
) -> HttpResponse:
    """Why the kommun-month has its state, and the episodes with days in it: the lines with
    liable days in the month first, a page of them at a time (the totals over all)."""
    kommuner, agreements = _scope(request)
    agreement = _pick(request, agreements, name)
    target = next((k for k in kommuner if k.code == kommun and agreement.covers(k.code)), None)
    if target is None:
        raise Http404
    try:
        month_date = parse_month(month)
        # Days of this month may belong to episodes discharged later (R9).
        last = max(month_date, month_start(timezone.localdate()))
        report = build_month_report(agreement, kommun, month_date, last)
    except ReportError as exc:
        raise Http404 from exc
    history = report.state_history(kommun, care_type, month_date)
    lines = month_lines(report.episodes, care_type, month_date)
    # Patient-level detail only for the kommun's own members, and only episodes they may see.
    visible = visible_lines(request.user, lines, [target])
    consent_hidden = 0
    if care_type != "all":
        # A page of one care type would tell it: lines without their care type (no consent)
        # are counted here and listed in the period's episode download instead.
        consent_hidden = sum(1 for line in visible if not line.care_type)
        visible = [line for line in visible if line.care_type]
    page = Paginator(visible, MONTH_PAGE_LINES).get_page(request.GET.get("page"))
    shown: list[dict[str, Any]] = [
        {
            "line": line,
            "missing": prerequisite_texts(line.prerequisites_missing),
            "days": explain_episode(line, agreement, report),
        }
        for line in page.object_list
    ]
    hidden = len(lines) - len(visible) - consent_hidden
    if shown:
        log_access_by_id(
            request.user,
            [item["line"].pk for item in shown],
            AccessAction.VIEW,
            detail=f"liability {agreement.name} {month}",
        )
    row = next((r for r in report.rows if r.month == month_date and r.care_type == care_type), None)
    return render(
        request,
        "payment/month.html",
        {
            "agreement": agreement,
            "kommun": target,
            "care_type": care_type,
            "month": month_date,
            "row": row,
            "history": history[-12:],
            "explanation": explain_month(history, agreement),
            "shown": shown,
            "page": page,
            "hidden": hidden,
            "consent_hidden": consent_hidden,
        },
    )


def month_lines(lines: list[EpisodeLine], care_type: str, month: date) -> list[EpisodeLine]:
    """The lines of a month page: the care type's episodes with a liable day in the month or
    discharged in it; those with liable days in the month first, then by episode."""
    in_month: list[tuple[bool, EpisodeLine]] = []
    for line in lines:
        if care_type != "all" and line.care_type != care_type:
            continue
        liable_here = any(month_start(d) == month for d in line.liable_dates)
        if liable_here or month_start(line.discharge_date) == month:
            in_month.append((liable_here, line))
    in_month.sort(key=lambda item: (not item[0], item[1].episode_id))
    return [line for _liable, line in in_month]


@login_required
def export(request: AuthenticatedHttpRequest, name: str, fmt: str = "csv") -> HttpResponse:
    """Fakturaunderlag for people (Swedish headers and values; CSV as Swedish Excel opens it,
    or XLSX): the monthly rows, or (detail=1) the episodes behind them."""
    kommuner, agreements = _scope(request)
    agreement = _pick(request, agreements, name)
    codes = [k.code for k in kommuner if agreement.covers(k.code)]
    if request.GET.get("kommun") in codes:
        codes = [request.GET["kommun"]]
    try:
        first, last = _period(request)
        detail = request.GET.get("detail") == "1"
        report = build_report(agreement, first, last, kommun_codes=codes, detail=detail)
    except (BadPeriod, ReportError) as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    names = {k.code: k.name for k in kommuner}
    filename = f"fakturaunderlag-{agreement.name}-{period_name(first, last)}"
    if not detail:
        table = month_table(report.rows, names)
        return download(table, fmt, filename, _("Invoice basis"))
    lines = visible_lines(request.user, report.episodes, kommuner)
    log_access_by_id(
        request.user,
        [line.pk for line in lines],
        AccessAction.EXPORT,
        detail=f"fakturaunderlag {agreement.name}",
    )
    return download(episode_table(lines, names), fmt, f"{filename}-vardtillfallen", _("Episodes"))
