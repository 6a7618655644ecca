"""The task outbox in eager mode, the embedded default without Redis (issue 13, point 4): a
task runs when its transaction commits, once. With a real Redis stopped and started again:
tests/integration/test_faults.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import shared_task
from django.db import transaction

from discharges.outbox import OutboxTask, enqueue, send_pending

pytestmark = pytest.mark.django_db

CALLS: list[int] = []


@shared_task(name="tests.discharges.test_outbox.probe")
def probe(value: int) -> int:
    if value < 0:
        raise ValueError("a failing task")
    CALLS.append(value)
    return value


@pytest.fixture
def eager() -> Iterator[None]:
    from svu.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    CALLS.clear()
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def test_a_task_runs_when_its_transaction_commits(
    eager: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        row = enqueue(probe.name, 7)
        assert CALLS == []  # not before the commit
    assert CALLS == [7]
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert send_pending() == 0  # and never again
    assert CALLS == [7]


def test_a_rolled_back_transaction_leaves_no_task(
    eager: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(probe.name, 8)
        raise RuntimeError("the change that asked for the task failed")
    assert CALLS == []
    assert not OutboxTask.objects.exists()


def test_a_failing_task_raises_as_before_and_is_not_run_again(
    eager: None, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with pytest.raises(ValueError), django_capture_on_commit_callbacks(execute=True):
        enqueue(probe.name, -1)
    assert OutboxTask.objects.get().sent_at is not None
    assert send_pending() == 0
