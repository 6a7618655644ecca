"""Issue 7, point 4: the liability pages and their episode CSV apply the same consent hiding as
the episode pages. Without consent for an episode, the kommun sees its reference, dates, days and
amount (what an invoice is checked by) but not its care type; a month page of one care type
(agreements keeping somatik and psykiatri apart) counts such an episode without listing it.

On the code before the fix the psykiatri month page listed and linked the episode, and the CSV
read ``psykiatri``, for a patient without consent.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from discharges import services
from discharges.models import Destination, Episode, Patient
from discharges.services import Actor
from payment.loader import load_agreement
from payment.models import Agreement
from tests.conftest import OrgTree, Personas, login

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PERIOD = {"from": "2024-04", "to": "2024-04"}


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


@pytest.fixture
def agreement(db: None) -> Agreement:
    path = Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml"
    loaded, _created = load_agreement(path)
    return loaded


@pytest.fixture
def psych_stay(
    agreement: Agreement,
    org_tree: OrgTree,
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> Episode:
    """An Umeå resident at the psychiatric ward, ready 2024-04-10, discharged 2024-04-15."""
    ready, discharged = date(2024, 4, 10), date(2024, 4, 15)
    episode = make_episode(
        make_patient(), ward=org_tree.psych_ward, admitted_at=at(ready - timedelta(days=2), 8)
    )
    ward = Actor(personas.integration, org_tree.psych_ward)
    services.send_admission_notice(
        actor=ward, episode=episode, preliminary_ready_date=ready, occurred_at=at(ready, 7)
    )
    services.send_ready_notice(
        actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 10)
    )
    services.register_discharge(
        actor=ward, episode=episode, destination=Destination.HOME, occurred_at=at(discharged, 11)
    )
    return episode


def _separate(agreement: Agreement) -> None:
    agreement.separate_care_types = True
    agreement.save()


def _csv_lines(client: Client) -> list[dict[str, str]]:
    response = client.get(
        reverse("payment:export", args=["vasterbotten"]), {**PERIOD, "detail": "1"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    dialect = ";" if text.splitlines()[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=dialect))


def _month_page(client: Client, care_type: str) -> str:
    url = reverse("payment:month", args=["vasterbotten", "2480", care_type, "2024-04"])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _care_type_cell(line: dict[str, str]) -> str:
    for key in ("care_type", "vårdform", "Vårdform"):
        if key in line:
            return line[key]
    raise AssertionError(f"no care type column in {sorted(line)}")


def test_the_csv_leaves_out_the_care_type_without_consent(
    agreement: Agreement, psych_stay: Episode, personas: Personas
) -> None:
    [line] = _csv_lines(login(personas.kommun_planner))
    assert psych_stay.reference in line.values() or str(psych_stay.pk) in str(line.values())
    assert _care_type_cell(line) == ""
    assert "psykiatri" not in str(line.values()).lower()


def test_the_care_type_month_page_counts_but_does_not_list_it_without_consent(
    agreement: Agreement, psych_stay: Episode, personas: Personas
) -> None:
    _separate(agreement)
    page = _month_page(login(personas.kommun_planner), "psykiatri")
    assert reverse("discharges:episode_detail", args=[psych_stay.pk]) not in page
    assert psych_stay.reference not in page
    assert 'id="consent-hidden"' in page


def test_the_combined_month_page_lists_it_without_its_care_type(
    agreement: Agreement, psych_stay: Episode, personas: Personas
) -> None:
    page = _month_page(login(personas.kommun_planner), "all")
    assert reverse("discharges:episode_detail", args=[psych_stay.pk]) in page


def test_with_consent_for_the_episode_the_care_type_is_shown(
    agreement: Agreement, psych_stay: Episode, personas: Personas, org_tree: OrgTree
) -> None:
    services.record_consent(
        actor=Actor(personas.psych_nurse, org_tree.psych_ward), episode=psych_stay
    )
    _separate(agreement)
    client = login(personas.kommun_planner)
    [line] = _csv_lines(client)
    assert _care_type_cell(line) in ("psykiatri", "Psykiatri", "Psykiatrisk vård")
    page = _month_page(client, "psykiatri")
    assert reverse("discharges:episode_detail", args=[psych_stay.pk]) in page
    assert 'id="consent-hidden"' not in page
