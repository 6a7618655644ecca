"""discharges.views: every read of patient-level data appends access-log rows.

One row per episode shown on the list, the detail page and the worklist; nothing for an empty
list or a refused page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from discharges.models import AccessAction, AccessLogEntry, Episode
from tests.conftest import OrgTree, Personas, login
from tests.discharges.pages import (
    LIST_URL,
    WORKLIST_URL,
    detail_url,
    listed_ids,
    log_rows,
    worklist_ids,
)

# --- Access log -------------------------------------------------------------------------------


def test_it_logs_one_row_per_episode_on_the_list_page(
    nurse: Client, personas: Personas, org_tree: OrgTree, make_episode: Callable[..., Episode]
) -> None:
    shown = {make_episode().pk for _ in range(3)}
    started = timezone.now()
    response = nurse.get(LIST_URL)
    assert listed_ids(response) == shown
    rows = log_rows(personas.ward_nurse, AccessAction.LIST)
    assert {r.episode_id for r in rows} == shown
    assert len(rows) == 3
    for row in rows:
        assert row.organisation_id == org_tree.ward.pk
        assert row.patient_id == Episode.objects.get(pk=row.episode_id).patient_id
        assert started <= row.at <= timezone.now()
    assert AccessLogEntry.objects.count() == 3


def test_it_logs_only_the_episodes_shown_on_the_list_page(
    nurse: Client, personas: Personas, make_episode: Callable[..., Episode], advance: Callable
) -> None:
    active = make_episode()
    closed = advance(make_episode(), "closed")
    response = nurse.get(LIST_URL)  # active only
    assert listed_ids(response) == {active.pk}
    assert {r.episode_id for r in log_rows(personas.ward_nurse, AccessAction.LIST)} == {active.pk}
    assert closed.pk not in {r.episode_id for r in AccessLogEntry.objects.all()}


def test_it_logs_the_detail_page(
    planner: Client, personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    assert planner.get(detail_url(noticed.pk)).status_code == 200
    [row] = AccessLogEntry.objects.all()
    assert row.user_id == personas.kommun_planner.pk
    assert row.organisation_id == org_tree.umea.pk
    assert row.episode_id == noticed.pk
    assert row.patient_id == noticed.patient_id
    assert row.action == AccessAction.VIEW


def test_it_logs_the_worklist(
    personas: Personas, org_tree: OrgTree, noticed: Episode, make_episode: Callable[..., Episode]
) -> None:
    registered = make_episode()  # not the kommun's yet
    response = login(personas.kommun_planner).get(WORKLIST_URL)
    assert worklist_ids(response) == {noticed.pk}
    rows = log_rows(personas.kommun_planner, AccessAction.WORKLIST)
    assert [(r.episode_id, r.organisation_id) for r in rows] == [(noticed.pk, org_tree.umea.pk)]

    response = login(personas.ward_nurse).get(WORKLIST_URL)
    assert worklist_ids(response) == {noticed.pk, registered.pk}
    rows = log_rows(personas.ward_nurse, AccessAction.WORKLIST)
    assert {r.episode_id for r in rows} == {noticed.pk, registered.pk}
    assert {r.organisation_id for r in rows} == {org_tree.ward.pk}


def test_it_logs_nothing_for_an_empty_list_or_a_refused_page(
    personas: Personas, noticed: Episode
) -> None:
    client = login(personas.other_kommun_planner)
    client.get(LIST_URL)
    client.get(WORKLIST_URL)
    client.get(detail_url(noticed.pk))
    assert not AccessLogEntry.objects.exists()
