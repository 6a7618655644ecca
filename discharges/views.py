"""Pages for ward, hälsocentral and kommun. Thin: parse input, call a selector or a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from discharges import access_log, selectors, services
from discharges.forms import (
    MESSAGE_FORMS,
    ConsentNoteForm,
    EpisodeListFilters,
    PatientIdentityForm,
    PersonnummerSearchForm,
    RegisterEpisodeForm,
)
from discharges.http import AuthenticatedHttpRequest
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    OrganisationKind,
    Patient,
    Role,
    Ward,
)
from discharges.pagination import UncountedPage


@login_required
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Att göra: what waits for the user's organisations, overdue first."""
    views = selectors.worklist(request.user)
    access_log.log_access(request.user, [v.episode for v in views], AccessAction.WORKLIST)
    return render(request, "discharges/worklist.html", {"views": views})


@login_required
def episode_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = EpisodeListFilters(request.GET)
    if filters.is_valid():
        data = filters.cleaned_data
        qs = selectors.episode_list(request.user, status=data["status"], query=data["q"])
        if data["patient"] is not None:
            qs = qs.filter(patient_id=data["patient"])
        # Not counted: "next" comes from one row more than the page. An exact count costs up to
        # hundreds of ms for a large kommun's filtered list at national scale (bench/README.md).
        page = UncountedPage(qs, request.GET.get("page"), 50)
        if page.number > 1 and not page.object_list:
            raise Http404  # beyond the end of the list
        access_log.log_access(request.user, page.object_list, AccessAction.LIST)
        http_status = 200
    else:
        # Nothing is searched; the page says why and shows none of the input back.
        page = UncountedPage(Episode.objects.none(), 1, 50)
        http_status = filters.refused_status()
    return render(
        request,
        "discharges/episode_list.html",
        {
            "page": page,
            "status": filters.cleaned_data.get("status", "active"),
            "query": filters.cleaned_data.get("q", ""),
            "filter_errors": filters.messages(),
            "statuses": EpisodeStatus.choices,
            "search_form": PersonnummerSearchForm(),
            "can_register": selectors.has_role(request.user, Role.WARD_STAFF),
        },
        status=http_status,
    )


@sensitive_post_parameters("personnummer")
@login_required
@require_POST
def find_by_personnummer(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The personnummer travels in the POST body; the redirect carries the patient id only."""
    form = PersonnummerSearchForm(request.POST)
    if form.is_valid():
        patient = Patient.objects.filter(personnummer=form.cleaned_data["personnummer"]).first()
        if (
            patient is not None
            and selectors.visible_episodes(request.user).filter(patient=patient).exists()
        ):
            return redirect(f"{_list_url()}?status=all&patient={patient.pk}")
        messages.info(request, _("No episode of yours concerns that personal identity number."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["personnummer"]))
    return redirect(_list_url())


def _list_url() -> str:
    return reverse("discharges:episode_list")


def _detail_context(
    request: AuthenticatedHttpRequest, episode: Any, bound: dict[str, Any] | None = None
) -> dict[str, Any]:
    view = selectors.present_episode(request.user, episode)
    forms = []
    kinds = services.available_kinds(episode, view.party)
    # A refused form stays on the page with its error even when the step is no longer offered.
    kinds += [kind for kind in (bound or {}) if kind not in kinds]
    for kind in kinds:
        form_class, _service = MESSAGE_FORMS[kind]
        # Each form's element ids are prefixed with its kind: one page holds many forms.
        form = (bound or {}).get(kind) or form_class(
            initial={"version": episode.version}, auto_id=f"id_{kind}_%s"
        )
        forms.append({"kind": kind, "label": EventKind(kind).label, "form": form})
    return {
        "view": view,
        "episode": episode,
        "fields": view.fields,
        "timeline": selectors.timeline(request.user, episode),
        "forms": forms,
        "can_record_consent": view.party == "ward",
        "identity_history": selectors.identity_history(request.user, episode),
        "identity_form": _identity_form(episode) if _may_change_identity(view, episode) else None,
    }


def _may_change_identity(view: selectors.EpisodeView, episode: Any) -> bool:
    """The page offers the change to the ward of an active episode (the service's rule)."""
    return view.party == "ward" and episode.is_active


def _identity_form(episode: Any) -> PatientIdentityForm:
    patient = episode.patient
    return PatientIdentityForm(
        initial={
            "name": patient.name,
            "address": patient.address,
            "kommun": patient.kommun_id,
            "health_centre": patient.health_centre_id,
        },
        auto_id="id_identity_%s",
    )


@login_required
def episode_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = selectors.get_visible_episode(request.user, pk)
    access_log.log_access(request.user, [episode], AccessAction.VIEW)
    return render(request, "discharges/episode_detail.html", _detail_context(request, episode))


@login_required
@require_POST
def send_message(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    episode = selectors.get_visible_episode(request.user, pk)
    if kind not in MESSAGE_FORMS:
        raise Http404
    form_class, service = MESSAGE_FORMS[kind]
    form = form_class(request.POST, auto_id=f"id_{kind}_%s")
    if form.is_valid():
        try:
            service(
                actor=services.actor_for(request.user, episode),
                episode=episode,
                **form.service_kwargs(),
            )
        except services.Refused as exc:
            _add_refusal(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Sent: %(kind)s.") % {"kind": EventKind(kind).label})
            return redirect("discharges:episode_detail", pk=episode.pk)
    else:
        status = 400
    access_log.log_access(request.user, [episode], AccessAction.VIEW)
    context = _detail_context(request, episode, bound={kind: form})
    return render(request, "discharges/episode_detail.html", context, status=status)


def _add_refusal(form: Any, exc: services.Refused) -> None:
    field = exc.field if exc.field in form.fields and exc.field != "version" else None
    form.add_error(field, exc.message)


@login_required
@require_POST
def acknowledge(request: AuthenticatedHttpRequest, pk: int, event_id: int) -> HttpResponse:
    episode = selectors.get_visible_episode(request.user, pk)
    event = get_object_or_404(EpisodeEvent, pk=event_id, episode=episode)
    try:
        services.acknowledge_receipt(actor=services.actor_for(request.user, episode), event=event)
        messages.success(request, _("Receipt acknowledged."))
    except services.Refused as exc:
        messages.error(request, exc.message)
    return redirect("discharges:episode_detail", pk=episode.pk)


@login_required
@require_POST
def consent(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    episode = selectors.get_visible_episode(request.user, pk)
    service = {"give": services.record_consent, "withdraw": services.withdraw_consent}.get(action)
    if service is None:
        raise Http404
    form = ConsentNoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors["note"]))
        return redirect("discharges:episode_detail", pk=episode.pk)
    try:
        service(
            actor=services.actor_for(request.user, episode),
            episode=episode,
            note=form.cleaned_data["note"],
        )
        messages.success(request, _("Consent updated."))
    except services.Refused as exc:
        messages.error(request, exc.message)
    return redirect("discharges:episode_detail", pk=episode.pk)


@login_required
@require_POST
def patient_identity(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ward of an active episode records a change of the patient's details."""
    episode = selectors.get_visible_episode(request.user, pk)
    form = PatientIdentityForm(request.POST)
    if not form.is_valid():
        errors = [
            f"{form.fields[name].label}: {' '.join(str(e) for e in errs)}"
            for name, errs in form.errors.items()
        ]
        messages.error(request, " ".join(errors))
        return redirect("discharges:episode_detail", pk=episode.pk)
    try:
        services.change_patient_identity(
            actor=services.actor_for(request.user, episode),
            patient=episode.patient,
            **form.cleaned_data,
        )
        messages.success(request, _("The patient's details are changed."))
    except services.Refused as exc:
        messages.error(request, exc.message)
    return redirect("discharges:episode_detail", pk=episode.pk)


@sensitive_post_parameters("personnummer")
@login_required
def register_episode(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registers a stay. A known personnummer is registered for the stored patient: the page
    first shows the stored values (never the typed ones) and registers on confirmation."""
    wards = Ward.objects.filter(
        pk__in=[
            m.organisation_id
            for m in selectors.memberships_of(request.user)
            if m.role == Role.WARD_STAFF and m.organisation.kind == OrganisationKind.WARD
        ]
    ).select_related("hospital")
    if not wards:
        raise Http404
    form = RegisterEpisodeForm(request.POST or None, wards=wards)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            known = services.find_patient(form.cleaned_data["personnummer"])
            if known is not None and form.cleaned_data["known_patient"] != known.pk:
                return _show_known_patient(request, known, wards)
            context["known_patient"] = known
            if known is None:
                _require_new_patient_fields(form)
            if form.is_valid():
                try:
                    episode = _register(request, form.cleaned_data, known)
                except services.Refused as exc:
                    _add_refusal(form, exc)
                    status = exc.status_code
                else:
                    messages.success(request, _("The episode is registered."))
                    return redirect("discharges:episode_detail", pk=episode.pk)
    else:
        form.initial.setdefault(
            "admitted_at", timezone.localtime().replace(second=0, microsecond=0)
        )
    return render(request, "discharges/register.html", context, status=status)


def _show_known_patient(
    request: AuthenticatedHttpRequest, known: Patient, wards: Any
) -> HttpResponse:
    """The patient is known: show the stored values (a read, logged) and ask to confirm. The
    typed name, address, kommun and listing are cleared: they are not used."""
    data = request.POST.copy()
    data["known_patient"] = str(known.pk)
    for field in (*RegisterEpisodeForm.NEW_PATIENT_FIELDS, "health_centre"):
        data[field] = ""
    form = RegisterEpisodeForm(data, wards=wards)
    form.is_valid()
    AccessLogEntry.objects.create(
        user=request.user,
        organisation=form.cleaned_data["ward"],
        patient=known,
        action=AccessAction.VIEW,
        detail="register",
    )
    context = {"form": form, "known_patient": known}
    return render(request, "discharges/register.html", context)


def _require_new_patient_fields(form: RegisterEpisodeForm) -> None:
    for field in RegisterEpisodeForm.NEW_PATIENT_FIELDS:
        if not form.cleaned_data.get(field):
            form.add_error(field, _("A new patient needs this."))


def _register(
    request: AuthenticatedHttpRequest, data: dict[str, Any], known: Patient | None
) -> Episode:
    """The episode, registered for the known patient as stored, or for a new patient."""
    with transaction.atomic():
        patient = known or services.register_patient(
            personnummer=data["personnummer"],
            kommun=data["kommun"],
            name=data["name"],
            address=data["address"],
            health_centre=data["health_centre"],
        )
        return services.register_episode(
            actor=services.Actor(request.user, data["ward"]),
            patient=patient,
            ward=data["ward"],
            admitted_at=data["admitted_at"],
            care_type=data["care_type"] or None,
        )
