"""A schema-driven fuzz run: schemathesis generates requests for every operation of the
OpenAPI schema (as served at /api/schema/, fetched with a token), sends them through the WSGI
application authenticated with a system account's token, and checks that no answer is a 5xx
and that every answer matches the schema (status documented, body of the documented shape).

Half of the generated requests name a real episode and event, so that the endpoints answer
more than 404. ``SVU_FUZZ_EXAMPLES`` sets the examples per operation (15, for each of two
accounts: under a minute of CPU for all operations)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import AbstractUser
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api import tokens
from discharges.models import Episode, EpisodeEvent
from svu.wsgi import application

EXAMPLES = int(os.environ.get("SVU_FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def scenery(
    make_episode: Callable[..., Episode], advance: Callable[..., Episode], ward_system: AbstractUser
) -> dict[str, int]:
    """Episodes in several states at the ward whose system account fuzzes."""
    noticed = advance(make_episode(), "noticed")
    advance(make_episode(), "ready")
    advance(make_episode(admitted_at=timezone.now() - timedelta(days=4)), "discharged")
    make_episode()
    event = EpisodeEvent.objects.filter(episode=noticed).order_by("-seq").first()
    assert event is not None
    return {"id": noticed.pk, "event_id": event.pk}


@pytest.fixture
def keep_the_test_connection() -> Iterator[None]:
    """The WSGI application closes "old" database connections at each request's start and end;
    Django's test client stops that, so must this (else PostgreSQL loses the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.usefixtures("keep_the_test_connection")
@pytest.mark.parametrize("account", ["ward_system", "kommun_system"])
def test_no_answer_is_a_5xx_or_outside_the_schema(
    account: str, scenery: dict[str, int], request: pytest.FixtureRequest
) -> None:
    from django.conf import settings as django_settings

    user = request.getfixturevalue(account)
    _token, secret = tokens.create_token(user, days=1)
    auth = {"Authorization": f"Bearer {secret}"}
    original_rate = django_settings.SVU_API_RATE
    django_settings.SVU_API_RATE = "1000000/minute"  # the fuzzing is not what is limited
    try:
        schema = schemathesis.openapi.from_wsgi(
            "/api/schema/?format=json", application, headers=auth
        )
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 28  # every endpoint, every message kind
        seen: dict[str, int] = {}
        for operation in operations:
            _fuzz(operation, auth, scenery, seen)
        assert seen["id"] > len(operations) and seen["event_id"] > 0  # real episodes were hit
    finally:
        django_settings.SVU_API_RATE = original_rate


def _fuzz(
    operation: Any, auth: dict[str, str], scenery: dict[str, int], seen: dict[str, int]
) -> None:
    @given(case=operation.as_strategy(), real=st.booleans())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any, real: bool) -> None:
        if real and case.path_parameters:
            for name in ("id", "event_id"):  # the schema names the episode's pk "id"
                if name in case.path_parameters:
                    case.path_parameters[name] = scenery[name]
                    seen[name] = seen.get(name, 0) + 1
        response = case.call(headers=auth)
        case.validate_response(response, checks=CHECKS)

    run()
