"""discharges.services specs: the messages offered in each state are exactly those accepted.

``services.available_kinds`` (what pages and the API offer) is checked against what the
services accept, for every party and message of ``CASES``, state by state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from discharges import services
from discharges.models import Episode
from discharges.services import Refused
from tests.conftest import OrgTree, Personas
from tests.discharges.services.conftest import CASES, PARTIES, actor_of


class _Rollback(Exception):
    pass


def accepted(send: Callable[[], Any]) -> bool:
    """Whether ``send()`` is accepted; its writes are rolled back either way."""
    try:
        with transaction.atomic():
            send()
            raise _Rollback
    except _Rollback:
        return True
    except Refused:
        return False


SERVICE_PARTY = {"ward": "ward", "kommun": "kommun", "hc": "health_centre"}


@pytest.mark.parametrize("state", ["registered", "noticed", "ready", "sip_invited", "discharged"])
def test_it_offers_exactly_the_messages_the_services_accept(
    state: str,
    episode: Episode,
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, state)
    for party in PARTIES:
        offered = set(services.available_kinds(episode, SERVICE_PARTY[party]))
        actor = actor_of(personas, party)
        for case in CASES:
            if not services.SPECS[case.kind].offered:
                # Only imported history records it; pages and the API never offer it.
                assert case.kind not in offered
                continue
            fresh = Episode.objects.get(pk=episode.pk)
            ok = accepted(lambda c=case, e=fresh, a=actor: c.send(e, a, org_tree))
            assert ok == (case.kind in offered), (state, party, case.name)


def test_it_offers_nothing_after_closure(
    episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "closed")
    for party in SERVICE_PARTY.values():
        assert services.available_kinds(episode, party) == []
    assert services.available_kinds(episode, None) == []
