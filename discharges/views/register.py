"""Registering a stay: for a new patient, or for a known one (found by personnummer or from
the list of the patient's episodes) with the stored details filled in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from discharges import selectors, services
from discharges.forms import MAX_ID, RegisterEpisodeForm
from discharges.http import AuthenticatedHttpRequest
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    OrganisationKind,
    Patient,
    Role,
    Ward,
)
from discharges.personnummer import format_personnummer


def _wards(request: AuthenticatedHttpRequest) -> Any:
    """The wards the user registers stays for; none is a 404 (the page is not theirs)."""
    wards = Ward.objects.filter(
        pk__in=[
            m.organisation_id
            for m in selectors.memberships_of(request.user)
            if m.role == Role.WARD_STAFF and m.organisation.kind == OrganisationKind.WARD
        ]
    ).select_related("hospital__region")
    if not wards:
        raise Http404
    return wards


def _log_shown(request: AuthenticatedHttpRequest, patient: Patient, ward: Ward) -> None:
    """The stored details of a known patient are a read of patient data."""
    AccessLogEntry.objects.create(
        user=request.user,
        organisation=ward,
        patient=patient,
        action=AccessAction.VIEW,
        detail="register",
    )


def _now() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


def register_page_for(
    request: AuthenticatedHttpRequest, personnummer: str, known: Patient | None
) -> HttpResponse:
    """The register form for a personnummer found by the search: filled in from the stored
    patient when known (the read is logged), else with the number only."""
    wards = _wards(request)
    form = RegisterEpisodeForm(
        initial={"personnummer": format_personnummer(personnummer), "admitted_at": _now()},
        wards=wards,
        known=known,
    )
    if known is not None:
        _log_shown(request, known, wards[0])
    else:
        messages.info(request, _("No patient with this personal identity number is stored yet."))
    return render(request, "discharges/register.html", {"form": form, "known_patient": known})


def _patient_of_mine(request: AuthenticatedHttpRequest, raw: str) -> Patient:
    """A patient with an episode the user sees (``?patient=``): the list's filter; others 404."""
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Http404
    episode = (
        selectors.visible_episodes(request.user)
        .filter(patient_id=int(raw))
        .select_related("patient")
        .first()
    )
    if episode is None:
        raise Http404
    return episode.patient


@sensitive_post_parameters("personnummer")
@login_required
def register_episode(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registers a stay. A known personnummer is registered for the stored patient: the page
    first shows the stored values (never the typed ones) and registers on confirmation."""
    wards = _wards(request)
    if request.method != "POST":
        known = None
        if "patient" in request.GET:
            known = _patient_of_mine(request, request.GET["patient"])
            _log_shown(request, known, wards[0])
        form = RegisterEpisodeForm(initial={"admitted_at": _now()}, wards=wards, known=known)
        return render(request, "discharges/register.html", {"form": form, "known_patient": known})
    form = RegisterEpisodeForm(request.POST, wards=wards)
    context: dict[str, Any] = {"form": form}
    status = 400
    if form.is_valid():
        known = services.find_patient(form.cleaned_data["personnummer"])
        if known is not None and form.cleaned_data["known_patient"] != known.pk:
            return _show_known_patient(request, known, wards)
        if known is not None:  # the stored name and address, not the typed ones
            form = RegisterEpisodeForm(request.POST, wards=wards, known=known)
            form.is_valid()
            context = {"form": form, "known_patient": known}
        else:
            for name in services.missing_for_new_patient(form.cleaned_data):
                form.add_error(name, _("A new patient needs this."))
        if form.is_valid():
            try:
                episode = services.register_stay(
                    actor=services.Actor(request.user, form.cleaned_data["ward"]),
                    known=known,
                    data=form.cleaned_data,
                )
            except services.Refused as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("The episode is registered."))
                return redirect("discharges:episode_detail", pk=episode.pk)
    return render(request, "discharges/register.html", context, status=status)


def _show_known_patient(
    request: AuthenticatedHttpRequest, known: Patient, wards: Any
) -> HttpResponse:
    """The patient is known: show the stored values (a read, logged) and ask to confirm. The
    typed name, address, kommun and listing are replaced by the stored ones: they are not used."""
    data = request.POST.copy()
    data["known_patient"] = str(known.pk)
    data["kommun"] = str(known.kommun_id)
    data["health_centre"] = str(known.health_centre_id or "")
    for field in ("name", "address"):
        data[field] = ""
    form = RegisterEpisodeForm(data, wards=wards, known=known)
    form.is_valid()
    _log_shown(request, known, form.cleaned_data.get("ward") or wards[0])
    return render(request, "discharges/register.html", {"form": form, "known_patient": known})
