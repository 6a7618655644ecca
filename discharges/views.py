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
    EpisodeListFilters,
    PersonnummerSearchForm,
    RegisterEpisodeForm,
)
from discharges.http import AuthenticatedHttpRequest
from discharges.models import (
    AccessAction,
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
    }


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
    try:
        service(
            actor=services.actor_for(request.user, episode),
            patient=episode.patient,
            note=request.POST.get("note", "")[:300],
        )
        messages.success(request, _("Consent updated."))
    except services.Refused as exc:
        messages.error(request, exc.message)
    return redirect("discharges:episode_detail", pk=episode.pk)


@sensitive_post_parameters("personnummer")
@login_required
def register_episode(request: AuthenticatedHttpRequest) -> HttpResponse:
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
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    patient = services.register_patient(
                        personnummer=data["personnummer"],
                        kommun=data["kommun"],
                        name=data["name"],
                        address=data["address"],
                        health_centre=data["health_centre"],
                    )
                    episode = services.register_episode(
                        actor=services.Actor(request.user, data["ward"]),
                        patient=patient,
                        ward=data["ward"],
                        admitted_at=data["admitted_at"],
                        care_type=data["care_type"] or None,
                    )
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
    return render(request, "discharges/register.html", {"form": form}, status=status)
