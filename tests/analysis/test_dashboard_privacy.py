"""Aggregates only: a member of the partssammansatt grupp gets 404 on every episode, pages and
API alike, and finds no personnummer (in any written form) nor a patient's name on any page or
download they can reach, the follow-up and the liability pages included."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from analysis.queries import add_months
from analysis.statistics import compute_statistics
from discharges.models import AccessLogEntry, Episode, Kommun, Patient
from payment.loader import load_agreement
from payment.models import DailyAmount
from tests.analysis.dashboard_data import AGREEMENT
from tests.analysis.test_views import stay
from tests.conftest import OrgTree, Personas, login

__all__ = ["stay"]  # the fixture, used below


@pytest.fixture
def history(
    org_tree: OrgTree, make_patient: Callable[..., Patient], stay: Callable[..., Episode]
) -> list[Episode]:
    """Four months of five stays in Umeå (4 ready days each, over 3,0) and one in Skellefteå, the
    agreement with this year's amount, the statistics and the stored liability."""
    first = add_months(timezone.localdate().replace(day=1), -4)
    episodes = []
    for n in range(4):
        month = add_months(first, n)
        for day in (3, 7, 10, 14, 17):
            episodes.append(
                stay(make_patient(), month.replace(day=day), month.replace(day=day + 4))
            )
    skelleftea = make_patient(kommun=org_tree.skelleftea, health_centre=org_tree.hc_skelleftea)
    episodes.append(stay(skelleftea, first.replace(day=5), first.replace(day=6)))
    agreement, _ = load_agreement(AGREEMENT)
    DailyAmount.objects.get_or_create(
        agreement=agreement, year=timezone.localdate().year, defaults={"amount_sek": 9300}
    )
    compute_statistics()
    return episodes


def reachable(month: date) -> list[str]:
    pages = [
        "/",
        reverse("analysis:dashboard"),
        reverse("discharges:episode_list"),
        "/api/episodes/",
        reverse("payment:liability"),
        f"{reverse('payment:liability')}?kommun=2480&from=2020-01&to={month:%Y-%m}",
        f"/liability/vasterbotten/export.csv?from={month:%Y-%m}&to={month:%Y-%m}",
        f"/liability/vasterbotten/export.csv?from={month:%Y-%m}&to={month:%Y-%m}&detail=1",
        f"/liability/vasterbotten/2480/all/{month:%Y-%m}/",
    ]
    for kommun in Kommun.objects.filter(code__startswith="24"):
        pages.append(reverse("analysis:kommun", args=[kommun.code]) + "?months=6")
        for table in ("manader", "indikatorer"):
            pages += [
                reverse("analysis:kommun_export", args=[kommun.code, table, f])
                for f in ("csv", "xlsx")
            ]
    for table in ("kommuner", "karta", "region"):
        pages += [
            reverse("analysis:export", args=[table, f]) + "?months=6" for f in ("csv", "xlsx")
        ]
    return pages


def test_a_group_member_gets_404_on_every_episode(
    personas: Personas, history: list[Episode]
) -> None:
    client = login(personas.joint_group)
    for episode in Episode.objects.all():
        assert (
            client.get(reverse("discharges:episode_detail", args=[episode.pk])).status_code == 404
        )
        assert client.get(f"/api/episodes/{episode.pk}/").status_code == 404
    assert not AccessLogEntry.objects.filter(user=personas.joint_group).exists()


def forms_of(number: str) -> list[str]:
    return [number, f"{number[:8]}-{number[8:]}", number[2:], f"{number[2:8]}-{number[8:]}"]


def test_a_group_member_sees_no_personnummer_anywhere(
    personas: Personas, history: list[Episode]
) -> None:
    client = login(personas.joint_group)
    month = add_months(timezone.localdate().replace(day=1), -1)
    contents = []
    for url in reachable(month):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        contents.append((url, response.content))
    assert any(b"Ume" in body for _url, body in contents)  # the pages did show something
    for episode in history:
        patient = episode.patient
        for url, body in contents:
            text = body.decode("utf-8", errors="replace")
            for form in forms_of(patient.personnummer):
                assert form not in text, f"personnummer in {url}"
            assert patient.name not in text, f"a patient's name in {url}"
            assert not re.search(rf"/episodes/{episode.pk}/", text), f"an episode link in {url}"


def test_the_liability_page_offers_the_group_no_episode_download(
    personas: Personas, history: list[Episode]
) -> None:
    html = login(personas.joint_group).get(reverse("payment:liability")).content.decode()
    assert "detail=1" not in html
    assert (
        "detail=1"
        in login(personas.kommun_planner).get(reverse("payment:liability")).content.decode()
    )


def test_the_stays_made_the_month_over_and_liable(
    personas: Personas, history: list[Episode]
) -> None:
    """The scenery is what the test says: Umeå's months over 3,0 show up for the group."""
    response = login(personas.joint_group).get(reverse("analysis:dashboard"), {"months": "6"})
    assert "Umeå (4 månader)" in response.context["page"].heat_summary
    umea = next(r for r in response.context["page"].kommuner.rows if r.code == "2480")
    assert umea.cells[9].text == "Betalningsansvarig"  # three months over: liable in the fourth
