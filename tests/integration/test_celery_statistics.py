"""The statistics task through a real Celery worker on Redis, against PostgreSQL.

Needs DATABASE_URL pointing at PostgreSQL and REDIS_URL at a reachable Redis. Without them the
worker test is skipped on a developer's machine, but fails when CI is set (.ci/run sets CI,
DATABASE_URL and REDIS_URL): CI must never pass by skipping it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from tests.csvfiles import import_rows, stay
from tests.engines import IN_CI, ON_POSTGRESQL

ROOT = Path(__file__).resolve().parents[2]


def _environment_problem() -> str | None:
    """Why the real engines cannot be used here, or None when they can."""
    if not ON_POSTGRESQL:
        return "DATABASE_URL is not a PostgreSQL database"
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis at REDIS_URL is unreachable ({exc})"
    return None


PROBLEM = _environment_problem()


@pytest.fixture
def real_broker() -> Iterator[Any]:
    """svu.celery.app pointed at Redis, not eager, on a queue of its own; restored afterwards."""
    if PROBLEM is not None:  # only reached in CI: elsewhere the test is skipped before its setup
        pytest.fail(f"CI must run the Celery integration test: {PROBLEM}")
    import celery.contrib.testing.tasks  # noqa: F401  (registers celery.ping)

    from svu.celery import app

    redis_url = os.environ["REDIS_URL"]
    changes = {
        "task_always_eager": False,
        "broker_url": redis_url,
        "result_backend": redis_url,
        # A queue of its own: no other worker on this Redis can take the task.
        "task_default_queue": f"svu-test-{uuid.uuid4().hex[:12]}",
        "worker_hijack_root_logger": False,
    }
    saved = {key: app.conf.get(key) for key in changes}
    _reset_connections(app)
    app.conf.update(changes)
    try:
        yield app
    finally:
        app.conf.update(saved)
        _reset_connections(app)


def _reset_connections(app: Any) -> None:
    """Drop what the app cached from its previous broker and result backend settings, and
    kombu's process-wide producer pools: they are keyed by the connection's URL, so a second
    worker test on the same Redis would otherwise get the pool the first one closed."""
    from kombu import pools

    pools.reset()
    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app._backend_cache = None
    if hasattr(app._local, "backend"):
        del app._local.backend
    app.__dict__.pop("amqp", None)  # queues, routes and producer pool of the old settings


@pytest.fixture
def worker_closes_its_connections() -> Iterator[None]:
    """The worker thread's database connections must not outlive the test (the test database
    is dropped at the end of the session)."""
    from celery.signals import task_postrun

    def close(**_kwargs: Any) -> None:
        connections.close_all()

    task_postrun.connect(close, weak=False)
    try:
        yield
    finally:
        task_postrun.disconnect(close)


@pytest.mark.integration
# Skipped before any fixture runs (a transactional test flushes the database on teardown).
@pytest.mark.skipif(PROBLEM is not None and not IN_CI, reason=str(PROBLEM))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_statistics_task_runs_on_a_real_worker(
    real_broker: Any, worker_closes_its_connections: None, tmp_path: Path
) -> None:
    from celery.contrib.testing.worker import start_worker

    from analysis import tasks
    from analysis.models import MonthlyStatistic

    # Umeå, March 2026: 4 + 0 ready days (3/2 episodes); April: 3 days. Skellefteå, March: 2.
    import_rows(
        tmp_path,
        [
            stay("W1", 1, date(2026, 3, 10), date(2026, 3, 14)),
            stay("W2", 2, date(2026, 3, 20), date(2026, 3, 20), care_type="psykiatri"),
            stay("W3", 3, date(2026, 4, 1), date(2026, 4, 4)),
            stay("W4", 4, date(2026, 3, 16), date(2026, 3, 18), kommun="2482"),
        ],
    )
    assert MonthlyStatistic.objects.count() == 0

    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        result = tasks.compute_statistics.delay()
        # Umeå: somatik March, psykiatri March, all March, somatik April, all April;
        # Skellefteå: somatik March, all March.
        assert result.get(timeout=30) == 7
        assert result.successful()

    rows = {
        (code, care, month): (episodes, ready_days, same_day)
        for code, care, month, episodes, ready_days, same_day in (
            MonthlyStatistic.objects.values_list(
                "kommun__code", "care_type", "month", "episodes", "ready_days", "same_day"
            )
        )
    }
    march, april = date(2026, 3, 1), date(2026, 4, 1)
    assert rows == {
        ("2480", "somatik", march): (1, 4, 0),  # W1: 14 - 10 March
        ("2480", "psykiatri", march): (1, 0, 1),  # W2: discharged on the ready day
        ("2480", "all", march): (2, 4, 1),
        ("2480", "somatik", april): (1, 3, 0),  # W3: 4 - 1 April
        ("2480", "all", april): (1, 3, 0),
        ("2482", "somatik", march): (1, 2, 0),  # W4: 18 - 16 March
        ("2482", "all", march): (1, 2, 0),
    }


def test_ci_cannot_skip_the_worker_test() -> None:
    """The guard itself: in CI a missing engine is a failure, not a skip."""
    if IN_CI:
        assert PROBLEM is None, f"CI must provide PostgreSQL and Redis: {PROBLEM}"


def test_without_redis_url_celery_runs_eagerly() -> None:
    """The embedded default: no REDIS_URL means eager tasks and no broker to reach."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "CI")}
    env.pop("CELERY_TASK_ALWAYS_EAGER", None)
    env["DJANGO_SETTINGS_MODULE"] = "svu.settings"
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from svu.celery import app\n"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, settings.CELERY_BROKER_URL,\n"
        "      settings.CELERY_RESULT_BACKEND, app.conf.task_always_eager)\n"
    )
    done = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["True", "memory://", "None", "True"]
