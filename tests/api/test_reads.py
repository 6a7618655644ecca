"""Reads by token: the persona access matrix through the API, the list's filters (care type and
admission only where the caller sees them), codes with Swedish labels and Stockholm times, the
worklist, the lookup by personnummer in the body, the liability report and the statistics."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from analysis.models import MonthlyStatistic
from discharges import services
from discharges.models import AccessAction, AccessLogEntry, Episode
from payment.loader import load_agreement
from tests.api.conftest import ApiClient
from tests.conftest import OrgTree, Personas, persona
from tests.personas import PERSONAS, SEES_NOTICED, SEES_REGISTERED

LIST = "/api/v1/episodes/"
LIABILITY_ROLES = {"kommun_planner", "other_kommun_planner", "processledare", "joint_group"}
FOLLOWS_UP = set(PERSONAS) - {"outsider"}


def ids(client: ApiClient, **params: str) -> set[int]:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("name", PERSONAS)
def test_the_persona_matrix_through_tokens(
    name: str,
    personas: Personas,
    episode: Episode,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
    bearer: Callable[..., ApiClient],
) -> None:
    noticed = advance(make_episode(), "noticed")
    client = bearer(persona(personas, name))
    for shown, seen_by in ((episode, SEES_REGISTERED), (noticed, SEES_NOTICED)):
        seen = name in seen_by
        detail = client.get(f"/api/v1/episodes/{shown.pk}/")
        assert detail.status_code == (200 if seen else 404)
        assert (shown.pk in ids(client)) is seen
        if not seen:
            assert detail.json() == client.get("/api/v1/episodes/987654321/").json()
        lookup = client.send(
            "/api/v1/patients/lookup/", {"personnummer": shown.patient.personnummer}
        )
        assert lookup.status_code == 200
        assert ([e["id"] for e in lookup.json()["episodes"]] == [shown.pk]) is seen
    assert client.get("/api/v1/worklist/").status_code == 200
    assert client.get("/api/v1/liability/").status_code == (200 if name in LIABILITY_ROLES else 403)
    assert client.get("/api/v1/statistics/").status_code == (200 if name in FOLLOWS_UP else 403)


def test_codes_labels_and_stockholm_times(
    ward_api: ApiClient, episode: Episode, advance: Callable[..., Episode]
) -> None:
    advance(episode, "discharged")
    [row] = ward_api.get(LIST).json()["results"]
    body = ward_api.get(f"/api/v1/episodes/{episode.pk}/").json()
    assert row["status"] == body["status"] == "discharged"
    assert row["status_label"] == body["status_label"] == "Utskriven"
    assert row["discharged_at"] == body["discharged_at"]
    assert row["discharged_at"].endswith(("+01:00", "+02:00"))
    assert body["details"]["destination"] == "ordinary_home"
    assert body["details"]["care_type_label"] == "Somatik"
    registered = body["events"][0]["data"]["admitted_at"]
    assert registered.endswith(("+01:00", "+02:00")) and registered == row["admitted_at"]


def test_the_list_filters(
    ward_api: ApiClient,
    kommun_api: ApiClient,
    org_tree: OrgTree,
    personas: Personas,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    old = advance(make_episode(admitted_at=timezone.now() - timedelta(days=20)), "noticed")
    new = advance(make_episode(), "ready")
    psych = advance(make_episode(ward=org_tree.psych_ward), "noticed")
    assert ids(ward_api, status="ready") == {new.pk}
    assert ids(ward_api, status="active") == {old.pk, new.pk}
    assert ids(ward_api, care_type="somatik") == {old.pk, new.pk}
    since = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert ids(ward_api, admitted_from=since) == {new.pk}
    assert ids(ward_api, admitted_to=since) == {old.pk}
    assert ids(ward_api, kommun="2480", ward=str(org_tree.ward.pk)) == {old.pk, new.pk}
    assert ids(ward_api, kommun="2482") == set()
    # The kommun sees all three, but the care type only where consent lets it: none yet.
    assert ids(kommun_api) == {old.pk, new.pk, psych.pk}
    assert ids(kommun_api, care_type="psykiatri") == set()
    services.record_consent(actor=personas.psych_actor, episode=psych)
    assert ids(kommun_api, care_type="psykiatri") == {psych.pk}
    bad = ward_api.get(LIST, {"status": "x", "kommun": "umeå", "admitted_from": "0001-01-01"})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"status", "kommun", "admitted_from"}


def test_the_worklist_of_the_kommun(kommun_api: ApiClient, noticed: Episode) -> None:
    response = kommun_api.get("/api/v1/worklist/")
    [row] = response.json()["rows"]
    assert row["episode_id"] == noticed.pk and row["party"] == "kommun"
    assert {"answer", "receipts"} <= {task["code"] for task in row["tasks"]}
    assert AccessLogEntry.objects.filter(action=AccessAction.WORKLIST, episode=noticed).exists()


def test_the_lookup_takes_the_number_in_the_body_only(
    kommun_api: ApiClient, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    dashed = f"{number[:8]}-{number[8:]}"
    response = kommun_api.send("/api/v1/patients/lookup/", {"personnummer": dashed})
    assert [e["id"] for e in response.json()["episodes"]] == [noticed.pk]
    logged = AccessLogEntry.objects.get(action=AccessAction.API_LIST)
    assert logged.episode_id == noticed.pk
    bad = kommun_api.send("/api/v1/patients/lookup/", {"personnummer": "19410315-0000"})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["personnummer"]
    assert number not in bad.content.decode()
    assert kommun_api.get("/api/v1/patients/lookup/", {"personnummer": number}).status_code == 405


def test_the_liability_report(
    kommun_api: ApiClient,
    personas: Personas,
    org_tree: OrgTree,
    bearer: Callable[..., ApiClient],
    ward_api: ApiClient,
) -> None:
    load_agreement(Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml")
    planner = bearer(personas.kommun_planner)
    response = planner.get(
        "/api/v1/liability/", {"from": "2024-01", "to": "2024-03", "kommun": "2480"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["agreement"] and {row["kommun"] for row in body["rows"]} <= {"2480"}
    assert planner.get("/api/v1/liability/", {"kommun": "0180"}).status_code == 400
    assert planner.get("/api/v1/liability/", {"from": "2024-13"}).status_code == 400
    assert ward_api.get("/api/v1/liability/").json()["error"] == "forbidden"


def test_the_statistics_hide_small_numbers_from_those_outside(
    personas: Personas, org_tree: OrgTree, bearer: Callable[..., ApiClient]
) -> None:
    month = date(2024, 3, 1)
    counts = dict.fromkeys(
        [
            "ready_days",
            "episodes_3plus",
            "same_day",
            "episodes_1plus",
            "named_contact",
            "sip_needed",
            "sip_invited_in_time",
            "sip_held",
            "preliminary_known",
            "preliminary_accurate",
            "preliminary_changes",
            "admission_notice_late",
            "track_green",
            "track_yellow",
            "track_red",
            "track_blue",
        ],
        1,
    )
    MonthlyStatistic.objects.create(
        kommun=org_tree.umea,
        care_type="all",
        month=month,
        episodes=2,
        computed_at=timezone.now(),
        **counts,
    )
    period = {"from": "2024-03", "to": "2024-03"}
    own = bearer(personas.kommun_planner).get("/api/v1/statistics/", period).json()["rows"]
    other = bearer(personas.other_kommun_planner).get("/api/v1/statistics/", period).json()["rows"]
    assert [(r["kommun"], r["hidden"], r["episodes"]) for r in own] == [("2480", False, 2)]
    assert [(r["kommun"], r["hidden"], r["episodes"], r["ready_days"]) for r in other] == [
        ("2480", True, None, None)
    ]
    assert own[0]["care_type_label"] == "All vård" or own[0]["care_type_label"]


def test_a_system_account_of_another_kommun_sees_nothing_of_umea(
    org_tree: OrgTree, noticed: Episode, bearer: Callable[..., ApiClient]
) -> None:
    from tests.api.conftest import system_account

    other: AbstractUser = system_account("skelleftea.system", org_tree.skelleftea)
    client = bearer(other)
    assert ids(client) == set()
    assert client.get(f"/api/v1/episodes/{noticed.pk}/").status_code == 404
    assert client.get("/api/v1/worklist/").json()["rows"] == []
