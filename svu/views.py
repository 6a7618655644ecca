"""The start page: where a user lands after logging in, by what their role can use."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse

from discharges.selectors import memberships_of, party_memberships


@login_required
def start(request: HttpRequest) -> HttpResponseRedirect:
    """Staff of a ward, health centre or kommun land on their worklist (Att göra); the
    partssammansatt grupp and the processledare, who follow up aggregates and have no
    episodes, on the follow-up overview; an administrator without either on the admin."""
    user = request.user
    if not user.is_authenticated:  # for the type checker: login_required let only users in
        return HttpResponseRedirect(reverse("login"))
    if party_memberships(user):
        return HttpResponseRedirect(reverse("discharges:worklist"))
    if memberships_of(user):
        return HttpResponseRedirect(reverse("analysis:dashboard"))
    if user.is_staff:
        return HttpResponseRedirect(reverse("admin:index"))
    return HttpResponseRedirect(reverse("discharges:worklist"))


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """``/favicon.ico``, which browsers ask for on their own: the icon the pages link to."""
    return HttpResponseRedirect(static("favicon.svg"))
