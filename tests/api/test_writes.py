"""Writes by token: messages by system accounts, Idempotency-Key (same key twice: one event;
same key, other body: 422), If-Match and stale versions (409), the rate limit (429),
registration, and acknowledgement of one and of all messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from api.models import IdempotencyRecord
from discharges import services
from discharges.models import Episode, EpisodeEvent, EventKind, Patient, Receipt
from tests.api.conftest import ApiClient
from tests.conftest import OrgTree, Personas, fresh


def notice_url(episode: Episode, kind: str = EventKind.ADMISSION_NOTICE) -> str:
    return f"/api/v1/episodes/{episode.pk}/messages/{kind}/"


def notice_body(episode: Episode, days: int = 2) -> dict[str, Any]:
    day = timezone.localdate() + timedelta(days=days)
    return {"version": episode.version, "preliminary_ready_date": day.isoformat(), "reason": "Höft"}


def events(episode: Episode) -> int:
    return EpisodeEvent.objects.filter(episode=episode).count()


def test_the_same_key_twice_stores_one_event_and_answers_the_same(
    ward_api: ApiClient, episode: Episode
) -> None:
    body = notice_body(episode)
    first = ward_api.send(notice_url(episode), body, **{"Idempotency-Key": "cosmic-4711"})
    again = ward_api.send(notice_url(episode), body, **{"Idempotency-Key": "cosmic-4711"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert events(episode) == 2  # registered + one notice
    assert fresh(episode).version == 2


def test_the_same_key_with_another_body_is_422_and_changes_nothing(
    ward_api: ApiClient, episode: Episode
) -> None:
    ward_api.send(notice_url(episode), notice_body(episode), **{"Idempotency-Key": "k-1"})
    other = notice_body(episode, days=3)
    response = ward_api.send(notice_url(episode), other, **{"Idempotency-Key": "k-1"})
    assert response.status_code == 422
    assert response.json()["error"] == "idempotency_key_reused"
    assert list(response.json()["fields"]) == ["Idempotency-Key"]
    assert events(episode) == 2
    assert IdempotencyRecord.objects.count() == 1


def test_a_refused_write_keeps_no_answer_and_may_be_retried(
    ward_api: ApiClient, episode: Episode
) -> None:
    bad = {**notice_body(episode), "preliminary_ready_date": "2026-13-40"}
    assert ward_api.send(notice_url(episode), bad, **{"Idempotency-Key": "k-2"}).status_code == 400
    assert not IdempotencyRecord.objects.exists()
    good = ward_api.send(notice_url(episode), notice_body(episode), **{"Idempotency-Key": "k-2"})
    assert good.status_code == 201


def test_keys_belong_to_their_token(
    ward_api: ApiClient, ward_system: Any, bearer: Callable[..., ApiClient], episode: Episode
) -> None:
    other_token = bearer(ward_system)
    ward_api.send(notice_url(episode), notice_body(episode), **{"Idempotency-Key": "same"})
    body = {"version": 2, "colour": "red"}
    response = other_token.send(
        notice_url(episode, EventKind.TRACK_COLOUR), body, **{"Idempotency-Key": "same"}
    )
    assert response.status_code == 201
    assert events(episode) == 3


def test_an_expired_key_is_forgotten(ward_api: ApiClient, episode: Episode) -> None:
    ward_api.send(notice_url(episode), notice_body(episode), **{"Idempotency-Key": "old"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    body = {"version": 2, "colour": "red"}
    url = notice_url(episode, EventKind.TRACK_COLOUR)
    assert ward_api.send(url, body, **{"Idempotency-Key": "old"}).status_code == 201


def test_a_bad_key_is_400_naming_the_header(ward_api: ApiClient, episode: Episode) -> None:
    response = ward_api.send(
        notice_url(episode), notice_body(episode), **{"Idempotency-Key": "x" * 256}
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["Idempotency-Key"]
    assert events(episode) == 1


def test_if_match_carries_the_version(ward_api: ApiClient, episode: Episode) -> None:
    body = notice_body(episode)
    del body["version"]
    response = ward_api.send(notice_url(episode), body, **{"If-Match": '"1"'})
    assert response.status_code == 201
    assert response["ETag"] == '"2"'
    assert response.json()["version"] == 2


def test_a_stale_if_match_is_409_with_the_current_version(
    ward_api: ApiClient, personas: Personas, episode: Episode
) -> None:
    services.assess_track_colour(actor=personas.ward_actor, episode=episode, colour="green")
    body = notice_body(episode)
    del body["version"]
    response = ward_api.send(notice_url(episode), body, **{"If-Match": 'W/"1"'})
    assert response.status_code == 409
    assert response.json()["error"] == "stale"
    assert response.json()["current_version"] == 2
    assert list(response.json()["fields"]) == ["version"]
    assert fresh(episode).admission_notice_at is None


def test_no_version_at_all_is_400_naming_it(ward_api: ApiClient, episode: Episode) -> None:
    body = notice_body(episode)
    del body["version"]
    response = ward_api.send(notice_url(episode), body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["version"]
    assert response.json()["detail"] == "Förfrågan har ogiltiga fält."


def test_every_bad_field_is_named(ward_api: ApiClient, episode: Episode) -> None:
    body = {"version": "x", "preliminary_ready_date": "igår", "reason": ["a"], "nonsense": 1}
    response = ward_api.send(notice_url(episode), body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"reason", "nonsense"}
    body = {"version": "x", "preliminary_ready_date": "igår"}
    response = ward_api.send(notice_url(episode), body)
    assert set(response.json()["fields"]) == {"version", "preliminary_ready_date"}


def test_the_wrong_party_is_403(kommun_api: ApiClient, noticed: Episode) -> None:
    body = {"version": noticed.version, "ready_date": timezone.localdate().isoformat()}
    response = kommun_api.send(notice_url(noticed, EventKind.READY_NOTICE), body)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert events(noticed) == 2


def test_the_kommun_system_answers_and_acknowledges(
    kommun_api: ApiClient, noticed: Episode, org_tree: OrgTree
) -> None:
    body = {"version": noticed.version, "current_services": True, "services": "Hemtjänst"}
    response = kommun_api.send(notice_url(noticed, EventKind.ADMISSION_ANSWER), body)
    assert response.status_code == 201
    assert response.json()["event"]["data"]["party"] == "kommun"
    ack = kommun_api.send(f"/api/v1/episodes/{noticed.pk}/acknowledge/")
    assert ack.status_code == 200
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    assert [r["event_id"] for r in ack.json()["receipts"]] == [notice.pk]
    assert Receipt.objects.get().organisation_id == org_tree.umea.pk
    again = kommun_api.send(f"/api/v1/episodes/{noticed.pk}/events/{notice.pk}/acknowledge/")
    assert again.status_code == 400
    assert again.json()["error"] == "refused"


def test_one_acknowledgement(hc_api: ApiClient, noticed: Episode, org_tree: OrgTree) -> None:
    notice = EpisodeEvent.objects.get(episode=noticed, kind=EventKind.ADMISSION_NOTICE)
    response = hc_api.send(f"/api/v1/episodes/{noticed.pk}/events/{notice.pk}/acknowledge/")
    assert response.status_code == 201
    assert response.json()["event_id"] == notice.pk
    assert response.json()["acknowledged_at"].endswith(("+01:00", "+02:00"))
    assert Receipt.objects.get().organisation_id == org_tree.hc_umea.pk


def test_the_rate_limit_is_429_per_token(
    ward_api: ApiClient,
    ward_system: Any,
    bearer: Callable[..., ApiClient],
    settings: Any,
    episode: Episode,
) -> None:
    settings.SVU_API_RATE = "3/minute"
    statuses = [ward_api.get("/api/v1/episodes/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = ward_api.get("/api/v1/episodes/")
    assert response.json()["error"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert bearer(ward_system).get("/api/v1/episodes/").status_code == 200  # another token


REGISTER = "/api/v1/episodes/"


def test_the_ward_system_registers_a_new_patient(
    ward_api: ApiClient, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    number = new_personnummer()
    body = {
        "personnummer": number,
        "name": "Nils Nilsson",
        "address": "Storgatan 2, 903 26 Umeå",
        "kommun": org_tree.umea.pk,
        "ward": org_tree.ward.pk,
        "admitted_at": (timezone.localtime() - timedelta(hours=2)).isoformat(),
        "admission_type": "akut",
        "external_id": "COSMIC-1",
    }
    response = ward_api.send(REGISTER, body, **{"Idempotency-Key": "reg-1"})
    assert response.status_code == 201, response.content
    again = ward_api.send(REGISTER, body, **{"Idempotency-Key": "reg-1"})
    assert again.json() == response.json()
    episode = Episode.objects.get()
    assert (episode.external_id, episode.ward_id, episode.status, episode.admission_type) == (
        "COSMIC-1",
        org_tree.ward.pk,
        "registered",
        "akut",
    )
    assert response.json()["id"] == episode.pk and response.json()["status"] == "registered"
    assert Patient.objects.get().name == "Nils Nilsson"


def test_registration_names_what_a_new_patient_lacks(
    ward_api: ApiClient, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    body = {
        "personnummer": new_personnummer(),
        "ward": org_tree.ward.pk,
        "admitted_at": "2026-11-01T08:00",
        "admission_type": "akut",
    }
    response = ward_api.send(REGISTER, body)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"name", "address", "kommun"}
    assert not Episode.objects.exists()
    # The admission type (akut/planerad, issue 14) is required as on the page.
    del body["admission_type"]
    assert "admission_type" in ward_api.send(REGISTER, body).json()["fields"]


def test_registration_at_another_ward_or_by_a_kommun_is_refused(
    ward_api: ApiClient, kommun_api: ApiClient, org_tree: OrgTree, patient: Patient
) -> None:
    body = {
        "personnummer": patient.personnummer,
        "ward": org_tree.psych_ward.pk,
        "admitted_at": "2026-11-01T08:00",
        "admission_type": "akut",
    }
    response = ward_api.send(REGISTER, body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["ward"]
    assert kommun_api.send(REGISTER, {**body, "ward": org_tree.ward.pk}).status_code == 403
    assert not Episode.objects.exists()


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_methods_are_405_in_the_shape(
    method: str, ward_api: ApiClient, episode: Episode
) -> None:
    response = getattr(ward_api, method)(f"/api/v1/episodes/{episode.pk}/")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_a_ward_system_registers_by_kommun_code_without_naming_its_ward(
    ward_api: ApiClient, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    body = {
        "personnummer": new_personnummer(),
        "name": "Karin Berg",
        "address": "Storgatan 3, 931 30 Skellefteå",
        "kommun_code": "2482",
        "admitted_at": (timezone.localtime() - timedelta(hours=1)).isoformat(),
        "admission_type": "akut",
    }
    response = ward_api.send(REGISTER, body)
    assert response.status_code == 201, response.content
    episode = Episode.objects.get()
    assert (episode.ward_id, episode.kommun_id) == (org_tree.ward.pk, org_tree.skelleftea.pk)
    unknown = ward_api.send(REGISTER, {**body, "kommun_code": "9999"})
    assert unknown.status_code == 400
    assert "kommun_code" in unknown.json()["fields"]
