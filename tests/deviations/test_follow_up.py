"""Deviations per category per kommun on the follow-up pages (issue 14, point 4): the overview
counts them per kommun, a kommun's page per month; aggregates only, no text."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

from deviations.models import Category
from deviations.services import file_deviation
from discharges.models import Episode
from tests.conftest import OrgTree, Personas, login

DESCRIPTION = "Hjälpmedel saknades vid hemkomsten"


def cells(html: str, label: str) -> list[str]:
    section = html[html.index('id="deviation-counts"') :]
    row = re.search(re.escape(label) + r"</th>(.*?)</tr>", section, re.S)
    assert row is not None, label
    return re.findall(r'<td class="num">(\d+)</td>', row.group(1))


def test_the_dashboards_count_deviations_per_category(
    personas: Personas,
    org_tree: OrgTree,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    for category in (Category.MEDICATION_AIDS, Category.MEDICATION_AIDS, Category.OTHER):
        file_deviation(
            personas.kommun_planner,
            advance(make_episode(), "noticed"),
            category=category,
            description=DESCRIPTION,
            concerns_id=org_tree.ward.pk,
        )
    month = f"{timezone.localdate():%Y-%m}"
    period = {"from": month, "to": month}
    expected = {Category.MEDICATION_AIDS: 2, Category.OTHER: 1}
    row = [str(expected.get(c, 0)) for c in Category.values] + ["3"]
    for name in ("processledare", "joint_group"):
        client = login(getattr(personas, name))
        overview = client.get(reverse("analysis:dashboard"), period).content.decode()
        assert cells(overview, "2480 Umeå") == row
        assert "2482 Skellefteå</th>" not in overview[overview.index('id="deviation-counts"') :]
        assert DESCRIPTION not in overview
        page = client.get(reverse("analysis:kommun", args=["2480"]), period).content.decode()
        assert cells(page, month) == row
