"""Hostile input to the deviation pages: NUL bytes, ids beyond a 64-bit integer, 10 MB of
text. Each is a 4xx (the field named) or a 404, never a 500, and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deviations.models import Deviation
from discharges.models import Episode
from tests.conftest import OrgTree, Personas, login

NUL = "a\x00b"
HUGE = "99999999999999999999"
TEN_MB = "x" * (10 * 1024 * 1024)  # in a query string
LONG = "x" * 100_000  # in a form (10 MB is over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 before the view)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"category": NUL, "concerns": "WARD", "description": "x"}, "category"),
        ({"category": "other", "concerns": HUGE, "description": "x"}, "concerns"),
        ({"category": "other", "concerns": "²", "description": "x"}, "concerns"),
        ({"category": "other", "concerns": NUL, "description": "x"}, "concerns"),
        ({"category": "other", "concerns": "WARD", "description": NUL}, "description"),
        ({"category": "other", "concerns": "WARD", "description": LONG}, "description"),
    ],
)
def test_a_hostile_deviation_is_refused_with_its_field(
    personas: Personas, noticed: Episode, org_tree: OrgTree, data: dict[str, str], field: str
) -> None:
    post = {k: str(org_tree.ward.pk) if v == "WARD" else v for k, v in data.items()}
    url = reverse("deviations:file", args=[noticed.pk])
    response = login(personas.kommun_planner).post(url, post)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert not Deviation.objects.exists()


@pytest.mark.parametrize(
    "path",
    [f"/deviations/{HUGE}/answer/", f"/deviations/episode/{HUGE}/new/", "/deviations/1/answer/"],
)
def test_a_hostile_address_is_a_404(personas: Personas, path: str) -> None:
    response = login(personas.kommun_planner).post(path, {"answer": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query", [{"category": NUL}, {"kommun": NUL}, {"kommun": HUGE}, {"category": TEN_MB}]
)
def test_a_hostile_list_filter_is_ignored(personas: Personas, query: dict[str, str]) -> None:
    response = login(personas.processledare).get(reverse("deviations:list"), query)
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()
