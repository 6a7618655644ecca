"""discharges.views: every page per persona (STYLE.md items 5 and 7, DOMAIN.md "Privacy").

- Anonymous users are sent to /login/ from every page.
- Out of scope is 404 everywhere, the same answer as a missing id; before the admission notice
  only the ward sees the episode, after it the kommun and the hälsocentral too.
- Without consent the other parties see the basic fields only; consent reveals the rest.
- Every read of patient-level data appends access-log rows.
- A personnummer never lands in a URL, a redirect or a log line.
- Messages through the page: sent, stale (409), refused (400), wrong party (403).
- Registering an episode is for ward staff only.

Texts may be translated (Swedish) or not, so the checks look at status codes, URLs, the
database, the template context and stable ids in the HTML.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html import escape
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import services
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    ConsentAction,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    Patient,
    Receipt,
)
from discharges.selectors import BASIC_FIELDS
from tests.conftest import SECRET_REASON, OrgTree, Personas, fresh, login, persona
from tests.personas import PERSONAS, SEES_NOTICED, SEES_REGISTERED

MISSING_ID = 987654321


# --- Helpers ----------------------------------------------------------------------------------


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
    return {view.episode.pk for view in response.context["views"]}


def form_item(response: Any, kind: str) -> dict[str, Any] | None:
    return next((item for item in response.context["forms"] if item["kind"] == kind), None)


def log_rows(user: AbstractUser, action: str) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user, action=action).order_by("id"))


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


# --- Acknowledge and consent ------------------------------------------------------------------


def test_it_lets_the_kommun_acknowledge_the_admission_notice(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = planner.post(ack_url(noticed.pk, notice.pk))
    assert response.status_code == 302
    assert response["Location"] == detail_url(noticed.pk)
    receipt = Receipt.objects.get(event=notice)
    assert receipt.organisation_id == org_tree.umea.pk
    assert receipt.user_id == personas.kommun_planner.pk
    # A second time is refused with a message, still no second receipt.
    again = login(personas.kommun_planner).post(ack_url(noticed.pk, notice.pk))
    assert again.status_code == 302
    assert [m.level_tag for m in get_messages(again.wsgi_request)] == ["error"]
    assert Receipt.objects.count() == 1
    timeline = planner.get(detail_url(noticed.pk)).context["timeline"]
    acknowledged = {e.event.kind: e.acknowledged_by_me for e in timeline}
    assert acknowledged == {EventKind.REGISTERED: False, EventKind.ADMISSION_NOTICE: True}


def test_it_refuses_an_acknowledgement_of_the_own_message(nurse: Client, noticed: Episode) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = nurse.post(ack_url(noticed.pk, notice.pk))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not Receipt.objects.exists()


def test_it_answers_404_for_an_event_of_another_episode(
    planner: Client, noticed: Episode, make_episode: Callable[..., Episode], advance: Callable
) -> None:
    other = advance(make_episode(), "noticed")
    foreign = EpisodeEvent.objects.get(episode=other, kind=EventKind.ADMISSION_NOTICE)
    assert planner.post(ack_url(noticed.pk, foreign.pk)).status_code == 404
    assert planner.post(ack_url(noticed.pk, 10**9)).status_code == 404
    assert not Receipt.objects.exists()


def test_it_lets_the_ward_record_and_withdraw_consent(
    nurse: Client, personas: Personas, noticed: Episode
) -> None:
    response = nurse.post(consent_url(noticed.pk, "give"), {"note": "Muntligt samtycke"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(noticed.pk)
    record = ConsentRecord.objects.get()
    assert (record.action, record.recorded_by_id, record.note) == (
        ConsentAction.GIVEN,
        personas.ward_nurse.pk,
        "Muntligt samtycke",
    )
    assert Patient.objects.get(pk=noticed.patient_id).has_consent
    assert nurse.post(consent_url(noticed.pk, "withdraw")).status_code == 302
    assert not Patient.objects.get(pk=noticed.patient_id).has_consent
    assert ConsentRecord.objects.count() == 2
    assert nurse.post(consent_url(noticed.pk, "maybe")).status_code == 404


@pytest.mark.parametrize("name", ["kommun_planner", "hc_coordinator"])
def test_it_refuses_consent_from_the_recipients(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    response = client.post(consent_url(noticed.pk, "give"))
    assert response.status_code == 302
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert not ConsentRecord.objects.exists()
    assert not Patient.objects.get(pk=noticed.patient_id).has_consent
    page = client.get(detail_url(noticed.pk))
    assert page.context["can_record_consent"] is False
    assert consent_url(noticed.pk, "give") not in links(page.content)


# --- Fields hidden without consent ------------------------------------------------------------


def test_it_hides_the_details_from_the_kommun_without_consent(
    planner: Client, noticed: Episode
) -> None:
    response = planner.get(detail_url(noticed.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert SECRET_REASON not in html
    assert 'id="details-hidden"' in html
    view = response.context["view"]
    assert view.details is False
    assert view.party == "kommun"
    fields = response.context["fields"]
    for key, value in fields.items():
        if key not in BASIC_FIELDS:
            assert value is None, key
    assert fields["name"] == noticed.patient.name
    assert fields["personnummer"] == noticed.patient.personnummer
    assert fields["address"] == noticed.patient.address
    shown = {e.event.kind: e.show_data for e in response.context["timeline"]}
    assert shown == {EventKind.REGISTERED: False, EventKind.ADMISSION_NOTICE: False}


def test_it_shows_the_kommun_its_own_message_contents(
    planner: Client, personas: Personas, noticed: Episode
) -> None:
    services.answer_admission(
        actor=personas.kommun_actor, episode=noticed, current_services=True, services="Hemtjänst-X9"
    )
    response = planner.get(detail_url(noticed.pk))
    shown = {e.event.kind: e.show_data for e in response.context["timeline"]}
    assert shown[EventKind.ADMISSION_ANSWER] is True
    assert shown[EventKind.ADMISSION_NOTICE] is False
    assert "Hemtjänst-X9" in response.content.decode()


def test_it_shows_the_ward_every_detail(nurse: Client, noticed: Episode) -> None:
    response = nurse.get(detail_url(noticed.pk))
    html = response.content.decode()
    assert SECRET_REASON in html
    assert 'id="details-hidden"' not in html
    assert response.context["view"].details is True
    assert response.context["fields"]["admission_reason"] == SECRET_REASON
    assert response.context["can_record_consent"] is True


def test_it_reveals_the_details_with_consent_and_hides_them_again_on_withdrawal(
    nurse: Client, planner: Client, personas: Personas, noticed: Episode
) -> None:
    assert nurse.post(consent_url(noticed.pk, "give")).status_code == 302
    response = planner.get(detail_url(noticed.pk))
    assert SECRET_REASON in response.content.decode()
    assert response.context["view"].details is True
    assert response.context["fields"]["admission_reason"] == SECRET_REASON
    assert all(e.show_data for e in response.context["timeline"])

    assert nurse.post(consent_url(noticed.pk, "withdraw")).status_code == 302
    response = planner.get(detail_url(noticed.pk))
    assert SECRET_REASON not in response.content.decode()
    assert response.context["fields"]["admission_reason"] is None


def test_it_keeps_the_details_from_the_health_centre_without_consent(
    personas: Personas, noticed: Episode
) -> None:
    response = login(personas.hc_coordinator).get(detail_url(noticed.pk))
    assert response.status_code == 200
    assert SECRET_REASON not in response.content.decode()
    assert response.context["view"].party == "health_centre"
    assert response.context["fields"]["hospital"] is None


# --- Access log -------------------------------------------------------------------------------


def test_it_logs_one_row_per_episode_on_the_list_page(
    nurse: Client, personas: Personas, org_tree: OrgTree, make_episode: Callable[..., Episode]
) -> None:
    shown = {make_episode().pk for _ in range(3)}
    started = timezone.now()
    response = nurse.get(LIST_URL)
    assert listed_ids(response) == shown
    rows = log_rows(personas.ward_nurse, AccessAction.LIST)
    assert {r.episode_id for r in rows} == shown
    assert len(rows) == 3
    for row in rows:
        assert row.organisation_id == org_tree.ward.pk
        assert row.patient_id == Episode.objects.get(pk=row.episode_id).patient_id
        assert started <= row.at <= timezone.now()
    assert AccessLogEntry.objects.count() == 3


def test_it_logs_only_the_episodes_shown_on_the_list_page(
    nurse: Client, personas: Personas, make_episode: Callable[..., Episode], advance: Callable
) -> None:
    active = make_episode()
    closed = advance(make_episode(), "closed")
    response = nurse.get(LIST_URL)  # active only
    assert listed_ids(response) == {active.pk}
    assert {r.episode_id for r in log_rows(personas.ward_nurse, AccessAction.LIST)} == {active.pk}
    assert closed.pk not in {r.episode_id for r in AccessLogEntry.objects.all()}


def test_it_logs_the_detail_page(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    assert planner.get(detail_url(noticed.pk)).status_code == 200
    [row] = AccessLogEntry.objects.all()
    assert row.user_id == personas.kommun_planner.pk
    assert row.organisation_id == org_tree.umea.pk
    assert row.episode_id == noticed.pk
    assert row.patient_id == noticed.patient_id
    assert row.action == AccessAction.VIEW


def test_it_logs_the_worklist(
    personas: Personas, org_tree: OrgTree, noticed: Episode, make_episode: Callable[..., Episode]
) -> None:
    registered = make_episode()  # not the kommun's yet
    response = login(personas.kommun_planner).get(WORKLIST_URL)
    assert worklist_ids(response) == {noticed.pk}
    rows = log_rows(personas.kommun_planner, AccessAction.WORKLIST)
    assert [(r.episode_id, r.organisation_id) for r in rows] == [(noticed.pk, org_tree.umea.pk)]

    response = login(personas.ward_nurse).get(WORKLIST_URL)
    assert worklist_ids(response) == {noticed.pk, registered.pk}
    rows = log_rows(personas.ward_nurse, AccessAction.WORKLIST)
    assert {r.episode_id for r in rows} == {noticed.pk, registered.pk}
    assert {r.organisation_id for r in rows} == {org_tree.ward.pk}


def test_it_logs_nothing_for_an_empty_list_or_a_refused_page(
    personas: Personas, noticed: Episode
) -> None:
    client = login(personas.other_kommun_planner)
    client.get(LIST_URL)
    client.get(WORKLIST_URL)
    client.get(detail_url(noticed.pk))
    assert not AccessLogEntry.objects.exists()


# --- Personnummer never in a URL --------------------------------------------------------------


@pytest.mark.parametrize("form", ["twelve", "twelve-hyphen", "ten-hyphen"])
def test_it_finds_by_personnummer_through_post_and_redirects_by_patient_id(
    form: str, nurse: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    typed = {
        "twelve": number,
        "twelve-hyphen": f"{number[:8]}-{number[8:]}",
        "ten-hyphen": f"{number[2:8]}-{number[8:]}",
    }[form]
    response = nurse.post(FIND_URL, {"personnummer": typed})
    assert response.status_code == 302
    location = response["Location"]
    assert f"patient={noticed.patient_id}" in location
    assert_no_number(location, number)
    page = nurse.get(location)
    assert listed_ids(page) == {noticed.pk}


def test_it_answers_find_for_an_unknown_and_an_out_of_scope_patient_alike(
    personas: Personas, noticed: Episode, new_personnummer: Callable[..., str]
) -> None:
    user = personas.other_kommun_planner
    out_of_scope = login(user).post(FIND_URL, {"personnummer": noticed.patient.personnummer})
    unknown = login(user).post(FIND_URL, {"personnummer": new_personnummer()})
    assert out_of_scope.status_code == unknown.status_code == 302
    assert out_of_scope["Location"] == unknown["Location"] == LIST_URL
    levels = [m.level_tag for m in get_messages(out_of_scope.wsgi_request)]
    assert levels == [m.level_tag for m in get_messages(unknown.wsgi_request)] == ["info"]


def test_it_refuses_a_bad_personnummer_in_find_without_echoing_it(nurse: Client) -> None:
    typed = "194103151010"  # wrong check digit
    response = nurse.post(FIND_URL, {"personnummer": typed}, follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert typed not in messages[0]
    assert typed not in response.content.decode()


def test_it_keeps_the_personnummer_out_of_every_link_and_redirect(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    found = nurse.post(FIND_URL, {"personnummer": number})
    sent = nurse.post(
        message_url(noticed.pk, EventKind.TRACK_COLOUR),
        {"version": noticed.version, "colour": "green"},
    )
    assert sent.status_code == 302
    responses = [found, sent]
    for client in (nurse, planner):
        responses += [
            client.get(LIST_URL),
            client.get(LIST_URL, {"status": "all"}),
            client.get(found["Location"]),
            client.get(detail_url(noticed.pk)),
            client.get(WORKLIST_URL),
        ]
    # The number is shown on the pages, never inside a link.
    assert f"{number[:8]}-{number[8:]}" in responses[-2].content.decode()
    for response in responses:
        if response.status_code in (301, 302):
            assert_no_number(response["Location"], number)
        else:
            assert response.status_code == 200
            for link in links(response.content):
                assert_no_number(link, number)


@pytest.mark.parametrize("form", ["twelve", "ten", "ten-hyphen"])
def test_it_does_not_match_a_personnummer_given_in_the_query_string(
    form: str, nurse: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    query = {"twelve": number, "ten": number[2:], "ten-hyphen": f"{number[2:8]}-{number[8:]}"}
    response = nurse.get(LIST_URL, {"status": "all", "q": query[form]})
    assert response.status_code == 200
    assert listed_ids(response) == set()
    # By name it is found.
    by_name = nurse.get(LIST_URL, {"status": "all", "q": noticed.patient.name})
    assert listed_ids(by_name) == {noticed.pk}


@pytest.fixture
def request_log() -> Iterator[io.StringIO]:
    """What the configured handlers of the django.request logger write."""
    logger = logging.getLogger("django.request")
    streams = []
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler):
            stream = io.StringIO()
            streams.append((handler, handler.setStream(stream)))
    assert streams, "django.request has no stream handler"
    out = streams[0][0].stream
    try:
        yield out
    finally:
        for handler, old in streams:
            handler.setStream(old)


def test_it_keeps_the_personnummer_out_of_the_404_log(
    nurse: Client,
    noticed: Episode,
    caplog: pytest.LogCaptureFixture,
    request_log: io.StringIO,
) -> None:
    number = noticed.patient.personnummer
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)  # django.request does not propagate to the root
    try:
        with caplog.at_level(logging.WARNING, logger="django.request"):
            for path in (
                f"/episodes/{number}/",
                f"/episodes/{number[2:]}/",
                f"/api/episodes/{number}/",
                f"/episodes/{MISSING_ID}/?q={number}",
            ):
                assert nurse.get(path).status_code == 404, path
    finally:
        logger.removeHandler(caplog.handler)
    assert len([r for r in caplog.records if r.status_code == 404]) == 4
    assert_no_number(caplog.text, number)
    written = request_log.getvalue()
    assert written.count("\n") >= 4
    assert_no_number(written, number)


# --- Messages through the page ----------------------------------------------------------------


def test_it_sends_a_message_and_redirects_to_the_episode(
    nurse: Client, personas: Personas, org_tree: OrgTree, episode: Episode
) -> None:
    preliminary = timezone.localdate() + timedelta(days=4)
    response = nurse.post(
        message_url(episode.pk, EventKind.ADMISSION_NOTICE),
        {"version": episode.version, "preliminary_ready_date": preliminary, "reason": "Stroke"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(episode.pk)
    event = EpisodeEvent.objects.filter(episode=episode).latest("seq")
    assert (event.kind, event.seq, event.author_id, event.organisation_id) == (
        EventKind.ADMISSION_NOTICE,
        2,
        personas.ward_nurse.pk,
        org_tree.ward.pk,
    )
    episode = fresh(episode)
    assert episode.version == 2
    assert episode.status == EpisodeStatus.PLANNING
    assert episode.preliminary_ready_date == preliminary
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_it_sends_a_kommun_message(planner: Client, org_tree: OrgTree, noticed: Episode) -> None:
    response = planner.post(
        message_url(noticed.pk, EventKind.ADMISSION_ANSWER),
        {"version": noticed.version, "current_services": "false", "social_network": "Dotter"},
    )
    assert response.status_code == 302
    event = EpisodeEvent.objects.filter(episode=noticed).latest("seq")
    assert event.kind == EventKind.ADMISSION_ANSWER
    assert event.organisation_id == org_tree.umea.pk
    assert event.data["current_services"] is False
    assert fresh(noticed).kommun_answered_at is not None


def test_it_answers_409_for_a_stale_version_and_adds_nothing(
    nurse: Client, personas: Personas, noticed: Episode
) -> None:
    opened = noticed.version
    services.answer_admission(actor=personas.kommun_actor, episode=noticed, current_services=True)
    response = nurse.post(
        message_url(noticed.pk, EventKind.PRELIMINARY_DATE_CHANGED),
        {
            "version": opened,
            "preliminary_ready_date": timezone.localdate() + timedelta(days=9),
        },
    )
    assert response.status_code == 409
    assert events(noticed) == opened + 1
    assert fresh(noticed).preliminary_date_changes == 0
    item = form_item(response, EventKind.PRELIMINARY_DATE_CHANGED)
    assert item is not None
    assert item["form"].is_bound
    [error] = item["form"].non_field_errors()
    assert escape(error) in response.content.decode()
    # The page now carries the current version for the next attempt.
    assert response.context["episode"].version == opened + 1


def test_it_shows_a_refused_field_in_the_form_without_echoing_the_personnummer(
    nurse: Client, noticed: Episode
) -> None:
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.PRELIMINARY_DATE_CHANGED),
        {"version": noticed.version, "preliminary_ready_date": noticed.preliminary_ready_date},
    )
    assert response.status_code == 400
    assert events(noticed) == before
    item = form_item(response, EventKind.PRELIMINARY_DATE_CHANGED)
    assert item is not None
    errors = item["form"].errors["preliminary_ready_date"]
    assert len(errors) == 1
    html = response.content.decode()
    assert escape(errors[0]) in html
    assert_no_number(errors[0], noticed.patient.personnummer)


def test_it_answers_400_for_a_refused_step_and_shows_the_error_in_the_form(
    nurse: Client, noticed: Episode, advance: Callable
) -> None:
    """Ready notice twice: refused by the service. The page must say why."""
    advance(noticed, "ready")
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.READY_NOTICE),
        {"version": noticed.version, "ready_date": timezone.localdate()},
    )
    assert response.status_code == 400
    assert events(noticed) == before
    item = form_item(response, EventKind.READY_NOTICE)
    assert item is not None, "the refused form is not on the page: the error is not shown"
    errors = item["form"].non_field_errors()
    assert len(errors) == 1
    assert escape(errors[0]) in response.content.decode()
    assert_no_number(errors[0], noticed.patient.personnummer)


def test_it_answers_400_for_invalid_input(nurse: Client, noticed: Episode) -> None:
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.READY_NOTICE), {"version": noticed.version}
    )
    assert response.status_code == 400
    item = form_item(response, EventKind.READY_NOTICE)
    assert item is not None
    assert "ready_date" in item["form"].errors
    assert events(noticed) == before


def test_it_answers_403_when_the_kommun_sends_a_ward_message(
    planner: Client, noticed: Episode
) -> None:
    before = events(noticed)
    for kind, data in (
        (EventKind.READY_NOTICE, {"ready_date": timezone.localdate()}),
        (EventKind.TRACK_COLOUR, {"colour": "red"}),
        (EventKind.DISCHARGE, {"destination": "ordinary_home"}),
    ):
        response = planner.post(message_url(noticed.pk, kind), {"version": noticed.version, **data})
        assert response.status_code == 403, kind
    assert events(noticed) == before
    assert fresh(noticed).status == EpisodeStatus.PLANNING


def test_it_answers_403_when_the_ward_sends_a_kommun_message(
    nurse: Client, noticed: Episode
) -> None:
    response = nurse.post(
        message_url(noticed.pk, EventKind.KOMMUN_READY), {"version": noticed.version}
    )
    assert response.status_code == 403
    assert events(noticed) == 2


def test_it_answers_404_for_an_unknown_message_kind(nurse: Client, noticed: Episode) -> None:
    response = nurse.post(message_url(noticed.pk, "ready"), {"version": noticed.version})
    assert response.status_code == 404
    assert events(noticed) == 2


def test_it_offers_each_party_its_own_forms(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    ward_kinds = {item["kind"] for item in nurse.get(detail_url(noticed.pk)).context["forms"]}
    kommun_page = planner.get(detail_url(noticed.pk))
    kommun_kinds = {item["kind"] for item in kommun_page.context["forms"]}
    assert EventKind.READY_NOTICE in ward_kinds
    assert EventKind.ADMISSION_ANSWER not in ward_kinds
    assert EventKind.ADMISSION_ANSWER in kommun_kinds
    assert EventKind.READY_NOTICE not in kommun_kinds
    html = kommun_page.content.decode()
    assert f'id="form-{EventKind.ADMISSION_ANSWER}"' in html
    assert f'id="form-{EventKind.READY_NOTICE}"' not in html


# --- Register episode -------------------------------------------------------------------------


def register_data(org_tree: OrgTree, personnummer: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "personnummer": personnummer,
        "name": "Sven Ek",
        "address": "Kungsgatan 3, 903 30 Umeå",
        "kommun": org_tree.umea.pk,
        "health_centre": org_tree.hc_umea.pk,
        "ward": org_tree.ward.pk,
        "care_type": "",
        "admitted_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


def test_it_registers_a_patient_and_an_episode(
    nurse: Client, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    number = new_personnummer()
    typed = f"{number[2:8]}-{number[8:]}"  # the 10-digit form
    response = nurse.post(REGISTER_URL, register_data(org_tree, typed))
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.personnummer == number
    assert (patient.name, patient.kommun_id, patient.health_centre_id) == (
        "Sven Ek",
        org_tree.umea.pk,
        org_tree.hc_umea.pk,
    )
    episode = Episode.objects.get()
    assert (episode.patient_id, episode.ward_id, episode.care_type) == (
        patient.pk,
        org_tree.ward.pk,
        org_tree.ward.care_type,
    )
    assert episode.status == EpisodeStatus.REGISTERED
    assert response["Location"] == detail_url(episode.pk)
    assert_no_number(response["Location"], number)
    assert nurse.get(response["Location"]).status_code == 200


def test_it_refuses_a_bad_personnummer_and_creates_nothing(
    nurse: Client, org_tree: OrgTree
) -> None:
    typed = "194103151010"  # wrong check digit
    response = nurse.post(REGISTER_URL, register_data(org_tree, typed))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["personnummer"]
    for error in errors["personnummer"]:
        assert escape(error) in response.content.decode()
        assert typed not in error
    assert not Patient.objects.exists()
    assert not Episode.objects.exists()


def test_it_refuses_to_register_at_another_ward(
    nurse: Client, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    response = nurse.post(
        REGISTER_URL, register_data(org_tree, new_personnummer(), ward=org_tree.psych_ward.pk)
    )
    assert response.status_code == 400
    assert "ward" in response.context["form"].errors
    assert not Episode.objects.exists()
    assert not Patient.objects.exists()


def test_it_offers_the_nurse_only_her_own_wards(nurse: Client, org_tree: OrgTree) -> None:
    response = nurse.get(REGISTER_URL)
    assert list(response.context["form"].fields["ward"].queryset) == [org_tree.ward]


def test_it_shows_dated_and_timed_deadlines_on_the_worklist(
    personas: Personas, make_episode: Callable[..., Episode]
) -> None:
    # An unsent admission notice is due at a time (admission + 24 h); a SIP invitation on a
    # day (ready date + 3): both kinds render, the overdue ones marked.
    late = make_episode(admitted_at=timezone.now() - timedelta(days=3))
    ready = make_episode(admitted_at=timezone.now() - timedelta(days=6))
    ready_date = timezone.localdate() - timedelta(days=5)
    services.send_ready_notice(actor=personas.ward_actor, episode=ready, ready_date=ready_date)
    services.assess_track_colour(
        actor=personas.ward_actor, episode=ready, colour="red", sip_needed=True
    )
    nurse = login(personas.ward_nurse).get(WORKLIST_URL)
    assert nurse.status_code == 200
    due = timezone.localtime(late.admitted_at + timedelta(hours=24))
    assert f"{due:%Y-%m-%d %H:%M}" in nurse.content.decode()
    coordinator = login(personas.hc_coordinator).get(WORKLIST_URL)
    assert coordinator.status_code == 200
    sip_due = ready_date + timedelta(days=3)
    html = coordinator.content.decode()
    assert sip_due.isoformat() in html
    assert 'class="overdue"' in html
