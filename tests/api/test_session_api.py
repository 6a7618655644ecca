"""The API with a signed-in session: every endpoint per persona (STYLE.md
items 5-7, DOMAIN.md "Privacy").

- Anonymous requests are refused (401/403) and read nothing.
- Out of scope is 404 with the same body as a missing id.
- Without consent the detail fields are null and other parties' message data is null.
- Reads append access-log rows (api_list, api_view).
- Messages: 201 with the new version; 409 stale naming "version"; 400 naming the field;
  403 wrong party; 404 out of scope or unknown kind. Acknowledgements likewise.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import services
from discharges.forms import MESSAGE_FORMS
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    Receipt,
)
from discharges.selectors import BASIC_FIELDS
from tests.conftest import SECRET_REASON, OrgTree, Personas, fresh, login, persona
from tests.personas import PERSONAS, SEES_NOTICED, SEES_REGISTERED

MISSING_ID = 987654321
LIST_URL = reverse("api:episode_list")


# --- Helpers ----------------------------------------------------------------------------------


def detail_url(episode_id: int) -> str:
    return reverse("api:episode_detail", args=[episode_id])


def message_url(episode_id: int, kind: str) -> str:
    """A literal path: unknown kinds too (reverse knows only the real ones)."""
    return f"/api/v1/episodes/{episode_id}/messages/{kind}/"


def ack_url(episode_id: int, event_id: int) -> str:
    return reverse("api:acknowledge", args=[episode_id, event_id])


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def listed_ids(client: Client, **params: str) -> set[int]:
    response = client.get(LIST_URL, params)
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def events(episode: Episode) -> int:
    return EpisodeEvent.objects.filter(episode_id=episode.pk).count()


# --- Anonymous --------------------------------------------------------------------------------


def test_it_refuses_anonymous_requests(client: Client, noticed: Episode) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    responses = [
        client.get(LIST_URL),
        client.get(detail_url(noticed.pk)),
        post(client, message_url(noticed.pk, EventKind.ADMISSION_ANSWER), {"version": 2}),
        post(client, ack_url(noticed.pk, notice.pk)),
    ]
    for response in responses:
        assert response.status_code in (401, 403)
        assert noticed.patient.personnummer not in response.content.decode()
    assert events(noticed) == 2
    assert not Receipt.objects.exists()
    assert not AccessLogEntry.objects.exists()


# --- The access matrix ------------------------------------------------------------------------


@pytest.mark.parametrize("name", PERSONAS)
def test_it_gives_a_registered_episode_to_the_ward_only(
    name: str, personas: Personas, episode: Episode
) -> None:
    client = login(persona(personas, name))
    seen = name in SEES_REGISTERED
    assert client.get(detail_url(episode.pk)).status_code == (200 if seen else 404)
    assert (episode.pk in listed_ids(client)) is seen


@pytest.mark.parametrize("name", PERSONAS)
def test_it_gives_a_noticed_episode_to_ward_kommun_and_health_centre(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    seen = name in SEES_NOTICED
    assert client.get(detail_url(noticed.pk)).status_code == (200 if seen else 404)
    assert (noticed.pk in listed_ids(client)) is seen
    assert (noticed.pk in listed_ids(client, status="planning")) is seen


@pytest.mark.parametrize("name", sorted(set(PERSONAS) - SEES_NOTICED))
def test_it_answers_out_of_scope_exactly_as_a_missing_episode(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    out_of_scope = client.get(detail_url(noticed.pk))
    missing = client.get(detail_url(MISSING_ID))
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json()
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("name", sorted(set(PERSONAS) - SEES_NOTICED))
def test_it_refuses_every_write_out_of_scope_with_404(
    name: str, personas: Personas, noticed: Episode
) -> None:
    client = login(persona(personas, name))
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    version = noticed.version
    for kind, data in (
        (EventKind.ADMISSION_ANSWER, {"current_services": True}),
        (EventKind.READY_NOTICE, {"ready_date": timezone.localdate().isoformat()}),
        ("no-such-kind", {}),
    ):
        response = post(client, message_url(noticed.pk, kind), {"version": version, **data})
        assert response.status_code == 404, kind
        missing = post(client, message_url(MISSING_ID, kind), {"version": version, **data})
        assert response.json() == missing.json()
    assert post(client, ack_url(noticed.pk, notice.pk)).status_code == 404
    assert fresh(noticed).version == version
    assert not Receipt.objects.exists()


@pytest.mark.parametrize("name", ["hc_coordinator", "kommun_planner"])
def test_it_hides_a_registered_episode_from_the_recipients_for_writes_too(
    name: str, personas: Personas, episode: Episode
) -> None:
    client = login(persona(personas, name))
    registered = EpisodeEvent.objects.get(episode=episode)
    url = message_url(episode.pk, EventKind.ADMISSION_ANSWER)
    assert post(client, url, {"version": 1, "current_services": False}).status_code == 404
    assert post(client, ack_url(episode.pk, registered.pk)).status_code == 404
    assert events(episode) == 1
    assert not Receipt.objects.exists()


# --- Fields hidden without consent ------------------------------------------------------------


def test_it_nulls_the_details_for_the_kommun_without_consent(
    planner: Client, personas: Personas, noticed: Episode
) -> None:
    services.answer_admission(
        actor=personas.kommun_actor, episode=noticed, current_services=True, services="Hemtjänst"
    )
    response = planner.get(detail_url(noticed.pk))
    assert response.status_code == 200
    assert SECRET_REASON not in response.content.decode()
    body = response.json()
    assert body["details_visible"] is False
    assert body["details"] is None
    assert set(body) >= set(BASIC_FIELDS) - {"name", "personnummer"}
    assert body["patient"] == {
        "name": noticed.patient.name,
        "personnummer": noticed.patient.personnummer,
    }
    assert body["address"] == noticed.patient.address
    assert body["status"] == "planning"
    data = {event["kind"]: event["data"] for event in body["events"]}
    assert data[EventKind.REGISTERED] is None
    assert data[EventKind.ADMISSION_NOTICE] is None
    assert data[EventKind.ADMISSION_ANSWER]["services"] == "Hemtjänst"


def test_it_gives_the_ward_every_detail(nurse: Client, noticed: Episode) -> None:
    body = nurse.get(detail_url(noticed.pk)).json()
    assert body["details_visible"] is True
    assert body["details"]["admission_reason"] == SECRET_REASON
    assert body["details"]["ward"] == noticed.ward.name
    assert all(event["data"] is not None for event in body["events"])
    notice = next(e for e in body["events"] if e["kind"] == EventKind.ADMISSION_NOTICE)
    assert notice["data"]["reason"] == SECRET_REASON


def test_it_reveals_the_details_with_consent(
    planner: Client, personas: Personas, noticed: Episode
) -> None:
    services.record_consent(actor=personas.ward_actor, episode=noticed)
    body = planner.get(detail_url(noticed.pk)).json()
    assert body["details_visible"] is True
    assert body["details"]["admission_reason"] == SECRET_REASON
    assert body["details"]["hospital"] == noticed.ward.hospital.name
    assert all(event["data"] is not None for event in body["events"])

    services.withdraw_consent(actor=personas.ward_actor, episode=noticed)
    body = planner.get(detail_url(noticed.pk)).json()
    assert body["details_visible"] is False
    assert body["details"] is None


def test_it_lists_only_the_basic_fields(planner: Client, noticed: Episode) -> None:
    [row] = planner.get(LIST_URL).json()["results"]
    assert set(row) == {
        "id",
        "reference",
        "status",
        "status_label",
        "version",
        "patient",
        "preliminary_ready_date",
        "ready_date",
        "discharged_at",
        "details_visible",
        "care_type",
        "care_type_label",
        "admitted_at",
    }
    assert (row["care_type"], row["care_type_label"], row["admitted_at"]) == (None, None, None)
    assert SECRET_REASON not in str(row)


# --- Access log -------------------------------------------------------------------------------


def test_it_logs_one_row_per_episode_of_the_api_list(
    personas: Personas,
    org_tree: OrgTree,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    shared = {advance(make_episode(), "noticed").pk for _ in range(2)}
    make_episode()  # not shared with the kommun
    response = login(personas.kommun_planner).get(LIST_URL)
    assert {row["id"] for row in response.json()["results"]} == shared
    rows = AccessLogEntry.objects.filter(action=AccessAction.API_LIST)
    assert {r.episode_id for r in rows} == shared
    assert rows.count() == 2
    for row in rows:
        assert row.user_id == personas.kommun_planner.pk
        assert row.organisation_id == org_tree.umea.pk
        assert row.patient_id == Episode.objects.get(pk=row.episode_id).patient_id
    assert AccessLogEntry.objects.count() == 2


def test_it_logs_the_api_detail(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    assert planner.get(detail_url(noticed.pk)).status_code == 200
    [row] = AccessLogEntry.objects.all()
    assert (row.user_id, row.organisation_id, row.episode_id, row.patient_id, row.action) == (
        personas.kommun_planner.pk,
        org_tree.umea.pk,
        noticed.pk,
        noticed.patient_id,
        AccessAction.API_VIEW,
    )


# --- Messages ---------------------------------------------------------------------------------


def test_it_sends_a_message_and_answers_201_with_the_new_version(
    nurse: Client, personas: Personas, org_tree: OrgTree, episode: Episode
) -> None:
    preliminary = timezone.localdate() + timedelta(days=4)
    response = post(
        nurse,
        message_url(episode.pk, EventKind.ADMISSION_NOTICE),
        {"version": 1, "preliminary_ready_date": preliminary.isoformat(), "reason": "Stroke"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["version"] == 2
    assert body["event"]["kind"] == EventKind.ADMISSION_NOTICE
    assert body["event"]["seq"] == 2
    event = EpisodeEvent.objects.get(pk=body["event"]["id"])
    assert (event.author_id, event.organisation_id) == (personas.ward_nurse.pk, org_tree.ward.pk)
    episode = fresh(episode)
    assert episode.version == 2
    assert episode.preliminary_ready_date == preliminary


def test_it_takes_json_booleans(planner: Client, noticed: Episode) -> None:
    response = post(
        planner,
        message_url(noticed.pk, EventKind.ADMISSION_ANSWER),
        {"version": noticed.version, "current_services": False, "aids": "Rollator"},
    )
    assert response.status_code == 201
    event = EpisodeEvent.objects.get(pk=response.json()["event"]["id"])
    assert event.data["current_services"] is False
    assert event.data["party"] == "kommun"


def test_it_answers_409_for_a_stale_version(
    nurse: Client, personas: Personas, noticed: Episode
) -> None:
    opened = noticed.version
    services.answer_admission(actor=personas.kommun_actor, episode=noticed, current_services=True)
    response = post(
        nurse,
        message_url(noticed.pk, EventKind.TRACK_COLOUR),
        {"version": opened, "colour": "green"},
    )
    assert response.status_code == 409
    assert response.json()["error"] == "stale"
    assert list(response.json()["fields"]) == ["version"]
    assert response.json()["current_version"] == opened + 1
    assert events(noticed) == opened + 1
    assert fresh(noticed).track_colour == ""


def test_it_answers_400_naming_the_invalid_field(nurse: Client, noticed: Episode) -> None:
    response = post(nurse, message_url(noticed.pk, EventKind.READY_NOTICE), {"version": 2})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ready_date"]
    response = post(
        nurse,
        message_url(noticed.pk, EventKind.TRACK_COLOUR),
        {"version": 2, "colour": "purple"},
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["colour"]
    assert events(noticed) == 2


def test_it_answers_400_naming_the_field_the_service_refuses(
    nurse: Client, noticed: Episode
) -> None:
    before_admission = timezone.localdate(noticed.admitted_at) - timedelta(days=1)
    response = post(
        nurse,
        message_url(noticed.pk, EventKind.PRELIMINARY_DATE_CHANGED),
        {"version": 2, "preliminary_ready_date": before_admission.isoformat()},
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["preliminary_ready_date"]
    assert response.json()["detail"]
    assert events(noticed) == 2


def test_it_answers_400_for_a_step_out_of_order(
    nurse: Client, noticed: Episode, advance: Callable[..., Episode]
) -> None:
    advance(noticed, "ready")
    before = events(noticed)
    response = post(
        nurse,
        message_url(noticed.pk, EventKind.READY_NOTICE),
        {"version": noticed.version, "ready_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {}
    assert response.json()["detail"]
    assert events(noticed) == before
    assert fresh(noticed).status == EpisodeStatus.READY


def test_it_answers_403_for_the_wrong_party(
    planner: Client, nurse: Client, noticed: Episode
) -> None:
    response = post(
        planner,
        message_url(noticed.pk, EventKind.READY_NOTICE),
        {"version": noticed.version, "ready_date": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    response = post(nurse, message_url(noticed.pk, EventKind.KOMMUN_READY), {"version": 2})
    assert response.status_code == 403
    assert events(noticed) == 2


def test_it_answers_404_for_an_unknown_message_kind(nurse: Client, noticed: Episode) -> None:
    response = post(nurse, message_url(noticed.pk, "ready"), {"version": 2})
    assert response.status_code == 404
    assert events(noticed) == 2


def test_it_offers_only_messages_the_api_accepts(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    """Every kind in ``available_messages`` can be posted to the message endpoint."""
    for client in (nurse, planner):
        offered = client.get(detail_url(noticed.pk)).json()["available_messages"]
        assert offered
        assert set(offered) <= set(MESSAGE_FORMS), set(offered) - set(MESSAGE_FORMS)


def test_it_offers_each_party_its_own_messages(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    ward = set(nurse.get(detail_url(noticed.pk)).json()["available_messages"])
    kommun = set(planner.get(detail_url(noticed.pk)).json()["available_messages"])
    assert {EventKind.READY_NOTICE, EventKind.TRACK_COLOUR} <= ward
    assert EventKind.ADMISSION_ANSWER not in ward
    assert {EventKind.ADMISSION_ANSWER, EventKind.KOMMUN_READY} <= kommun
    assert EventKind.READY_NOTICE not in kommun


# --- Acknowledge ------------------------------------------------------------------------------


def test_it_acknowledges_a_message(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = post(planner, ack_url(noticed.pk, notice.pk))
    assert response.status_code == 201
    assert response.json()["acknowledged_at"]
    receipt = Receipt.objects.get()
    assert (receipt.event_id, receipt.organisation_id, receipt.user_id) == (
        notice.pk,
        org_tree.umea.pk,
        personas.kommun_planner.pk,
    )
    again = post(planner, ack_url(noticed.pk, notice.pk))
    assert again.status_code == 400
    assert Receipt.objects.count() == 1


def test_it_refuses_to_acknowledge_the_own_message(nurse: Client, noticed: Episode) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    assert post(nurse, ack_url(noticed.pk, notice.pk)).status_code == 400
    assert not Receipt.objects.exists()


def test_it_answers_404_for_an_event_of_another_episode(
    planner: Client,
    noticed: Episode,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    other = advance(make_episode(), "noticed")
    foreign = EpisodeEvent.objects.get(episode=other, kind=EventKind.ADMISSION_NOTICE)
    assert post(planner, ack_url(noticed.pk, foreign.pk)).status_code == 404
    assert post(planner, ack_url(noticed.pk, 10**9)).status_code == 404
    assert not Receipt.objects.exists()
