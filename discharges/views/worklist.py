"""Att göra: the worklist page and its rows, which the page fetches again by itself (htmx,
every 60 s while the page is visible and when the window gets focus)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from discharges import access_log, worklists
from discharges.http import AuthenticatedHttpRequest
from discharges.models import AccessAction

# The session keys: when the user last opened the worklist page, and the moment before that
# (what the page marks as new is what was recorded after it).
SEEN_KEY = "svu_worklist_seen_at"
SINCE_KEY = "svu_worklist_since"
# How often the page asks for its rows while visible (and whenever the window gets focus).
POLL_SECONDS = 60


def _stamp(rows: list[worklists.WorklistRow]) -> str:
    """A fingerprint of what the list shows (no patient data): unchanged, nothing is sent."""
    parts = [
        f"{r.episode.pk}:{r.episode.version}:{r.urgency}:{r.unacknowledged}:{r.new}:"
        + ",".join(f"{t.code}{t.overdue}" for t in r.tasks)
        for r in rows
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _context(rows: list[worklists.WorklistRow], since: datetime | None) -> dict[str, Any]:
    return {
        "rows": rows,
        "since": since,
        "stamp": _stamp(rows),
        "refreshed_at": timezone.localtime(),
        "poll_seconds": POLL_SECONDS,
    }


@login_required
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Att göra: what waits for the user's organisations, overdue first. What was recorded
    since the user last opened this page is marked new."""
    now = timezone.now()
    since = parse_datetime(request.session.get(SEEN_KEY, "") or "")
    request.session[SINCE_KEY] = since.isoformat() if since else ""
    request.session[SEEN_KEY] = now.isoformat()
    rows = worklists.worklist(request.user, now=now, since=since)
    access_log.log_access(request.user, [row.episode for row in rows], AccessAction.WORKLIST)
    return render(request, "discharges/worklist.html", _context(rows, since))


@login_required
def worklist_rows(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The worklist's rows for the page's refresh: 204 (nothing sent, nothing logged) while
    the list is as the page shows it (``stamp``), else the rows, logged as a read."""
    # New: since the look before the page was opened or, on a first look, since it was opened.
    session = request.session
    since = parse_datetime(session.get(SINCE_KEY) or session.get(SEEN_KEY) or "")
    rows = worklists.worklist(request.user, since=since)
    context = _context(rows, since)
    if request.GET.get("stamp") == context["stamp"]:
        return HttpResponse(status=204)
    access_log.log_access(request.user, [row.episode for row in rows], AccessAction.WORKLIST)
    return render(request, "discharges/_worklist_rows.html", context)
