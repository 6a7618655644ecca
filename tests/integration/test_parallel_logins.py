"""Parallel password guesses (issue 13, point 1): probing found 120 parallel guesses all
processed. Twenty guesses for one user name sent at the same moment, each from its own
connection, through Django's real login view: four are checked (and fail), the fifth locks the
name, the others are refused without a password check, and the right password is refused after.

PostgreSQL (its row and advisory locks); skipped elsewhere outside CI, a failure in CI.
"""

from __future__ import annotations

import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.test import Client

from tests.conftest import PASSWORD, Personas
from tests.engines import ON_POSTGRESQL, postgresql_only

pytestmark = [
    pytest.mark.integration,
    postgresql_only("needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_parallel_guesses_are_counted_one_after_the_other(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ON_POSTGRESQL, "CI must run the parallel login test on PostgreSQL"
    checked: list[str] = []
    check_password = AbstractBaseUser.check_password

    def counted(user: AbstractBaseUser, raw_password: str) -> bool:
        checked.append(raw_password)
        return check_password(user, raw_password)

    monkeypatch.setattr(AbstractBaseUser, "check_password", counted)
    guesses = 20
    barrier = threading.Barrier(guesses)
    statuses: list[int] = []

    def guess(n: int) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.8.0.{n}")
            barrier.wait()
            response = client.post(
                "/login/", {"username": "ward_nurse", "password": f"wrong guess {n}"}
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200] * 4 + [429] * (guesses - 4)
    assert len(checked) == 5  # the fifth failure locks the name; the rest are not checked
    # Every guess counts (a guess during the lockout starts its cool-off again).
    assert sum(a.failures_since_start for a in AccessAttempt.objects.all()) == guesses
    right = Client().post("/login/", {"username": "ward_nurse", "password": PASSWORD})
    assert right.status_code == 429
