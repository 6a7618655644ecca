"""Issue 7, points 2 and 3: every date and time has a plausible range, checked in the services
(so forms, the API and the import refuse alike, naming the field), and values stored before the
checks existed are read back so that pages still open.

Each attack below was reproduced on the code before services/ranges.py: a year-1 admission, a
year-9999 homecoming and ready date were all stored (201/302), and a ready date 88 days back
from its notice was accepted and lifted the kommun's month average over the threshold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from discharges import services
from discharges.imports import ImportFailed, import_csv
from discharges.models import Episode, EpisodeEvent, EventKind, Patient
from discharges.services import Actor, Refused
from tests.conftest import OrgTree, Personas, fresh, login
from tests.csvfiles import csv_text, full_row
from tests.discharges.pages import REGISTER_URL, detail_url, message_url
from tests.engines import postgresql_only

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _counts() -> tuple[int, int, int]:
    return Episode.objects.count(), EpisodeEvent.objects.count(), Patient.objects.count()


# --- The services ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "admitted_at",
    [
        datetime(1, 1, 1, 0, 30, tzinfo=STOCKHOLM),
        datetime(1899, 12, 31, 23, 0, tzinfo=UTC),
    ],
    ids=["year-1", "1899"],
)
def test_it_refuses_an_admission_before_1900(
    personas: Personas, org_tree: OrgTree, patient: Patient, admitted_at: datetime
) -> None:
    before = _counts()
    with pytest.raises(Refused) as info:
        services.register_episode(
            actor=personas.ward_actor, patient=patient, ward=org_tree.ward, admitted_at=admitted_at
        )
    assert info.value.field == "admitted_at"
    assert _counts() == before


def _ready(episode: Episode, personas: Personas) -> Episode:
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    services.send_ready_notice(
        actor=personas.ward_actor, episode=episode, ready_date=timezone.localdate()
    )
    return episode


def _send_homecoming(personas: Personas, episode: Episode, at: datetime) -> None:
    services.acknowledge_homecoming(actor=personas.kommun_actor, episode=episode, homecoming_at=at)


def _send_preliminary(personas: Personas, episode: Episode, day: date) -> None:
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=day
    )


def _send_ready(personas: Personas, episode: Episode, day: date) -> None:
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=day)


def _send_meeting(personas: Personas, episode: Episode, at: datetime) -> None:
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    services.send_sip_invitation(actor=personas.hc_actor, episode=episode, meeting_at=at)


FAR = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
THREE_YEARS = timedelta(days=3 * 365)


@pytest.mark.parametrize(
    ("send", "value", "field"),
    [
        (_send_homecoming, FAR, "homecoming_at"),
        (_send_homecoming, "three_years", "homecoming_at"),
        (_send_preliminary, FAR.date(), "preliminary_ready_date"),
        (_send_ready, FAR.date(), "ready_date"),
        (_send_meeting, FAR, "meeting_at"),
        (_send_meeting, "before_admission", "meeting_at"),
    ],
    ids=[
        "homecoming-9999",
        "homecoming-3-years",
        "preliminary-9999",
        "ready-9999",
        "meeting-9999",
        "meeting-before-admission",
    ],
)
def test_it_refuses_a_planning_date_outside_the_stay(
    make_episode: Callable[..., Episode],
    personas: Personas,
    send: Callable[[Personas, Episode, object], None],
    value: object,
    field: str,
) -> None:
    episode = make_episode()
    if send is _send_homecoming:
        _ready(episode, personas)
    if value == "three_years":
        value = episode.admitted_at + THREE_YEARS
    elif value == "before_admission":
        value = episode.admitted_at - timedelta(days=2)
    version, events = fresh(episode).version, EpisodeEvent.objects.count()
    with pytest.raises(Refused) as info:
        send(personas, fresh(episode), value)
    assert info.value.field == field
    # The refused message stored nothing (what an earlier step of the sender stored stays).
    if send is _send_homecoming:
        assert (fresh(episode).version, EpisodeEvent.objects.count()) == (version, events)


def test_it_accepts_planning_dates_within_the_stay(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    episode = _ready(make_episode(), personas)
    at = timezone.now() + timedelta(days=300)
    services.acknowledge_homecoming(actor=personas.kommun_actor, episode=episode, homecoming_at=at)
    assert fresh(episode).homecoming_at == at


# --- A back-dated ready date (point 3) -----------------------------------------------------


def test_it_refuses_a_ready_date_back_dated_beyond_the_limit(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    """The probe: admitted 2026-09-01, the ready notice sent today with ready date 2026-09-02."""
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=90))
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    version = fresh(episode).version
    with pytest.raises(Refused) as info:
        services.send_ready_notice(
            actor=personas.ward_actor,
            episode=episode,
            ready_date=timezone.localdate() - timedelta(days=88),
        )
    assert info.value.field == "ready_date"
    assert fresh(episode).version == version
    assert fresh(episode).ready_date is None


def test_it_accepts_a_ready_date_within_the_limit(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=90))
    services.send_admission_notice(
        actor=personas.ward_actor, episode=episode, preliminary_ready_date=None
    )
    day = timezone.localdate() - timedelta(days=7)
    services.send_ready_notice(actor=personas.ward_actor, episode=episode, ready_date=day)
    assert fresh(episode).ready_date == day


def test_an_integration_account_moves_older_ready_dates_in(
    make_episode: Callable[..., Episode], personas: Personas, org_tree: OrgTree
) -> None:
    episode = make_episode(admitted_at=timezone.now() - timedelta(days=90))
    integration = Actor(personas.integration, org_tree.ward)
    services.send_admission_notice(actor=integration, episode=episode, preliminary_ready_date=None)
    day = timezone.localdate() - timedelta(days=88)
    services.send_ready_notice(actor=integration, episode=episode, ready_date=day)
    assert fresh(episode).ready_date == day


# --- The same refusals through the page, the API and the import ---------------------------


def test_the_register_page_names_the_admission_field(
    nurse: Client, org_tree: OrgTree, make_patient: Callable[..., Patient]
) -> None:
    before = _counts()
    response = nurse.post(
        REGISTER_URL,
        {
            "personnummer": "19121212-1212",
            "name": "Test Testsson",
            "address": "Storgatan 1",
            "kommun": org_tree.umea.pk,
            "ward": org_tree.ward.pk,
            "admitted_at": "0001-01-01T00:30",
            "admission_type": "akut",
        },
    )
    assert response.status_code == 400
    assert "admitted_at" in response.context["form"].errors
    assert _counts()[:2] == before[:2]


def test_the_page_and_the_api_refuse_a_far_homecoming(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    episode = _ready(make_episode(), personas)
    planner = login(personas.kommun_planner)
    page = planner.post(
        message_url(episode.pk, EventKind.HOMECOMING_ACKNOWLEDGED),
        {"version": episode.version, "homecoming_at": "9999-12-31T23:30"},
    )
    assert page.status_code == 400
    [bound] = [f["form"] for f in page.context["forms"] if f["kind"] == "homecoming_acknowledged"]
    assert "homecoming_at" in bound.errors
    api = planner.post(
        reverse("api:send_message", args=[episode.pk, EventKind.HOMECOMING_ACKNOWLEDGED]),
        {"version": episode.version, "homecoming_at": "9999-12-31T23:30:00+00:00"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "homecoming_at" in api.json()["fields"]
    assert fresh(episode).version == episode.version


def test_the_import_refuses_a_ready_date_after_the_stay_with_row_and_column(
    org_tree: OrgTree,
) -> None:
    text = csv_text([full_row(ready_date="9999-12-31")])
    with pytest.raises(ImportFailed) as info, translation.override("en"):
        import_csv(text)
    assert any("row 2" in e and "ready_date" in e for e in info.value.errors), info.value.errors
    assert Episode.objects.count() == 0


# --- Values stored before the checks (PostgreSQL) ------------------------------------------

needs_postgresql = postgresql_only("BC timestamps exist only in PostgreSQL (CI runs this on it)")


@needs_postgresql
def test_pages_open_with_extreme_values_stored_before_the_checks(
    make_episode: Callable[..., Episode], personas: Personas
) -> None:
    episode = _ready(make_episode(), personas)
    with connection.cursor() as cursor:  # what the probe stored, written past the services
        cursor.execute(
            "UPDATE discharges_episode SET admitted_at = %s, homecoming_at = %s, ready_date = %s"
            " WHERE id = %s",
            ["0001-01-01 00:30+01:12", "9999-12-31 23:30+00", "9999-12-31", episode.pk],
        )
    for user in (personas.ward_nurse, personas.kommun_planner, personas.hc_coordinator):
        client = login(user)
        for url in (
            reverse("discharges:worklist"),
            reverse("discharges:episode_list") + "?status=all",
            detail_url(episode.pk),
            reverse("api:episode_detail", args=[episode.pk]),
        ):
            assert client.get(url).status_code == 200, (user, url)
    stored = Episode.objects.get(pk=episode.pk)
    assert stored.admitted_at.year == 1
    assert stored.homecoming_at is not None and stored.homecoming_at.year == 9999
