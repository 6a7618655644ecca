"""Deviations counted per category in the analysis of a kommun-month (issue 14, point 4): the
analysis's patients' deviations beside all of the kommun's filed in the month."""

from __future__ import annotations

import re

from django.urls import reverse

from deviations.models import Category
from deviations.services import file_deviation
from tests.analysis.analyses.conftest import March
from tests.conftest import OrgTree, Personas, login


def test_the_analysis_counts_the_deviations_about_its_patients(
    march: March, personas: Personas, org_tree: OrgTree
) -> None:
    for episode, category in (
        (march.first, Category.SIP_NOT_HELD),
        (march.second, Category.SIP_NOT_HELD),
        (march.first, Category.MEDICATION_AIDS),
    ):
        file_deviation(
            personas.ward_nurse,
            episode,
            category=category,
            description="x",
            concerns_id=org_tree.umea.pk,
        )
    url = reverse("analysis:analyses:detail", args=[march.analysis.pk])
    html = login(personas.processledare).get(url).content.decode()
    section = html[html.index('id="deviation-counts"') :]
    row = re.search(r"Analysens patienter</th>(.*?)</tr>", section, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
    # Columns in Category order, then the total.
    expected = {Category.SIP_NOT_HELD: 2, Category.MEDICATION_AIDS: 1}
    assert cells == [str(expected.get(c, 0)) for c in Category.values] + ["3"]
