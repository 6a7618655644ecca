"""The deviation pages: filing one from the episode page, answering it, and the list (the
parties' own, or for a processledare every deviation of the region, without the patient).

A deviation is found through its episode: not visible is a 404; visible but not the concerned
organisation's is a 403 on answering. Every list read is logged per episode."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from deviations import selectors, services
from deviations.models import Category, Deviation
from discharges.access_log import log_access
from discharges.forms import MAX_ID
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction, Episode
from discharges.selectors import get_visible_episode, visible_episodes

LIST_LIMIT = 200


def _episode_url(episode_id: int) -> str:
    return reverse("discharges:episode_detail", args=[episode_id]) + "#deviations"


@login_required
@require_POST
def file_view(request: AuthenticatedHttpRequest, episode_id: int) -> HttpResponse:
    if episode_id > MAX_ID:
        raise Http404
    episode = get_visible_episode(request.user, episode_id)
    data = {
        "category": request.POST.get("category", ""),
        "concerns": request.POST.get("concerns", ""),
        "description": request.POST.get("description", ""),
    }
    try:
        raw = data["concerns"]
        concerns = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None
        services.file_deviation(
            request.user,
            episode,
            category=data["category"],
            description=data["description"],
            concerns_id=concerns,
        )
    except services.NotAllowed as exc:
        raise PermissionDenied from exc
    except services.DeviationError as exc:
        context: dict[str, Any] = {
            "episode": episode,
            "error": exc,
            "data": data,
            "categories": Category.choices,
            "others": selectors.other_parties(request.user, episode),
        }
        return render(request, "deviations/file.html", context, status=400)
    return redirect(_episode_url(episode.pk))


@login_required
@require_POST
def answer_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if pk > MAX_ID:
        raise Http404
    deviation = (
        Deviation.objects.filter(pk=pk, episode__in=visible_episodes(request.user))
        .select_related("episode", "concerns", "filed_by_organisation")
        .first()
    )
    if deviation is None:
        raise Http404
    try:
        services.answer_deviation(request.user, deviation.pk, request.POST.get("answer", ""))
    except services.NotAllowed as exc:
        raise PermissionDenied from exc
    except services.DeviationError as exc:
        context = {"deviation": deviation, "error": exc, "text": request.POST.get("answer", "")}
        return render(request, "deviations/answer.html", context, status=400)
    return redirect(_episode_url(deviation.episode_id))


@login_required
def deviation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Newest first, at most LIST_LIMIT; ``category`` and ``kommun`` (code) narrow it."""
    qs = selectors.visible_deviations(request.user)
    category = request.GET.get("category", "")
    if category in Category.values:
        qs = qs.filter(category=category)
    kommun = request.GET.get("kommun", "")
    if kommun.isascii() and kommun.isdigit() and len(kommun) == 4:
        qs = qs.filter(episode__kommun__code=kommun)
    else:
        kommun = ""  # not a kommun code: ignored, and not shown back
    rows = list(qs[:LIST_LIMIT])
    own = set(
        visible_episodes(request.user)
        .filter(pk__in=[d.episode_id for d in rows])
        .values_list("pk", flat=True)
    )
    if rows:
        log_access(
            request.user,
            Episode.objects.filter(pk__in={d.episode_id for d in rows}),
            AccessAction.LIST,
            detail="deviations",
        )
    return render(
        request,
        "deviations/list.html",
        {
            "rows": [(d, d.episode_id in own) for d in rows],
            "limit": LIST_LIMIT,
            "categories": Category.choices,
            "category": category,
            "kommun": kommun,
        },
    )
