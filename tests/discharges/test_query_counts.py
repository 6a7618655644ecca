"""N+1 guards (issue 15): the pages every user lands on and reloads read the same number of
queries with few and with many episodes, events, receipts and memberships.

For the kommun planner, the ward nurse and the health centre coordinator: Att göra (``/``), the
episode list (active and all) and the episode page, each measured on its second request (the
first sets the session's last look), first with one episode of a few events, then with eight
more episodes in every state, four times the events and receipts on the measured episode, and a
second membership for the user. The dashboards and liability pages have their own guards
(tests/analysis, tests/payment).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.contrib.auth.models import AbstractUser
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from discharges import services
from discharges.models import Episode, Role
from tests.conftest import OrgTree, Personas, fresh, login, persona
from tests.discharges.pages import LIST_URL, WORKLIST_URL, detail_url

pytestmark = pytest.mark.django_db

ROLES = ("kommun_planner", "ward_nurse", "hc_coordinator")


def _queries(client: Client, url: str) -> tuple[int, int]:
    """The queries of the page's second request, and the episodes it links to."""
    client.get(url)  # the first look sets the session's last look
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    shown = set(re.findall(r'href="/episodes/(\d+)/"', response.content.decode()))
    return len(captured), len(shown)


def _counts(client: Client, episode: Episode) -> tuple[dict[str, int], dict[str, int]]:
    urls = {
        "worklist": WORKLIST_URL,
        "list": LIST_URL,
        "list_all": f"{LIST_URL}?status=all",
        "episode": detail_url(episode.pk),
    }
    measured = {name: _queries(client, url) for name, url in urls.items()}
    return {k: v[0] for k, v in measured.items()}, {k: v[1] for k, v in measured.items()}


def _second_membership(user: AbstractUser, role: str, org_tree: OrgTree) -> None:
    organisation = {
        "kommun_planner": org_tree.skelleftea,
        "ward_nurse": org_tree.psych_ward,
        "hc_coordinator": org_tree.hc_skelleftea,
    }[role]
    services.add_membership(user=user, organisation=organisation, role=_role_of(role))


def _role_of(role: str) -> str:
    return {
        "kommun_planner": Role.KOMMUN_PLANNER,
        "ward_nurse": Role.WARD_STAFF,
        "hc_coordinator": Role.HC_COORDINATOR,
    }[role]


def _more_events(episode: Episode, personas: Personas, times: int) -> None:
    """Changes of the preliminary date from the ward, each acknowledged by the kommun and the
    health centre: events and receipts on the episode."""
    for n in range(times):
        episode = fresh(episode)
        services.change_preliminary_date(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=timezone.localdate() + timedelta(days=3 + n),
        )
        services.acknowledge_all(actor=personas.kommun_actor, episode=fresh(episode))
        services.acknowledge_all(actor=personas.hc_actor, episode=fresh(episode))


@pytest.mark.parametrize("role", ROLES)
def test_the_daily_pages_read_as_many_queries_for_many_episodes_as_for_one(
    role: str,
    org_tree: OrgTree,
    personas: Personas,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    measured = advance(make_episode(), "noticed")
    user = persona(personas, role)
    few, few_rows = _counts(login(user), measured)

    for state in ("registered", "noticed", "noticed", "ready", "ready", "sip_invited",
                  "sip_invited", "discharged"):  # fmt: skip
        advance(make_episode(), state)
    before = fresh(measured).version
    _more_events(measured, personas, 4)
    assert fresh(measured).version >= before + 4
    _second_membership(user, role, org_tree)
    many, many_rows = _counts(login(type(user).objects.get(pk=user.pk)), measured)

    assert many_rows["worklist"] > few_rows["worklist"] >= 0
    assert many_rows["list_all"] > few_rows["list_all"] >= 1
    assert many == few
