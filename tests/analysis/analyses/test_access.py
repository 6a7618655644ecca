"""Who sees what of an analysis: the processledare everything at patient level, the group by
running number only, each party its own patients (and the other columns only where it may
see the episode's details); out of scope is a 404, the same bytes as a missing analysis.
Every page that shows patients writes one access-log row per patient."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from discharges import services
from discharges.models import AccessAction, AccessLogEntry
from discharges.personnummer import format_personnummer
from tests.analysis.analyses.conftest import March
from tests.conftest import Personas, login
from tests.discharges.pages import without_csrf

pytestmark = pytest.mark.django_db


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"analysis:analyses:{name}", kwargs=kwargs)


def pages(march: March) -> list[str]:
    pk = march.analysis.pk
    return [url("detail", pk=pk), *(url("patient", pk=pk, number=n) for n in (1, 2, 3))]


def identities(march: March) -> list[str]:
    found = []
    for episode in (march.first, march.second, march.psych):
        number = episode.patient.personnummer
        found += [number, format_personnummer(number), number[2:], episode.patient.name]
    return found


def test_the_processledare_sees_every_patient_by_name_and_number(
    march: March, personas: Personas
) -> None:
    client = login(personas.processledare)
    detail = client.get(url("detail", pk=march.analysis.pk)).content.decode()
    for episode in (march.first, march.second, march.psych):
        assert format_personnummer(episode.patient.personnummer) in detail
        assert episode.patient.name in detail
    rows = AccessLogEntry.objects.filter(user=personas.processledare)
    assert sorted(rows.values_list("episode_id", flat=True)) == sorted(
        [march.first.pk, march.second.pk, march.psych.pk]
    )
    assert {(r.action, r.organisation_id) for r in rows} == {
        (AccessAction.VIEW, march.analysis.kommun.region_id)
    }


def test_the_group_sees_no_name_or_personnummer_anywhere(march: March, personas: Personas) -> None:
    client = login(personas.joint_group)
    for page in pages(march):
        response = client.get(page)
        assert response.status_code == 200, page
        text = response.content.decode()
        for identity in identities(march):
            assert identity not in text, (page, identity)
    detail = client.get(url("detail", pk=march.analysis.pk)).content.decode()
    assert "Patient 1" in detail and "Patient 3" in detail
    logged = AccessLogEntry.objects.filter(user=personas.joint_group)
    assert logged.count() == 2 * 3 + 3  # two overviews of three, three checklists


def test_another_kommun_gets_a_404_like_a_missing_analysis(
    march: March, personas: Personas
) -> None:
    client = login(personas.other_kommun_planner)
    missing = client.get(url("detail", pk=march.analysis.pk + 1000))
    assert missing.status_code == 404
    for page in pages(march):
        response = client.get(page)
        assert response.status_code == 404
        assert without_csrf(response.content) == without_csrf(missing.content)
    post = client.post(url("save_column", pk=march.analysis.pk, number=1, column="kommun"))
    assert post.status_code == 404
    listing = client.get(url("list")).content.decode()
    assert f'href="{url("detail", pk=march.analysis.pk)}"' not in listing
    assert not AccessLogEntry.objects.filter(user=personas.other_kommun_planner).exists()


def test_a_ward_sees_only_its_own_patients(march: March, personas: Personas) -> None:
    nurse = login(personas.ward_nurse)
    detail = nurse.get(url("detail", pk=march.analysis.pk)).content.decode()
    assert march.first.patient.name in detail and march.second.patient.name in detail
    assert march.psych.patient.name not in detail
    assert nurse.get(url("patient", pk=march.analysis.pk, number=3)).status_code == 404
    psych = login(personas.psych_nurse)
    assert psych.get(url("patient", pk=march.analysis.pk, number=1)).status_code == 404
    assert psych.get(url("patient", pk=march.analysis.pk, number=3)).status_code == 200
    logged = AccessLogEntry.objects.filter(user=personas.ward_nurse)
    assert set(logged.values_list("episode_id", flat=True)) == {march.first.pk, march.second.pk}
    assert set(logged.values_list("organisation_id", flat=True)) == {march.first.ward_id}


def _ward_cell(client: Client, march: March) -> str:
    page = client.get(url("patient", pk=march.analysis.pk, number=1)).content.decode()
    row = page[page.index('id="row-admission_notice"') :]
    return row[: row.index("</tr>")]


def test_without_consent_the_kommun_sees_only_its_own_column(
    march: March, personas: Personas, org_tree: Any
) -> None:
    planner = login(personas.kommun_planner)
    cell = _ward_cell(planner, march)
    assert "visas inte utan samtycke" in cell and "2026-03-05" not in cell
    services.record_consent(
        actor=services.Actor(personas.ward_nurse, org_tree.ward), episode=march.first
    )
    cell = _ward_cell(planner, march)
    assert "2026-03-05" in cell and "visas inte utan samtycke" not in cell


def test_parties_may_not_manage_the_analysis(march: March, personas: Personas) -> None:
    pk = march.analysis.pk
    for user in (personas.ward_nurse, personas.kommun_planner, personas.joint_group):
        client = login(user)
        assert client.post(url("close", pk=pk), {"summary": "x"}).status_code == 403
        assert client.post(url("add_action", pk=pk), {"text": "x"}).status_code == 403
    for user in (personas.ward_nurse, personas.kommun_planner):
        assert login(user).post(url("pdf", pk=pk)).status_code == 403


def test_people_without_a_role_in_follow_up_or_episodes_see_no_analyses(
    march: March, personas: Personas
) -> None:
    for user in (personas.outsider, personas.integration):
        client = login(user)
        assert client.get(url("list")).status_code == 404
        assert client.get(url("detail", pk=march.analysis.pk)).status_code == 404
        assert client.get(url("actions")).status_code == 404


def start_page(user: Any) -> str:
    """Where the user lands after logging in (svu.views.start), as they see it."""
    return login(user).get(reverse("start"), follow=True).content.decode()


def test_opening_the_analysis_reads_the_notice(march: March, personas: Personas) -> None:
    client = login(personas.processledare)
    start = client.get(reverse("start"), follow=True).content.decode()
    assert 'id="analysis-notices"' in start and "2480 Umeå · 2026-03" in start
    client.get(url("detail", pk=march.analysis.pk))
    assert 'id="analysis-notices"' not in client.get(reverse("start"), follow=True).content.decode()
    # Each person reads their own notice.
    assert 'id="analysis-notices"' in start_page(personas.joint_group)
    # The parties are not told: they see the analysis when a patient of theirs is in it.
    assert 'id="analysis-notices"' not in start_page(personas.kommun_planner)


def test_the_menu_offers_the_analyses_to_follow_up_roles_and_parties(
    march: March, personas: Personas
) -> None:
    link = f'href="{url("list")}"'
    for user in (personas.processledare, personas.joint_group, personas.kommun_planner):
        assert link in start_page(user)
    assert link not in start_page(personas.outsider)
