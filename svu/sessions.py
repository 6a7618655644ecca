"""Session idle timeout (issue 13, point 1).

A session ends after ``SVU_SESSION_IDLE_SECONDS`` (30 minutes unless configured) without a
request, and in any case after ``SESSION_COOKIE_AGE``. Every page of a signed-in user carries a
warning (``templates/base.html``, ``static/js/session.js``) shown two minutes before the end,
whose button asks ``keepalive`` to count as activity.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

LAST_SEEN = "svu_last_seen"
# The last-seen time is written at most this often, so a page of requests costs one write.
WRITE_EVERY_SECONDS = 30


class IdleTimeoutMiddleware:
    """Logs out a user whose previous request is older than SVU_SESSION_IDLE_SECONDS; the
    request then goes on as an anonymous one (a page redirects to the login, the API
    answers 403). Place after the authentication and message middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        idle = settings.SVU_SESSION_IDLE_SECONDS
        if isinstance(last, int) and now - last > idle:
            logout(request)
            messages.info(
                request,
                _("You were logged out after %(minutes)d minutes without activity.")
                % {"minutes": idle // 60},
            )
            return
        if not isinstance(last, int) or now - last >= WRITE_EVERY_SECONDS:
            request.session[LAST_SEEN] = now


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """The warning's "stay logged in": counts as activity (204), or 403 when already out."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    request.session[LAST_SEEN] = int(time.time())
    return HttpResponse(status=204)


def idle_timeout(request: HttpRequest) -> dict[str, Any]:
    """Template context: the idle timeout and when to warn, in seconds."""
    idle = settings.SVU_SESSION_IDLE_SECONDS
    return {"session_idle_seconds": idle, "session_warn_seconds": min(120, idle // 2)}
