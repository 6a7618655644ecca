"""Query-count guards of the liability pages (issue 15): the list (the invoice basis on the
page) and a kommun-month's page read as many queries for 2 discharged episodes as for 20,
whether the viewer is the kommun's planner (episodes listed) or the region (aggregates).

Each client requests its page once before counting (session and caches warm)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discharges import services
from discharges.models import Destination, Episode, Patient
from discharges.services import Actor
from tests.conftest import OrgTree, Personas, login
from tests.payment.test_views import LIABILITY_URL, at, month_url
from tests.payment.test_views import agreement as agreement

PERIOD = {"from": "2024-01", "to": "2024-04"}
# Session, user, OTP device, memberships, membership regions, the kommuner, the agreements,
# the report's reads and the analyses' menu: a ceiling that a per-episode read would pass.
MAX_QUERIES = 30

Stays = Callable[[int], None]


@pytest.fixture
def add_stays(
    agreement: object,
    org_tree: OrgTree,
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> Stays:
    """``count`` more stays in Umeå and Skellefteå, ready on the 10th of April to January
    (turn by turn) and discharged five days later: over the threshold, so Umeå gets liable."""

    def add(count: int) -> None:
        for n in range(count):
            ready = date(2024, 4 - n % 4, 10)  # the first in Umeå in April
            kommun = org_tree.skelleftea if n % 3 == 2 else org_tree.umea
            centre = org_tree.hc_skelleftea if n % 3 == 2 else org_tree.hc_umea
            patient = make_patient(kommun=kommun, health_centre=centre)
            admitted = ready - timedelta(days=2)
            episode = make_episode(patient, admitted_at=at(admitted, 8))
            ward = Actor(personas.integration, episode.ward)
            services.send_admission_notice(
                actor=ward,
                episode=episode,
                preliminary_ready_date=ready,
                occurred_at=at(admitted, 9),
            )
            services.send_ready_notice(
                actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 10)
            )
            services.register_discharge(
                actor=ward,
                episode=episode,
                destination=Destination.HOME,
                occurred_at=at(ready + timedelta(days=5), 11),
            )

    return add


def count_queries(user: AbstractUser, url: str, params: dict[str, str] | None = None) -> int:
    client = login(user)
    assert client.get(url, params).status_code == 200  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["kommun_planner", "processledare"])
@pytest.mark.parametrize(
    ("url", "params"),
    [(LIABILITY_URL, PERIOD), (month_url("2480", "2024-04"), None)],
    ids=["list", "month page"],
)
def test_the_liability_pages_read_as_many_queries_for_2_episodes_as_for_20(
    name: str, url: str, params: dict[str, str] | None, personas: Personas, add_stays: Stays
) -> None:
    user = getattr(personas, name)
    add_stays(2)
    few = count_queries(user, url, params)  # the planner's month page lists and logs one
    add_stays(18)
    assert Episode.objects.count() == 20
    assert count_queries(user, url, params) == few <= MAX_QUERIES
