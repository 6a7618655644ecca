"""The Att göra page, its self-refreshing rows and its one-click actions.

- The page lists the rows most urgent first, grouped, with days waiting since ready (3 or more
  marked in text) and what is new since the user's last look.
- ``worklist_rows`` answers 204 while the list is as the page shows it (nothing read, nothing
  logged), else the rows, logged.
- One click: kvittera alla, and the kommun's acknowledgement of the proposed homecoming time;
  both come back to the worklist. Out of scope is a 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import services
from discharges.models import AccessAction, AccessLogEntry, Episode, Receipt
from tests.conftest import Personas, fresh, login
from tests.discharges.pages import WORKLIST_URL, message_url

ROWS_URL = reverse("discharges:worklist_rows")


def ack_all_url(episode: Episode) -> str:
    return reverse("discharges:acknowledge_all", args=[episode.pk])


def row_ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="episode-(\d+)"', html)]


def test_the_page_shows_the_most_urgent_first_with_days_waiting(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    today = timezone.localdate()
    later = advance(make_episode(), "noticed")
    waiting = advance(
        make_episode(admitted_at=timezone.now() - timedelta(days=6)),
        "ready",
        ready_date=today - timedelta(days=4),
    )
    response = login(personas.kommun_planner).get(WORKLIST_URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert row_ids(html) == [waiting.pk, later.pk]
    row = html[html.index(f'id="episode-{waiting.pk}"') : html.index(f'id="episode-{later.pk}"')]
    assert "overdue-row" in row
    assert "4 dagar" in row and "3 dagar eller fler" in row  # marked in text, not only colour
    assert html.index("Försenat") < html.index(f'id="episode-{waiting.pk}"')
    assert "Bekräfta hemgång" not in row  # no proposal: the kommun gives the time itself


def test_the_page_marks_what_is_new_since_the_last_look(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    client = login(personas.kommun_planner)
    first = advance(make_episode(), "noticed")
    assert "badge-new" not in client.get(WORKLIST_URL).content.decode()  # no last look yet
    second = advance(make_episode(), "noticed")
    html = client.get(WORKLIST_URL).content.decode()
    new_rows = re.findall(r'<tr id="episode-(\d+)" class="[^"]*new-row', html)
    assert new_rows == [str(second.pk)]
    assert first.pk in row_ids(html)
    # Looked at now: nothing is new on the next look.
    assert "new-row" not in client.get(WORKLIST_URL).content.decode()


def test_the_rows_are_sent_again_only_when_they_changed(
    make_episode: Callable[..., Episode], personas: Personas, advance: Callable[..., Episode]
) -> None:
    client = login(personas.kommun_planner)
    advance(make_episode(), "noticed")
    page = client.get(WORKLIST_URL)
    stamp = page.context["stamp"]
    logged = AccessLogEntry.objects.filter(action=AccessAction.WORKLIST).count()
    unchanged = client.get(ROWS_URL, {"stamp": stamp}, HTTP_HX_REQUEST="true")
    assert unchanged.status_code == 204
    assert unchanged.content == b""
    assert AccessLogEntry.objects.filter(action=AccessAction.WORKLIST).count() == logged

    arrived = advance(make_episode(), "noticed")  # a new admission notice for the kommun
    changed = client.get(ROWS_URL, {"stamp": stamp}, HTTP_HX_REQUEST="true")
    html = changed.content.decode()
    assert changed.status_code == 200
    assert html.startswith('<div id="worklist-rows"')
    assert "<html" not in html  # the rows only
    assert f'<tr id="episode-{arrived.pk}" class=" new-row"' in html
    assert changed.context["stamp"] != stamp
    assert AccessLogEntry.objects.filter(action=AccessAction.WORKLIST).count() == logged + 2


def test_kvittera_alla_from_the_worklist(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    client = login(personas.hc_coordinator)
    html = client.get(WORKLIST_URL).content.decode()
    assert "Kvittera alla (2)" in html
    response = client.post(ack_all_url(episode), {"next": "worklist"})
    assert response.status_code == 302
    assert response["Location"] == f"{WORKLIST_URL}#episode-{episode.pk}"
    receipts = Receipt.objects.filter(event__episode=episode)
    assert {r.organisation_id for r in receipts} == {episode.health_centre_id}
    assert receipts.count() == 2
    assert "Kvittera alla" not in client.get(WORKLIST_URL).content.decode()
    # Again: nothing waits, nothing more is stored.
    client.post(ack_all_url(episode), {"next": "worklist"})
    assert receipts.count() == 2


def test_kvittera_alla_out_of_scope_is_404(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    response = login(personas.other_kommun_planner).post(ack_all_url(episode))
    assert response.status_code == 404
    assert not Receipt.objects.exists()


def test_the_kommun_acknowledges_the_proposed_time_with_one_click(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    proposed = timezone.localtime(timezone.now() + timedelta(days=1)).replace(
        second=0, microsecond=0
    )
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=proposed)
    client = login(personas.kommun_planner)
    html = client.get(WORKLIST_URL).content.decode()
    label = f"Bekräfta hemgång {proposed:%Y-%m-%d %H:%M}"
    assert label in html
    form = re.search(
        r'<form method="post" action="([^"]+)">(?:(?!</form>).)*' + re.escape(label),
        html,
        re.S,
    )
    assert form is not None and form.group(1) == message_url(episode.pk, "homecoming_acknowledged")
    fields = dict(re.findall(r'name="(version|homecoming_at|next)" value="([^"]*)"', form.group(0)))
    assert fields == {
        "version": str(fresh(episode).version),
        "homecoming_at": f"{proposed:%Y-%m-%d %H:%M}",
        "next": "worklist",
    }
    response = client.post(form.group(1), fields)
    assert response.status_code == 302
    assert response["Location"].startswith(WORKLIST_URL)
    stored = fresh(episode)
    assert stored.homecoming_at == proposed
    assert stored.homecoming_acknowledged_at is not None
    assert label not in client.get(WORKLIST_URL).content.decode()


def test_a_stale_one_click_acknowledgement_is_refused(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    first = timezone.now() + timedelta(days=1)
    services.propose_homecoming(actor=personas.ward_actor, episode=episode, homecoming_at=first)
    seen = fresh(episode).version
    services.propose_homecoming(
        actor=personas.ward_actor, episode=episode, homecoming_at=first + timedelta(hours=4)
    )
    client: Client = login(personas.kommun_planner)
    response = client.post(
        message_url(episode.pk, "homecoming_acknowledged"),
        {"version": str(seen), "homecoming_at": f"{timezone.localtime(first):%Y-%m-%d %H:%M}",
         "next": "worklist"},
    )  # fmt: skip
    assert response.status_code == 409
    assert fresh(episode).homecoming_acknowledged_at is None


def test_the_rows_escape_what_they_show(
    make_episode: Callable[..., Episode],
    make_patient: Callable[..., object],
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    # The rows are built in Python (discharges/templatetags/worklist.py), not by the template.
    episode = advance(make_episode(make_patient(name='<b onmouseover="x()">Eva</b>')), "noticed")
    html = login(personas.kommun_planner).get(WORKLIST_URL).content.decode()
    assert "<b onmouseover" not in html
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;Eva&lt;/b&gt;" in html
    assert f'<a href="/episodes/{episode.pk}/">' in html
