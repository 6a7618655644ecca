"""discharges.views: who may open which page (STYLE.md items 5 and 7, DOMAIN.md "Privacy").

- Anonymous users are sent to /login/ from every page.
- Out of scope is 404 everywhere, the same answer as a missing id; before the admission notice
  only the ward sees the episode, after it the kommun and the hälsocentral too.
- The register page is for ward staff only; the write endpoints take POST only.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from discharges.models import (
    AccessLogEntry,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EventKind,
    Receipt,
)
from tests.conftest import Personas, fresh, login, persona
from tests.discharges.pages import (
    FIND_URL,
    LIST_URL,
    MISSING_ID,
    REGISTER_URL,
    WORKLIST_URL,
    ack_url,
    consent_url,
    detail_url,
    events,
    listed_ids,
    message_url,
    without_csrf,
    worklist_ids,
)
from tests.personas import PERSONAS, SEES_NOTICED, SEES_REGISTERED

# --- Anonymous --------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client: Client, noticed: Episode) -> None:
    event = EpisodeEvent.objects.filter(episode=noticed).last()
    assert event is not None
    gets = [WORKLIST_URL, LIST_URL, detail_url(noticed.pk), REGISTER_URL]
    posts = [
        FIND_URL,
        message_url(noticed.pk, EventKind.ADMISSION_ANSWER),
        ack_url(noticed.pk, event.pk),
        consent_url(noticed.pk, "give"),
        REGISTER_URL,
    ]
    responses = [(url, client.get(url)) for url in gets]
    responses += [(url, client.post(url, {"version": noticed.version})) for url in posts]
    for url, response in responses:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url
    assert events(noticed) == 2
    assert not Receipt.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not AccessLogEntry.objects.exists()


# --- The access matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_a_registered_episode_to_the_ward_only(
    name: str, personas: Personas, episode: Episode
) -> None:
    client = login(persona(personas, name))
    seen = name in SEES_REGISTERED
    assert client.get(detail_url(episode.pk)).status_code == (200 if seen else 404)
    assert (episode.pk in listed_ids(client.get(LIST_URL))) is seen
    assert (episode.pk in worklist_ids(client.get(WORKLIST_URL))) is seen


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_a_noticed_episode_to_ward_kommun_and_health_centre(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    seen = name in SEES_NOTICED
    assert client.get(detail_url(noticed.pk)).status_code == (200 if seen else 404)
    assert (noticed.pk in listed_ids(client.get(LIST_URL))) is seen
    assert (noticed.pk in listed_ids(client.get(LIST_URL, {"status": "all"}))) is seen
    # Everyone who sees it has something to do on it (answer, track colour, ...).
    assert (noticed.pk in worklist_ids(client.get(WORKLIST_URL))) is seen


@pytest.mark.parametrize("name", sorted(set(PERSONAS) - SEES_NOTICED))
def test_it_answers_out_of_scope_exactly_as_a_missing_episode(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    out_of_scope = client.get(detail_url(noticed.pk))
    missing = client.get(detail_url(MISSING_ID))
    assert out_of_scope.status_code == missing.status_code == 404
    assert [t.name for t in out_of_scope.templates] == [t.name for t in missing.templates]
    assert without_csrf(out_of_scope.content) == without_csrf(missing.content)
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("name", sorted(set(PERSONAS) - SEES_NOTICED))
def test_it_refuses_every_write_out_of_scope_with_404(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    version = noticed.version
    writes = [
        (message_url(noticed.pk, EventKind.ADMISSION_ANSWER), {"current_services": "true"}),
        (message_url(noticed.pk, EventKind.READY_NOTICE), {"ready_date": timezone.localdate()}),
        (message_url(noticed.pk, "no-such-kind"), {}),
        (ack_url(noticed.pk, notice.pk), {}),
        (consent_url(noticed.pk, "give"), {}),
        (consent_url(noticed.pk, "withdraw"), {}),
    ]
    for url, data in writes:
        response = client.post(url, {"version": version, **data})
        assert response.status_code == 404, url
        missing = client.post(url.replace(f"/{noticed.pk}/", f"/{MISSING_ID}/"), {})
        assert missing.status_code == 404, url
    assert fresh(noticed).version == version
    assert not Receipt.objects.exists()
    assert not ConsentRecord.objects.exists()


@pytest.mark.parametrize("name", ["hc_coordinator", "kommun_planner"])
def test_it_hides_a_registered_episode_from_the_recipients_for_writes_too(
    name: str, personas: Personas, episode: Episode
) -> None:
    client = login(persona(personas, name))
    registered = EpisodeEvent.objects.get(episode=episode)
    for url in (
        message_url(episode.pk, EventKind.ADMISSION_ANSWER),
        ack_url(episode.pk, registered.pk),
        consent_url(episode.pk, "give"),
    ):
        assert client.post(url, {"version": 1, "current_services": "true"}).status_code == 404
    assert events(episode) == 1
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("name", PERSONAS)
def test_it_offers_the_register_page_to_ward_staff_only(name: str, personas: Personas) -> None:
    client = login(persona(personas, name))
    wards = {"ward_nurse", "psych_nurse"}
    assert client.get(REGISTER_URL).status_code == (200 if name in wards else 404)
    assert client.post(REGISTER_URL, {}).status_code == (400 if name in wards else 404)
    assert not Episode.objects.exists()


def test_it_rejects_get_on_the_write_endpoints(nurse: Client, noticed: Episode) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    for url in (
        FIND_URL,
        message_url(noticed.pk, EventKind.TRACK_COLOUR),
        ack_url(noticed.pk, notice.pk),
        consent_url(noticed.pk, "give"),
    ):
        assert nurse.get(url).status_code == 405, url
