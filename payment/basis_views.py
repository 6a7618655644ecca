"""The signed invoice basis on the liability pages: a section per kommun-month with its state
(``basis_section``), the basis page of one month with its lines, disputes, history and the
actions the user's side may take, and the downloads (PDF, Excel).

Out of the user's liability scope (``follow_up_kommuner(liability=True)``) a basis is a 404;
in scope but neither the region's systemförvaltare nor a member of the kommun (processledare,
the joint group) a 403: they see the state on the liability page, not the lines. Every page or
download that shows lines logs the episodes read (discharges.access_log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from discharges.access_log import log_access_by_id
from discharges.exports import XLSX_CONTENT_TYPE
from discharges.forms import MAX_ID
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction, Kommun
from discharges.selectors import follow_up_kommuner
from payment import rules, signing
from payment.basis_downloads import basis_pdf, basis_xlsx
from payment.basis_lines import totals
from payment.basis_models import InvoiceBasis, InvoiceDispute, InvoiceLine
from payment.models import Agreement
from payment.reports import ReportError, parse_month


@dataclass
class MonthEntry:
    kommun: Kommun
    month: date
    basis: InvoiceBasis | None
    may_open: bool
    days: int | None = None  # the basis's liable days and amount as they stand
    amount_sek: int | None = None


def basis_section(
    user: User, agreement: Agreement, kommuner: list[Kommun], first: date, last: date
) -> tuple[list[MonthEntry], bool]:
    """Each kommun-month of the period that has ended, with its basis (or none yet), and
    whether the user may propose (the region's systemförvaltare)."""
    last = min(last, rules.month_start(timezone.localdate()))
    months = [
        m
        for m in rules.iter_months(max(first, agreement.first_month), last)
        if m < rules.month_start(timezone.localdate())
    ]
    covered = [k for k in kommuner if agreement.covers(k.code)]
    if not months or not covered:
        return [], False
    bases = {
        (b.kommun_id, b.month): b
        for b in InvoiceBasis.objects.filter(
            agreement=agreement, kommun__in=covered, month__in=months
        )
    }
    sums = {
        row["basis"]: (row["total_days"], row["total_amount"])
        for row in InvoiceLine.objects.filter(basis__in=list(bases.values()))
        .values("basis")
        .annotate(
            total_days=Sum(Coalesce("agreed_days", "computed_days")),
            total_amount=Sum(Coalesce("agreed_amount", "computed_amount")),
        )
    }
    is_admin = signing.region_admin(user, agreement) is not None
    entries = []
    for k in covered:
        for m in months:
            basis = bases.get((k.pk, m))
            days, amount = sums.get(basis.pk, (0, 0)) if basis is not None else (None, None)
            may_open = is_admin or signing.kommun_member(user, k) is not None
            entries.append(MonthEntry(k, m, basis, may_open, days, amount))
    return entries, is_admin


@dataclass
class Target:
    agreement: Agreement
    kommun: Kommun
    month: date
    sides: set[str]


def _target(request: AuthenticatedHttpRequest, name: str, kommun: str, month: str) -> Target:
    if not (kommun.isascii() and kommun.isdigit() and len(kommun) == 4):
        raise Http404
    target = follow_up_kommuner(request.user, liability=True).filter(code=kommun).first()
    agreement = Agreement.objects.filter(name=name).select_related("region").first()
    if target is None or agreement is None or not agreement.covers(target.code):
        raise Http404
    try:
        month_date = parse_month(month)
    except ReportError as exc:
        raise Http404 from exc
    sides = signing.side_of(request.user, agreement, target)
    if not sides:
        raise PermissionDenied
    return Target(agreement, target, month_date, sides)


def _basis(target: Target) -> InvoiceBasis | None:
    return InvoiceBasis.objects.filter(
        agreement=target.agreement, kommun=target.kommun, month=target.month
    ).first()


def _url(target: Target) -> str:
    return reverse(
        "payment:basis",
        args=[target.agreement.name, target.kommun.code, f"{target.month:%Y-%m}"],
    )


def _log(request: AuthenticatedHttpRequest, basis: InvoiceBasis, action: str) -> None:
    log_access_by_id(
        request.user,
        basis.lines.values_list("episode_id", flat=True),
        action,
        detail=f"invoice basis {basis.agreement.name} {basis.kommun.code} {basis.month:%Y-%m}",
    )


@login_required
def basis_page(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    return _render(request, target)


def _render(
    request: AuthenticatedHttpRequest,
    target: Target,
    error: signing.SigningError | None = None,
) -> HttpResponse:
    basis = _basis(target)
    context: dict[str, Any] = {
        "agreement": target.agreement,
        "kommun": target.kommun,
        "month": target.month,
        "basis": basis,
        "is_region": signing.REGION in target.sides,
        "is_kommun": signing.KOMMUN in target.sides,
        "error": error,
        "may_propose": signing.REGION in target.sides
        and target.month < rules.month_start(timezone.localdate())
        and target.month >= target.agreement.first_month,
    }
    if basis is not None:
        lines = list(basis.lines.prefetch_related("disputes"))
        context.update(
            {
                "lines": lines,
                "totals": totals(lines),
                "disputes": list(
                    InvoiceDispute.objects.filter(line__basis=basis).select_related("line")
                ),
                "events": list(basis.events.select_related("user", "organisation")),
            }
        )
        _log(request, basis, AccessAction.VIEW)
    return render(request, "payment/basis.html", context, status=400 if error else 200)


def _act(request: AuthenticatedHttpRequest, target: Target, action: Any) -> HttpResponse:
    """Run a signing step; a refused step re-renders the page with the error (400)."""
    try:
        action()
    except signing.NotAllowed as exc:
        raise PermissionDenied from exc
    except signing.SigningError as exc:
        return _render(request, target, exc)
    return HttpResponseRedirect(_url(target))


def _int(value: str | None, field: str) -> int:
    """A whole number a database column holds (a larger one would overflow the query)."""
    raw = (value or "").strip()
    digits = raw.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_ID)):
        raise signing.SigningError(field, _("Give a whole number."))
    number = int(raw)
    if abs(number) > MAX_ID:
        raise signing.SigningError(field, _("Give a whole number."))
    return number


def _existing(target: Target) -> InvoiceBasis:
    basis = _basis(target)
    if basis is None:
        raise Http404
    return basis


@login_required
@require_POST
def propose_view(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    return _act(
        request,
        target,
        lambda: signing.propose(request.user, target.agreement, target.kommun, target.month),
    )


@login_required
@require_POST
def dispute_view(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    basis = _existing(target)

    def run() -> None:
        line = _int(request.POST.get("line"), "line")
        days = _int(request.POST.get("days"), "days")
        signing.dispute(request.user, basis.pk, line, days, request.POST.get("reason", ""))

    return _act(request, target, run)


@login_required
@require_POST
def answer_view(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    basis = _existing(target)

    def run() -> None:
        decision = request.POST.get("decision")
        if decision not in ("accept", "reject"):
            raise signing.SigningError("decision", _("Accept or reject the dispute."))
        signing.answer(
            request.user,
            basis.pk,
            _int(request.POST.get("dispute"), "dispute"),
            accept=decision == "accept",
            reason=request.POST.get("reason", ""),
        )

    return _act(request, target, run)


@login_required
@require_POST
def sign_view(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    basis = _existing(target)
    side = request.POST.get("side", "")
    return _act(request, target, lambda: signing.sign(request.user, basis.pk, side))


@login_required
def download_view(
    request: AuthenticatedHttpRequest, name: str, kommun: str, month: str, fmt: str
) -> HttpResponse:
    target = _target(request, name, kommun, month)
    basis = _existing(target)
    _log(request, basis, AccessAction.EXPORT)
    filename = f"fakturaunderlag-{target.agreement.name}-{target.kommun.code}-{target.month:%Y-%m}"
    if fmt == "pdf":
        content, content_type = basis_pdf(basis), "application/pdf"
    else:
        content, content_type = basis_xlsx(basis), XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
