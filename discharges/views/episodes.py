"""The episode list, finding a patient by personnummer, and the episode page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from discharges import access_log, selectors, services
from discharges.forms import (
    MESSAGE_FORMS,
    EpisodeListFilters,
    PatientIdentityForm,
    PersonnummerSearchForm,
    RegionMenus,
)
from discharges.http import AuthenticatedHttpRequest
from discharges.models import (
    AccessAction,
    Episode,
    EpisodeStatus,
    EventKind,
    Patient,
    Role,
)
from discharges.pagination import UncountedPage
from discharges.views import register


@login_required
def episode_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = EpisodeListFilters(request.GET)
    patient_id = None
    if filters.is_valid():
        data = filters.cleaned_data
        qs = selectors.episode_list(request.user, status=data["status"], query=data["q"])
        if data["patient"] is not None:
            qs = qs.filter(patient_id=data["patient"])
            patient_id = data["patient"]
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
    can_register = selectors.has_role(request.user, Role.WARD_STAFF)
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
            "can_register": can_register,
            # A new stay for the patient the list is filtered by (one of the user's patients).
            "register_patient": patient_id if can_register and page.object_list else None,
        },
        status=http_status,
    )


@sensitive_post_parameters("personnummer")
@login_required
@require_POST
def find_by_personnummer(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The personnummer travels in the POST body; the redirect carries the patient id only.
    Ward staff who find no episode of theirs get the register form for the number, filled in
    from the stored patient when there is one."""
    form = PersonnummerSearchForm(request.POST)
    if form.is_valid():
        number = form.cleaned_data["personnummer"]
        patient = Patient.objects.filter(personnummer=number).first()
        if (
            patient is not None
            and selectors.visible_episodes(request.user).filter(patient=patient).exists()
        ):
            return redirect(f"{_list_url()}?status=all&patient={patient.pk}")
        if selectors.has_role(request.user, Role.WARD_STAFF):
            return register.register_page_for(request, number, patient)
        messages.info(request, _("No episode of yours concerns that personal identity number."))
    else:
        messages.error(request, " ".join(str(e) for e in form.errors["personnummer"]))
    return redirect(_list_url())


def _list_url() -> str:
    return reverse("discharges:episode_list")


def _initial(kind: str, episode: Episode) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": episode.version}
    if kind == EventKind.HOMECOMING_ACKNOWLEDGED and episode.homecoming_proposed_at:
        initial["homecoming_at"] = episode.homecoming_proposed_at
    return initial


def detail_context(
    request: AuthenticatedHttpRequest,
    episode: Episode,
    bound: dict[str, Any] | None = None,
    *,
    changes_since: int | None = None,
) -> dict[str, Any]:
    """The episode page: what the user sees, the forms of the messages the party may send now
    (``bound``: a form sent back with its errors, warnings or input), and after a stale send
    (``changes_since``: the version the user's form was based on) what changed since."""
    view = selectors.present_episode(request.user, episode)
    forms = []
    kinds = services.available_kinds(episode, view.party)
    # A refused form stays on the page with its error even when the step is no longer offered.
    kinds += [kind for kind in (bound or {}) if kind not in kinds]
    # The municipality and health centre menus, read once for the page's forms that have them.
    menus = RegionMenus(episode.kommun.code[:2])
    for kind in kinds:
        form_class, _service = MESSAGE_FORMS[kind]
        # Each form's element ids are prefixed with its kind: one page holds many forms.
        form = (bound or {}).get(kind) or form_class(
            initial=_initial(kind, episode),
            auto_id=f"id_{kind}_%s",
            episode=episode,
            menus=menus,
        )
        forms.append({"kind": kind, "label": EventKind(kind).label, "form": form})
    timeline = selectors.timeline(request.user, episode)
    return {
        "view": view,
        "episode": episode,
        "fields": view.fields,
        "timeline": timeline,
        "to_acknowledge": sum(1 for entry in timeline if entry.can_acknowledge),
        "changes": (
            [entry for entry in timeline if entry.event.seq > changes_since]
            if changes_since is not None
            else None
        ),
        "forms": forms,
        "accept_homecoming": _accept_homecoming(view, episode, kinds),
        "can_record_consent": view.party == "ward",
        "identity_history": selectors.identity_history(request.user, episode),
        "identity_form": (
            _identity_form(episode, menus) if _may_change_identity(view, episode) else None
        ),
        "canonical_url": reverse("discharges:episode_detail", args=[episode.pk]),
    }


def _accept_homecoming(view: selectors.EpisodeView, episode: Episode, kinds: list[str]) -> bool:
    """The kommun can acknowledge the ward's proposed time with one click."""
    return (
        view.party == "kommun"
        and EventKind.HOMECOMING_ACKNOWLEDGED in kinds
        and episode.homecoming_proposed_at is not None
        and episode.homecoming_acknowledged_at is None
    )


def _may_change_identity(view: selectors.EpisodeView, episode: Episode) -> bool:
    """The page offers the change to the ward of an active episode (the service's rule)."""
    return view.party == "ward" and episode.is_active


def _identity_form(episode: Episode, menus: RegionMenus) -> PatientIdentityForm:
    patient = episode.patient
    return PatientIdentityForm(
        initial={
            "name": patient.name,
            "address": patient.address,
            "kommun": patient.kommun_id,
            "health_centre": patient.health_centre_id,
        },
        auto_id="id_identity_%s",
        region_code=episode.kommun.code[:2],
        menus=menus,
    )


@login_required
def episode_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    episode = selectors.get_visible_episode(request.user, pk)
    access_log.log_access(request.user, [episode], AccessAction.VIEW)
    return render(request, "discharges/episode_detail.html", detail_context(request, episode))
