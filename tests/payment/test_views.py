"""payment.views: the liability pages and the invoice-basis CSV, per persona.

Agreement: payment/agreements/vasterbotten.toml (kommun-average model, threshold 3.0, three
months over to become liable, 9 300 kr a day). The stays, all noticed and ready-noticed:

| kommun | ready | discharged | ready days | month state |
|--------|-------|------------|------------|-------------|
| 2480 Umeå | 2024-01-10 | 2024-01-15 | 5 | free (over 1) |
| 2480 Umeå | 2024-02-10 | 2024-02-15 | 5 | free (over 2) |
| 2480 Umeå | 2024-03-10 | 2024-03-15 | 5 | free (over 3) |
| 2480 Umeå | 2024-04-10 | 2024-04-12 | 2 | liable: 11 and 12 April, 18 600 kr |
| 2482 Skellefteå | 2024-02-10 | 2024-02-11 | 1 | free |

- A kommun planner sees only the own kommun's rows, month pages and episodes.
- The region's processledare and joint group see every kommun of the region, aggregates only.
- Ward staff, health centre, integration account and outsiders get 404.
- Patient-level reads (month page, episodes CSV) are access-logged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from discharges import services
from discharges.models import AccessAction, AccessLogEntry, Destination, Episode, Patient
from discharges.services import Actor
from payment.loader import load_agreement
from payment.models import Agreement
from tests.conftest import OrgTree, Personas, login, persona
from tests.personas import PERSONAS

STOCKHOLM = ZoneInfo("Europe/Stockholm")
LIABILITY_URL = reverse("payment:liability")
EXPORT_URL = reverse("payment:export", args=["vasterbotten"])
PERIOD = {"from": "2024-01", "to": "2024-04"}
SEES_LIABILITY = {"kommun_planner", "other_kommun_planner", "processledare", "joint_group"}
REGION_ROLES = ("processledare", "joint_group")


def month_url(kommun: str, month: str, care_type: str = "all", name: str = "vasterbotten") -> str:
    return reverse("payment:month", args=[name, kommun, care_type, month])


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


# The downloads are for people: Swedish headers, as Swedish Excel opens them (``;``, a BOM).
ROW_HEADERS = (
    "Kommunkod", "Kommun", "Vårdform", "Månad", "Utskrivna vårdtillfällen",
    "Utskrivningsklara dagar", "Medelvärde utskrivningsklara dagar",
    "Vårdtillfällen med 3 eller fler dagar", "Betalningsansvar", "Dagar med betalningsansvar",
    "Belopp (kr)",
)  # fmt: skip
EPISODE_HEADERS = (
    "Vårdtillfälle", "Kommunkod", "Kommun", "Vårdform", "Utskrivningsklar", "Utskriven",
    "Utskrivningsklara dagar", "Dagar med betalningsansvar", "Belopp (kr)",
    "Förutsättningar som saknas",
)  # fmt: skip


def read_csv(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def agreement(db: None) -> Agreement:
    path = Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml"
    loaded, _created = load_agreement(path)
    return loaded


@pytest.fixture
def stays(
    agreement: Agreement,
    org_tree: OrgTree,
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> dict[str, list[Episode]]:
    """The table of the module docstring, keyed by kommun code."""

    def stay(patient: Patient, ready: date, discharged: date) -> Episode:
        admitted = ready - timedelta(days=2)
        episode = make_episode(patient, admitted_at=at(admitted, 8))
        # The region's integration account may send messages dated years back.
        ward = Actor(personas.integration, episode.ward)
        services.send_admission_notice(
            actor=ward, episode=episode, preliminary_ready_date=ready, occurred_at=at(admitted, 9)
        )
        services.send_ready_notice(
            actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 10)
        )
        services.register_discharge(
            actor=ward,
            episode=episode,
            destination=Destination.HOME,
            occurred_at=at(discharged, 11),
        )
        return episode

    umea = [
        stay(make_patient(), date(2024, month, 10), date(2024, month, 15)) for month in (1, 2, 3)
    ]
    umea.append(stay(make_patient(), date(2024, 4, 10), date(2024, 4, 12)))
    skelleftea_patient = make_patient(
        kommun=org_tree.skelleftea, health_centre=org_tree.hc_skelleftea
    )
    skelleftea = [stay(skelleftea_patient, date(2024, 2, 10), date(2024, 2, 11))]
    return {"2480": umea, "2482": skelleftea}


def report_rows(response: Any) -> list[Any]:
    assert response.status_code == 200
    report = response.context["report"]
    assert report is not None, response.context["error"]
    return list(report.rows)


# --- Access -----------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client: Client, agreement: Agreement) -> None:
    for url in (LIABILITY_URL, EXPORT_URL, month_url("2480", "2024-04")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("name", PERSONAS)
def test_it_shows_the_liability_pages_to_kommun_and_region_roles_only(
    name: str, personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    client = login(persona(personas, name))
    seen = name in SEES_LIABILITY
    assert client.get(LIABILITY_URL, PERIOD).status_code == (200 if seen else 404)
    assert client.get(EXPORT_URL, PERIOD).status_code == (200 if seen else 404)
    detail = client.get(EXPORT_URL, {**PERIOD, "detail": "1"})
    assert detail.status_code == (200 if seen else 404)
    own = "2482" if name == "other_kommun_planner" else "2480"
    assert client.get(month_url(own, "2024-04")).status_code == (200 if seen else 404)
    if not seen:
        assert not AccessLogEntry.objects.exists()


def test_it_answers_404_for_another_kommun_month(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    assert login(personas.other_kommun_planner).get(month_url("2480", "2024-04")).status_code == 404
    assert login(personas.kommun_planner).get(month_url("2482", "2024-02")).status_code == 404
    assert login(personas.kommun_planner).get(month_url("0180", "2024-02")).status_code == 404
    assert not AccessLogEntry.objects.exists()


def test_it_answers_404_for_an_unknown_agreement_or_month(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    client = login(personas.kommun_planner)
    assert client.get(month_url("2480", "2024-04", name="jamtland")).status_code == 404
    assert client.get(month_url("2480", "april")).status_code == 404
    assert client.get(reverse("payment:export", args=["jamtland"])).status_code == 404


# --- The liability page -----------------------------------------------------------------------


def test_it_shows_the_kommun_planner_only_the_own_kommun(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    client = login(personas.kommun_planner)
    response = client.get(LIABILITY_URL, PERIOD)
    assert [k.code for k in response.context["kommuner"]] == ["2480"]
    rows = report_rows(response)
    assert {row.kommun for row in rows} == {"2480"}
    by_month = {row.month: row for row in rows}
    assert sorted(by_month) == [date(2024, m, 1) for m in (1, 2, 3, 4)]
    assert [by_month[date(2024, m, 1)].state for m in (1, 2, 3, 4)] == [
        "free",
        "free",
        "free",
        "liable",
    ]
    april = by_month[date(2024, 4, 1)]
    assert (april.episodes, april.ready_days, april.liable_days, april.amount_sek) == (
        1,
        2,
        2,
        18600,
    )
    html = response.content.decode()
    assert 'id="liability-rows"' in html
    assert month_url("2480", "2024-04") in html
    assert month_url("2482", "2024-02") not in html
    # Asking for the other kommun changes nothing.
    other = client.get(LIABILITY_URL, {**PERIOD, "kommun": "2482"})
    assert {row.kommun for row in report_rows(other)} == {"2480"}


def test_it_shows_the_other_kommun_planner_only_theirs(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    response = login(personas.other_kommun_planner).get(LIABILITY_URL, PERIOD)
    rows = report_rows(response)
    assert {row.kommun for row in rows} == {"2482"}
    assert sum(row.episodes for row in rows) == 1
    assert sum(row.liable_days for row in rows) == 0


@pytest.mark.parametrize("name", REGION_ROLES)
def test_it_shows_the_region_every_kommun(
    name: str, personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    client = login(persona(personas, name))
    response = client.get(LIABILITY_URL, PERIOD)
    assert "2480" in {k.code for k in response.context["kommuner"]}
    assert {row.kommun for row in report_rows(response)} == {"2480", "2482"}
    narrowed = client.get(LIABILITY_URL, {**PERIOD, "kommun": "2482"})
    assert {row.kommun for row in report_rows(narrowed)} == {"2482"}
    assert response.context["totals"]["liable_days"] == 2
    assert not AccessLogEntry.objects.exists()


# --- The month page ---------------------------------------------------------------------------


def test_it_explains_the_month_with_the_episodes_to_the_kommun_planner(
    personas: Personas, org_tree: OrgTree, stays: dict[str, list[Episode]]
) -> None:
    april = stays["2480"][3]
    response = login(personas.kommun_planner).get(month_url("2480", "2024-04"))
    assert response.status_code == 200
    assert [item["line"].pk for item in response.context["shown"]] == [april.pk]
    assert response.context["hidden"] == 0
    assert response.context["row"].liable_days == 2
    html = response.content.decode()
    assert f'id="episode-{april.pk}"' in html
    assert 'id="month-explanation"' in html
    [row] = AccessLogEntry.objects.all()
    assert (row.user_id, row.organisation_id, row.episode_id, row.patient_id, row.action) == (
        personas.kommun_planner.pk,
        org_tree.umea.pk,
        april.pk,
        april.patient_id,
        AccessAction.VIEW,
    )
    assert row.detail == "liability vasterbotten 2024-04"


@pytest.mark.parametrize("name", REGION_ROLES)
def test_it_shows_the_region_no_episode_on_the_month_page(
    name: str, personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    april = stays["2480"][3]
    response = login(persona(personas, name)).get(month_url("2480", "2024-04"))
    assert response.status_code == 200
    assert response.context["shown"] == []
    assert response.context["hidden"] == 1
    assert response.context["row"].liable_days == 2  # the aggregate is there
    html = response.content.decode()
    assert f'id="episode-{april.pk}"' not in html
    assert reverse("discharges:episode_detail", args=[april.pk]) not in html
    assert april.reference not in html
    assert april.patient.personnummer not in html
    assert april.patient.name not in html
    assert not AccessLogEntry.objects.exists()


# --- CSV --------------------------------------------------------------------------------------


def test_it_exports_the_own_kommun_rows(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    response = login(personas.kommun_planner).get(EXPORT_URL, {**PERIOD, "kommun": "2482"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="fakturaunderlag-vasterbotten-2024-01-2024-04.csv"'
    )
    header, *rows = read_csv(response)
    assert tuple(header) == ROW_HEADERS
    assert len(rows) == 4
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert {(r["Kommunkod"], r["Kommun"]) for r in records} == {("2480", "Umeå")}
    april = next(r for r in records if r["Månad"] == "2024-04")
    assert (
        april["Betalningsansvar"],
        april["Dagar med betalningsansvar"],
        april["Belopp (kr)"],
    ) == ("Betalningsansvarig", "2", "18600")
    # Aggregates: no access-log row.
    assert not AccessLogEntry.objects.exists()


def test_it_exports_the_own_kommun_episodes_and_logs_them(
    personas: Personas, org_tree: OrgTree, stays: dict[str, list[Episode]]
) -> None:
    response = login(personas.kommun_planner).get(EXPORT_URL, {**PERIOD, "detail": "1"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="fakturaunderlag-vasterbotten-2024-01-2024-04-vardtillfallen.csv"'
    )
    header, *rows = read_csv(response)
    assert tuple(header) == EPISODE_HEADERS
    records = [dict(zip(header, row, strict=True)) for row in rows]
    umea = stays["2480"]
    assert sorted(r["Vårdtillfälle"] for r in records) == sorted(ep.reference for ep in umea)
    assert {r["Kommunkod"] for r in records} == {"2480"}
    april = next(r for r in records if r["Vårdtillfälle"] == umea[3].reference)
    assert (
        april["Utskrivningsklara dagar"],
        april["Dagar med betalningsansvar"],
        april["Belopp (kr)"],
    ) == ("2", "2", "18600")
    for episode in stays["2482"]:
        assert episode.reference not in response.content.decode()
        assert episode.patient.personnummer not in response.content.decode()
    logged = AccessLogEntry.objects.filter(action=AccessAction.EXPORT)
    assert {row.episode_id for row in logged} == {ep.pk for ep in umea}
    assert logged.count() == AccessLogEntry.objects.count() == 4
    for row in logged:
        assert row.user_id == personas.kommun_planner.pk
        assert row.organisation_id == org_tree.umea.pk
        assert row.detail == "fakturaunderlag vasterbotten"


def test_it_exports_the_other_kommun_only_its_episodes(
    personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    response = login(personas.other_kommun_planner).get(
        EXPORT_URL, {**PERIOD, "detail": "1", "kommun": "2480"}
    )
    header, *rows = read_csv(response)
    assert tuple(header) == EPISODE_HEADERS
    assert [row[header.index("Vårdtillfälle")] for row in rows] == [stays["2482"][0].reference]
    logged = AccessLogEntry.objects.all()
    assert [row.episode_id for row in logged] == [stays["2482"][0].pk]


@pytest.mark.parametrize("name", REGION_ROLES)
def test_it_exports_the_region_aggregates_but_no_episode(
    name: str, personas: Personas, stays: dict[str, list[Episode]]
) -> None:
    client = login(persona(personas, name))
    header, *rows = read_csv(client.get(EXPORT_URL, PERIOD))
    assert tuple(header) == ROW_HEADERS
    assert {row[header.index("Kommunkod")] for row in rows} == {"2480", "2482"}
    header, *rows = read_csv(client.get(EXPORT_URL, {**PERIOD, "detail": "1"}))
    assert tuple(header) == EPISODE_HEADERS
    assert rows == []
    assert not AccessLogEntry.objects.exists()
