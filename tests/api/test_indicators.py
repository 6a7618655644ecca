"""``/api/v1/indicators/``: seed 003's stored counts for the caller's kommuner; a count whose
base is under the small-number limit is null for a caller outside the kommun (as on the kommun
page); bad parameters are a 400 naming the field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.utils import timezone

from analysis.indicator_models import INDICATOR_COUNTS, MonthlyIndicators
from tests.api.conftest import ApiClient
from tests.conftest import OrgTree, Personas

pytestmark = pytest.mark.django_db

PERIOD = {"from": "2024-03", "to": "2024-03"}


@pytest.fixture
def stored(org_tree: OrgTree) -> None:
    counts = dict.fromkeys(INDICATOR_COUNTS, 0)
    # 12 episodes (shown to all), 3 of them with a SIP place known (a small base), 2 at home.
    counts.update(episodes=12, admission_notice=10, sip=3, sip_place_known=3, sip_home=2)
    MonthlyIndicators.objects.create(
        kommun=org_tree.umea,
        health_centre=org_tree.hc_umea,
        care_type="somatic",
        month=date(2024, 3, 1),
        computed_at=timezone.now(),
        **counts,
    )


def test_own_kommun_sees_every_count(
    stored: None, personas: Personas, bearer: Callable[..., ApiClient]
) -> None:
    response = bearer(personas.kommun_planner).get("/api/v1/indicators/", PERIOD)
    assert response.status_code == 200, response.content
    [row] = response.json()["rows"]
    assert (row["kommun"], row["care_type"], row["month"]) == ("2480", "somatic", "2024-03")
    assert row["health_centre"]
    assert (row["episodes"], row["admission_notice"], row["sip_home"]) == (12, 10, 2)


def test_a_count_on_a_small_base_is_null_outside_the_kommun(
    stored: None, personas: Personas, bearer: Callable[..., ApiClient]
) -> None:
    rows = bearer(personas.other_kommun_planner).get("/api/v1/indicators/", PERIOD).json()["rows"]
    [row] = [r for r in rows if r["kommun"] == "2480"]
    assert (row["episodes"], row["admission_notice"], row["sip"]) == (12, 10, 3)
    assert (row["sip_place_known"], row["sip_home"]) == (3, None)  # base 3 places: hidden


def test_bad_parameters_name_the_field_and_outsiders_are_refused(
    stored: None, personas: Personas, bearer: Callable[..., ApiClient]
) -> None:
    client = bearer(personas.kommun_planner)
    response = client.get("/api/v1/indicators/", {"care_type": "dental"})
    assert response.status_code == 400 and "care_type" in response.json()["fields"]
    assert client.get("/api/v1/indicators/", {"from": "2024-13"}).status_code == 400
    assert bearer(personas.outsider).get("/api/v1/indicators/").status_code == 403
