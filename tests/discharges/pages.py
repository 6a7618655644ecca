"""URLs and HTML helpers for the page tests of discharges.views (``test_views_*.py``).

Texts may be translated (Swedish) or not, so the checks look at status codes, URLs, the
database, the template context and stable ids in the HTML.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.urls import reverse

from discharges.models import AccessLogEntry, Episode, EpisodeEvent

MISSING_ID = 987654321


def detail_url(episode_id: int) -> str:
    return reverse("discharges:episode_detail", args=[episode_id])


def message_url(episode_id: int, kind: str) -> str:
    return reverse("discharges:send_message", args=[episode_id, kind])


def ack_url(episode_id: int, event_id: int) -> str:
    return reverse("discharges:acknowledge", args=[episode_id, event_id])


def consent_url(episode_id: int, action: str) -> str:
    return reverse("discharges:consent", args=[episode_id, action])


LIST_URL = reverse("discharges:episode_list")
WORKLIST_URL = reverse("discharges:worklist")
REGISTER_URL = reverse("discharges:register")
FIND_URL = reverse("discharges:find")


def without_csrf(content: bytes) -> bytes:
    """The page with its per-request CSRF tokens removed, for comparing two responses."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


def links(content: bytes) -> list[str]:
    """Every href and form action in the HTML."""
    return re.findall(r'(?:href|action)="([^"]*)"', content.decode())


def number_forms(personnummer: str) -> list[str]:
    """The 12-digit number and its 10-digit forms, with and without a hyphen."""
    ten = personnummer[2:]
    return [personnummer, f"{personnummer[:8]}-{personnummer[8:]}", ten, f"{ten[:6]}-{ten[6:]}"]


def assert_no_number(text: str, personnummer: str) -> None:
    for form in number_forms(personnummer):
        assert form not in text, f"{form} found"


def events(episode: Episode) -> int:
    return EpisodeEvent.objects.filter(episode_id=episode.pk).count()


def listed_ids(response: Any) -> set[int]:
    return {ep.pk for ep in response.context["page"].object_list}


def worklist_ids(response: Any) -> set[int]:
    return {row.episode.pk for row in response.context["rows"]}


def form_item(response: Any, kind: str) -> dict[str, Any] | None:
    return next((item for item in response.context["forms"] if item["kind"] == kind), None)


def log_rows(user: AbstractUser, action: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user, action=action).order_by("id"))
