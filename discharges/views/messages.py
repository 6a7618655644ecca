"""Writes from the episode page and the worklist: messages, kvittens, consent and the
patient's details. Each calls one service and goes back to the page it came from."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from discharges import access_log, plausibility, selectors, services
from discharges.forms import MESSAGE_FORMS, ConsentNoteForm, MessageForm, PatientIdentityForm
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction, Episode, EpisodeEvent, EventKind
from discharges.views.episodes import detail_context


def _back(request: AuthenticatedHttpRequest, episode: Episode) -> HttpResponse:
    """To the worklist when the action was taken there (``next=worklist``), else the episode."""
    if request.POST.get("next") == "worklist":
        return redirect(f"{reverse('discharges:worklist')}#episode-{episode.pk}")
    return redirect("discharges:episode_detail", pk=episode.pk)


@login_required
@require_POST
def send_message(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    """One message. Invalid input: 400 with the form; a value that is allowed but unlikely:
    the form again with the warnings, sent on confirmation; a stale version: 409 with what
    changed and the form on the current version, the user's input kept."""
    episode = selectors.get_visible_episode(request.user, pk)
    if kind not in MESSAGE_FORMS:
        raise Http404
    form_class, service = MESSAGE_FORMS[kind]
    form = form_class(request.POST, auto_id=f"id_{kind}_%s", episode=episode)
    changes_since = None
    if not form.is_valid():
        status = 400
    elif not form.cleaned_data["confirmed"] and (
        warned := plausibility.warnings(kind, episode, form.cleaned_data)
    ):
        form = _rebound(form_class, request, kind, episode, confirmed="1")
        form.warnings = warned
        status = 200
    else:
        try:
            service(
                actor=services.actor_for(request.user, episode),
                episode=episode,
                **form.service_kwargs(),
            )
        except services.Stale:
            changes_since = form.cleaned_data["version"]
            episode.refresh_from_db()
            form = _rebound(form_class, request, kind, episode, version=episode.version)
            form.add_error(
                None,
                _(
                    "Someone else has changed the episode since you opened it: see what changed "
                    "above. Your input is kept; check it and send again."
                ),
            )
            status = 409
        except services.Refused as exc:
            _add_refusal(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Sent: %(kind)s.") % {"kind": EventKind(kind).label})
            return _back(request, episode)
    access_log.log_access(request.user, [episode], AccessAction.VIEW)
    context = detail_context(request, episode, {kind: form}, changes_since=changes_since)
    return render(request, "discharges/episode_detail.html", context, status=status)


def _rebound(
    form_class: type[MessageForm],
    request: AuthenticatedHttpRequest,
    kind: str,
    episode: Episode,
    **values: Any,
) -> MessageForm:
    """The form again with the user's input, some hidden values replaced."""
    data = request.POST.copy()
    for name, value in values.items():
        data[name] = str(value)
    form = form_class(data, auto_id=f"id_{kind}_%s", episode=episode)
    form.is_valid()
    return form


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
    return _back(request, episode)


@login_required
@require_POST
def acknowledge_all(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Kvittera alla: every message of the episode from the other parties not yet acknowledged."""
    episode = selectors.get_visible_episode(request.user, pk)
    try:
        receipts = services.acknowledge_all(
            actor=services.actor_for(request.user, episode), episode=episode
        )
    except services.Refused as exc:
        messages.error(request, exc.message)
    else:
        count = len(receipts)
        messages.success(
            request,
            ngettext(
                "%(reference)s: %(count)s message acknowledged.",
                "%(reference)s: %(count)s messages acknowledged.",
                count,
            )
            % {"reference": episode.reference, "count": count},
        )
    return _back(request, episode)


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
