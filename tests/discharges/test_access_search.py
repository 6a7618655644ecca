"""Loggkontroll's search (issue 13, point 3): "who read this patient?" and "what did this user
read?", by personnummer through POST, by episode reference, user, organisation and period. The
answer is the access log's list filtered by ids: no personnummer in any address."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from discharges.access_log import append_rows, log_access
from discharges.models import AccessAction, AccessLogEntry, Episode
from tests.conftest import OrgTree, Personas, make_user

pytestmark = pytest.mark.django_db

SEARCH = "/admin/discharges/accesslogentry/search/"
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def reads(personas: Personas, make_episode: Callable[..., Episode]) -> tuple[Episode, Episode]:
    """The nurse read both episodes, the kommun planner the first one only."""
    first, second = make_episode(), make_episode()
    log_access(personas.ward_nurse, [first, second], AccessAction.LIST)
    log_access(personas.kommun_planner, [first], AccessAction.VIEW)
    return first, second


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    return client


def _found(client: Client, data: dict[str, object]) -> set[tuple[int, int | None, str]]:
    """POST the search, follow to the list: (user, episode, action) of the rows listed."""
    response = client.post(SEARCH, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = client.get(response["Location"])
    assert listing.status_code == 200
    return {(e.user_id, e.episode_id, e.action) for e in listing.context["cl"].result_list}


def test_who_read_this_patient_by_personnummer_through_post(
    admin_client: Client, reads: tuple[Episode, Episode], personas: Personas
) -> None:
    first, _second = reads
    number = first.patient.personnummer
    response = admin_client.post(SEARCH, {"personnummer": f"{number[2:8]}-{number[8:]}"})
    location = response["Location"]
    assert number not in location and number[2:] not in location
    assert f"patient__id__exact={first.patient_id}" in urlparse(location).query
    assert _found(admin_client, {"personnummer": number}) == {
        (personas.ward_nurse.pk, first.pk, "list"),
        (personas.kommun_planner.pk, first.pk, "view"),
    }


def test_by_episode_reference(
    admin_client: Client, reads: tuple[Episode, Episode], personas: Personas
) -> None:
    _first, second = reads
    assert _found(admin_client, {"episode": second.reference}) == {
        (personas.ward_nurse.pk, second.pk, "list")
    }


def test_what_did_this_user_read(
    admin_client: Client, reads: tuple[Episode, Episode], personas: Personas
) -> None:
    first, _second = reads
    assert _found(admin_client, {"username": "kommun_planner"}) == {
        (personas.kommun_planner.pk, first.pk, "view")
    }


def test_by_organisation(
    admin_client: Client, reads: tuple[Episode, Episode], personas: Personas, org_tree: OrgTree
) -> None:
    first, second = reads
    assert _found(admin_client, {"organisation": org_tree.ward.pk}) == {
        (personas.ward_nurse.pk, first.pk, "list"),
        (personas.ward_nurse.pk, second.pk, "list"),
    }


def test_by_period(
    admin_client: Client, reads: tuple[Episode, Episode], personas: Personas
) -> None:
    first, _second = reads
    # 2026-03-01 00:30 local time is still 28 February in UTC: the period is local days.
    inside = datetime(2026, 3, 1, 0, 30, tzinfo=STOCKHOLM)
    outside = inside - timedelta(hours=1)
    user = personas.processledare.pk
    append_rows([(inside, user, None, first.pk, None, "view", "in")])
    append_rows([(outside, user, None, first.pk, None, "export", "out")])
    found = _found(admin_client, {"date_from": "2026-03-01", "date_to": "2026-03-01"})
    assert found == {(user, first.pk, "view")}


def test_an_unknown_personnummer_is_an_error_on_the_form(
    admin_client: Client, reads: tuple[Episode, Episode], new_personnummer: Callable[..., str]
) -> None:
    response = admin_client.post(SEARCH, {"personnummer": new_personnummer()})
    assert response.status_code == 200
    assert "Ingen patient har detta personnummer." in response.content.decode()
    assert "personnummer" not in response.get("Location", "")


def test_the_search_is_for_administrators_only(
    personas: Personas, reads: tuple[Episode, Episode]
) -> None:
    client = Client()
    client.force_login(personas.ward_nurse)
    response = client.post(SEARCH, {"username": "ward_nurse"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert AccessLogEntry.objects.filter(detail="admin").count() == 0
