"""analysis.views: the monthly follow-up (/follow-up/ and /follow-up/kommun/<code>/).

Aggregates only: every member of an organisation sees the kommuner of their region; a user
without a membership gets 404. The kommun page shows R2's figures for a hand-computed month,
from episodes through the statistics run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from analysis.statistics import compute_statistics
from analysis.tables import Table
from discharges import services
from discharges.models import AccessLogEntry, Destination, Episode, Kommun, Patient
from discharges.services import Actor
from tests.conftest import OrgTree, Personas, login
from tests.personas import MEMBERS

STOCKHOLM = ZoneInfo("Europe/Stockholm")
DASHBOARD_URL = reverse("analysis:dashboard")


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def previous_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def stay(personas: Personas, make_episode: Callable[..., Episode]) -> Callable[..., Episode]:
    """``stay(patient, ready, discharged)``: admitted two days before the ready date, noticed,
    ready-noticed and (when ``discharged`` is given) discharged, sent by the region's
    integration account so that the messages may lie months back."""

    def make(patient: Patient, ready: date, discharged: date | None = None) -> Episode:
        admitted = ready - timedelta(days=2)
        episode = make_episode(patient, admitted_at=at(admitted, 8))
        ward = Actor(personas.integration, episode.ward)
        services.send_admission_notice(
            actor=ward, episode=episode, preliminary_ready_date=ready, occurred_at=at(admitted, 9)
        )
        services.send_ready_notice(
            actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 10)
        )
        if discharged is not None:
            services.register_discharge(
                actor=ward,
                episode=episode,
                destination=Destination.HOME,
                occurred_at=at(discharged, 11),
            )
        return episode

    return make


@pytest.fixture
def month_of_stays(
    org_tree: OrgTree, make_patient: Callable[..., Patient], stay: Callable[..., Episode]
) -> list[Episode]:
    """Last month: Umeå discharges with 0, 2 and 5 ready days; Skellefteå one with 6; an Umeå
    patient still in hospital (not counted)."""
    month = previous_month()

    def day(n: int) -> date:
        return month.replace(day=n)

    episodes = [
        stay(make_patient(), day(5), day(5)),
        stay(make_patient(), day(10), day(12)),
        stay(make_patient(), day(15), day(20)),
        stay(
            make_patient(kommun=org_tree.skelleftea, health_centre=org_tree.hc_skelleftea),
            day(8),
            day(14),
        ),
        stay(make_patient(), day(25)),
    ]
    compute_statistics()
    return episodes


# --- Access -----------------------------------------------------------------------------------


def kommun_url(code: str) -> str:
    return reverse("analysis:kommun", args=[code])


def codes_of(table: Table) -> list[str]:
    return [row.code for row in table.rows]


def row_of(table: Table, first_cell: str) -> list[str]:
    """The texts of the row whose first cell reads ``first_cell``."""
    return next(
        [c.text for c in row.cells] for row in table.rows if row.cells[0].text == first_cell
    )


def test_it_sends_anonymous_users_to_the_login_page(client: Client) -> None:
    for url in (DASHBOARD_URL, kommun_url("2480")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", MEMBERS)
def test_it_shows_the_dashboard_to_members(name: str, personas: Personas) -> None:
    response = login(getattr(personas, name)).get(DASHBOARD_URL)
    assert response.status_code == 200
    assert "2480" in codes_of(response.context["page"].kommuner)


def test_it_answers_404_to_a_user_without_organisation(personas: Personas) -> None:
    client = login(personas.outsider)
    assert client.get(DASHBOARD_URL).status_code == 404
    assert client.get(DASHBOARD_URL, {"kommun": "2480"}).status_code == 404
    assert client.get(kommun_url("2480")).status_code == 404


@pytest.mark.parametrize("name", ["kommun_planner", "processledare", "joint_group"])
def test_it_offers_the_kommuner_of_the_region_only(name: str, personas: Personas) -> None:
    client = login(getattr(personas, name))
    response = client.get(DASHBOARD_URL)
    codes = set(codes_of(response.context["page"].kommuner))
    assert codes == set(Kommun.objects.filter(region__code="24").values_list("code", flat=True))
    assert "0180" not in codes
    # Another region's kommun has no page here, nor a download.
    assert client.get(kommun_url("0180")).status_code == 404
    assert client.get(f"{kommun_url('0180')}export/manader.csv").status_code == 404


def test_the_first_address_of_a_kommun_leads_to_its_page(personas: Personas) -> None:
    response = login(personas.joint_group).get(DASHBOARD_URL, {"kommun": "2480", "months": "6"})
    assert response.status_code == 302
    assert response["Location"] == f"{kommun_url('2480')}?months=6"


# --- The figures ------------------------------------------------------------------------------


def test_it_shows_the_kommun_table_with_the_hand_computed_average(
    personas: Personas, month_of_stays: list[Episode]
) -> None:
    response = login(personas.kommun_planner).get(kommun_url("2480"))
    assert response.status_code == 200
    assert response.context["kommun"].code == "2480"
    month = f"{previous_month():%Y-%m}"
    # Month, episodes, ready days, average, national average, 3+ days, same day share: 0 + 2 +
    # 5 ready days over 3 episodes; the one still in hospital does not count.
    assert row_of(response.context["page"].months, month)[:7] == [
        month,
        "3",
        "7",
        "2,33",
        "3,50",
        "1",
        "33\u00a0%",
    ]
    html = response.content.decode()
    assert 'id="manader"' in html
    row = re.search(rf"<th scope=\"row\" class=\"month\">{month}</th>(.*?)</tr>", html, re.S)
    assert row is not None
    assert ">2,33<" in row.group(1)
    assert "over" not in row.group(1)


def test_it_marks_a_month_over_the_threshold_in_the_overview(
    personas: Personas, month_of_stays: list[Episode]
) -> None:
    response = login(personas.processledare).get(DASHBOARD_URL)
    assert response.status_code == 200
    month = f"{previous_month():%Y-%m}"
    heat = response.context["page"].heat_table
    column = [h.text for h in heat.headers].index(month)
    assert row_of(heat, "Skellefteå")[column] == "6,00"
    assert row_of(heat, "Umeå")[column] == "2,33"
    assert row_of(heat, "Lycksele")[column] == "–"
    over = next(r for r in heat.rows if r.code == "2482").cells[column]
    assert over.over and "over" in over.css
    html = response.content.decode()
    assert 'id="karta"' in html
    assert "6,00 ▲" in html  # in the heat map itself, marked beside the colour


def test_it_shows_no_patient_data_and_logs_no_read(
    personas: Personas, month_of_stays: list[Episode]
) -> None:
    for name in ("kommun_planner", "processledare", "joint_group"):
        client = login(getattr(personas, name))
        for url in (DASHBOARD_URL, kommun_url("2480"), kommun_url("2482")):
            html = client.get(url).content.decode()
            for episode in month_of_stays:
                assert episode.patient.personnummer not in html
                assert episode.patient.name not in html
                assert f"/episodes/{episode.pk}/" not in html
    assert not AccessLogEntry.objects.exists()
