"""The pages of the analyses of delayed discharge. Thin: parse input, call the read path
(``access``, ``sheets``) or a service, log what is shown, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analysis import deviation_counts
from analysis.analyses import access as read
from analysis.analyses import answers, pdf, services
from analysis.analyses.forms import (
    ActionForm,
    CloseAnalysisForm,
    ColumnForm,
    FollowUpForm,
    PdfForm,
    StartAnalysisForm,
)
from analysis.analyses.models import (
    AnalysisNotice,
    AnalysisPdf,
    AnalysisStatus,
    ImprovementAction,
    PdfStatus,
)
from analysis.analyses.sheets import build_sheets
from discharges.forms import MAX_ID
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction, Kommun
from discharges.services import Refused


def _lead_kommuner(request: AuthenticatedHttpRequest) -> Any:
    codes = read.lead_regions(request.user)
    if not codes:
        return Kommun.objects.none()
    return Kommun.objects.filter(region__code__in=codes).order_by("code")


@login_required
def analysis_list(
    request: AuthenticatedHttpRequest,
    start_form: StartAnalysisForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if not read.may_use_analyses(request.user):
        raise Http404
    analyses = (
        read.visible_analyses(request.user)
        .annotate(patient_count=Count("patients"))
        .order_by("-status", "-month", "kommun__code", "care_type")  # "open" before "closed"
    )
    page = Paginator(analyses, 50).get_page(request.GET.get("page"))
    kommuner = _lead_kommuner(request)
    if start_form is None and kommuner.exists():
        start_form = StartAnalysisForm(kommuner=kommuner)
    unread = set(
        AnalysisNotice.objects.filter(user=request.user, read_at__isnull=True).values_list(
            "analysis_id", flat=True
        )
    )
    context = {"page": page, "start_form": start_form, "unread": unread}
    return render(request, "analysis/analyses/list.html", context, status=status)


@login_required
@require_POST
def analysis_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not read.lead_regions(request.user):
        raise PermissionDenied
    form = StartAnalysisForm(request.POST, kommuner=_lead_kommuner(request))
    if form.is_valid():
        try:
            analysis, created = services.start_analysis(user=request.user, **form.cleaned_data)
        except Refused as exc:
            _refusal(form, exc)
        else:
            if created:
                messages.success(request, _("The analysis is started."))
            else:
                messages.info(request, _("The month already has an analysis; here it is."))
            return redirect("analysis:analyses:detail", pk=analysis.pk)
    return analysis_list(request, start_form=form, status=400)


def _refusal(form: Any, exc: Refused) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
def analysis_detail(
    request: AuthenticatedHttpRequest,
    pk: int,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    access = read.get_access(request.user, pk)
    analysis = access.analysis
    patients = list(access.patients())
    sheets = build_sheets(access, patients)
    read.log_read(access, patients, AccessAction.VIEW, f"analysis {analysis.pk}")
    services.read_notices(user=request.user, analysis=analysis)
    forms = forms or {}
    context: dict[str, Any] = {
        "access": access,
        "analysis": analysis,
        "sheets": sheets,
        "actions": read.analysis_actions(analysis),
        "today": timezone.localdate(),
        "pdfs": _pdfs(access),
        "inline_max": pdf.INLINE_MAX_PATIENTS,
        "deviation_counts": deviation_counts.for_analysis(  # issue 14
            analysis.kommun, analysis.month, [p.episode_id for p in patients]
        ),
    }
    if access.manages:
        organisations = services.responsible_choices(analysis)
        context["action_form"] = forms.get("action") or ActionForm(organisations=organisations)
        context["follow_up_form"] = FollowUpForm(initial={"date": timezone.localdate()})
        context["follow_up_errors"] = forms.get("follow_up")
        context["close_form"] = forms.get("close") or CloseAnalysisForm()
        context["pdf_form"] = PdfForm()
    return render(request, "analysis/analyses/detail.html", context, status=status)


def _pdfs(access: read.AnalysisAccess) -> list[AnalysisPdf]:
    if not access.builds_pdf:
        return []
    jobs = AnalysisPdf.objects.filter(analysis=access.analysis).defer("content")
    if not access.identified:
        jobs = jobs.filter(pseudonymised=True)
    return list(jobs.order_by("-requested_at", "-id")[:5])


@login_required
def patient_checklist(
    request: AuthenticatedHttpRequest,
    pk: int,
    number: int,
    form: ColumnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = read.get_access(request.user, pk)
    patient = access.patient(number)
    sheet = build_sheets(access, [patient])[0]
    read.log_read(access, [patient], AccessAction.VIEW, f"analysis {pk} checklist")
    if form is None and sheet.column and access.analysis.is_open:
        form = ColumnForm(sheet=sheet, auto_id="id_%s")
    rows = [(view, form.fields_for(view.row.code) if form else None) for view in sheet.rows]
    units = (sheet.units, form.fields_for(sheet.units.row.code) if form else None)
    context = {
        "access": access,
        "analysis": access.analysis,
        "sheet": sheet,
        "form": form,
        "rows": rows,
        "units": units,
    }
    return render(request, "analysis/analyses/patient.html", context, status=status)


@login_required
@require_POST
def save_column(
    request: AuthenticatedHttpRequest, pk: int, number: int, column: str
) -> HttpResponse:
    access = read.get_access(request.user, pk)
    patient = access.patient(number)
    if access.column_of(patient) != column:
        raise PermissionDenied(_("You may fill in only your own organisation's column."))
    sheet = build_sheets(access, [patient])[0]
    form = ColumnForm(request.POST, sheet=sheet, auto_id="id_%s")
    status = 400
    if form.is_valid():
        try:
            saved = answers.save_column(
                user=request.user, patient=patient, column=column, entries=form.entries()
            )
        except answers.InvalidAnswers as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        except Refused as exc:
            _refusal(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Saved: %(n)s answers changed.") % {"n": len(saved)})
            return redirect("analysis:analyses:patient", pk=pk, number=patient.number)
    return patient_checklist(request, pk, number, form=form, status=status)


@login_required
@require_POST
def add_action(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = _managing(request, pk)
    organisations = services.responsible_choices(access.analysis)
    form = ActionForm(request.POST, organisations=organisations)
    if form.is_valid():
        try:
            services.add_action(
                user=request.user,
                analysis=access.analysis,
                data=services.ActionInput(**form.cleaned_data),
            )
        except Refused as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("The action is added."))
            return redirect(_anchor(pk, "actions"))
    return analysis_detail(request, pk, forms={"action": form}, status=400)


@login_required
@require_POST
def follow_up_action(request: AuthenticatedHttpRequest, pk: int, action_id: int) -> HttpResponse:
    access = _managing(request, pk)
    action = _row(ImprovementAction.objects.filter(analysis=access.analysis), action_id)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            services.follow_up_action(
                user=request.user,
                action=action,
                day=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
                status=form.cleaned_data["status"],
            )
        except Refused as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("The follow-up is recorded."))
            return redirect(_anchor(pk, f"action-{action.pk}"))
    errors = (action.pk, _error_texts(form))
    return analysis_detail(request, pk, forms={"follow_up": errors}, status=400)


def _error_texts(form: Any) -> list[str]:
    """Each error with the label of its field ("Datum: Ange ett giltigt datum.")."""
    return [
        f"{form.fields[name].label}: {' '.join(errors)}"
        if name in form.fields
        else " ".join(errors)
        for name, errors in form.errors.items()
    ]


@login_required
@require_POST
def close_analysis(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    access = _managing(request, pk)
    form = CloseAnalysisForm(request.POST)
    if form.is_valid():
        try:
            services.close_analysis(
                user=request.user, analysis=access.analysis, summary=form.cleaned_data["summary"]
            )
        except Refused as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("The analysis is closed."))
            return redirect("analysis:analyses:detail", pk=pk)
    return analysis_detail(request, pk, forms={"close": form}, status=400)


def _managing(request: AuthenticatedHttpRequest, pk: int) -> read.AnalysisAccess:
    access = read.get_access(request.user, pk)
    if not access.manages:
        raise PermissionDenied(_("Only the region's process lead may do this."))
    return access


def _anchor(pk: int, anchor: str) -> str:
    return f"{reverse('analysis:analyses:detail', kwargs={'pk': pk})}#{anchor}"


# --- The PDF ------------------------------------------------------------------------------------


@login_required
@require_POST
def request_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A small analysis's PDF at once; a large one queued, its progress on the status page."""
    access = read.get_access(request.user, pk)
    if not access.builds_pdf:
        raise PermissionDenied(_("The PDF is for the process lead and the joint group."))
    form = PdfForm(request.POST)
    form.is_valid()
    pseudonymised = not access.identified or bool(form.cleaned_data.get("pseudonymised"))
    analysis = access.analysis
    if pdf.builds_inline(analysis):
        content = pdf.render_pdf(analysis, request.user, pseudonymised=pseudonymised)
        read.log_read(access, list(access.patients()), AccessAction.EXPORT, f"analysis {pk} pdf")
        return _pdf_response(content, pdf.filename(analysis, pseudonymised=pseudonymised))
    job = pdf.queue_pdf(analysis, request.user, pseudonymised=pseudonymised)
    return redirect("analysis:analyses:pdf_status", pk=pk, job_id=job.pk)


def _job(access: read.AnalysisAccess, job_id: int) -> AnalysisPdf:
    """A PDF job of the analysis in a variant the user may read (the group: pseudonymised)."""
    if not access.builds_pdf:
        raise Http404
    jobs = AnalysisPdf.objects.filter(analysis=access.analysis).defer("content")
    if not access.identified:
        jobs = jobs.filter(pseudonymised=True)
    return _row(jobs, job_id)


def _row(queryset: Any, pk: int) -> Any:
    """The row with id ``pk`` or a 404, also for an id no 64-bit column holds (the URL takes
    any digits; SQLite raises OverflowError for them instead of finding nothing)."""
    if pk > MAX_ID:
        raise Http404
    return get_object_or_404(queryset, pk=pk)


@login_required
def pdf_status(request: AuthenticatedHttpRequest, pk: int, job_id: int) -> HttpResponse:
    access = read.get_access(request.user, pk)
    job = _job(access, job_id)
    running = job.status in (PdfStatus.QUEUED, PdfStatus.RUNNING)
    context = {"analysis": access.analysis, "job": job, "running": running}
    return render(request, "analysis/analyses/pdf_status.html", context)


@login_required
def pdf_download(request: AuthenticatedHttpRequest, pk: int, job_id: int) -> HttpResponse:
    access = read.get_access(request.user, pk)
    job = _job(access, job_id)
    if job.status != PdfStatus.DONE:
        raise Http404
    content = AnalysisPdf.objects.values_list("content", flat=True).get(pk=job.pk) or b""
    read.log_read(access, list(access.patients()), AccessAction.EXPORT, f"analysis {pk} pdf")
    return _pdf_response(
        bytes(content), pdf.filename(access.analysis, pseudonymised=job.pseudonymised)
    )


def _pdf_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Improvement actions across analyses ----------------------------------------------------------


@login_required
def open_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not read.may_use_analyses(request.user):
        raise Http404
    actions = list(read.open_actions(request.user)[:500])
    today = timezone.localdate()
    context = {
        "actions": actions,
        "today": today,
        "overdue": sum(1 for a in actions if a.is_overdue(today)),
        "closed_status": AnalysisStatus.CLOSED,
    }
    return render(request, "analysis/analyses/actions.html", context)
