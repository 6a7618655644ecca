"""Webhook deliveries through a real Celery worker on Redis, against PostgreSQL (issue 12,
point 6): the write commits, the outbox hands the delivery task to Redis, the worker POSTs to
a real HTTP server started here; a 500 is retried by the periodic task, once, and nothing is
sent twice. Skipped without PostgreSQL and Redis on a developer's machine; CI must run it
(see test_celery_statistics.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

# The real broker and the worker's connection handling, shared with the statistics test;
# the receiver from the webhooks tests (fixtures: imported here so that pytest finds them).
from tests.integration.test_celery_statistics import (  # noqa: F401
    IN_CI,
    PROBLEM,
    real_broker,
    worker_closes_its_connections,
)
from tests.webhooks.conftest import Receiver, expected_signature, receiver  # noqa: F401


def wait_for(check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not done after {timeout} s")


@pytest.mark.integration
@pytest.mark.skipif(PROBLEM is not None and not IN_CI, reason=str(PROBLEM))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_delivers_signed_retries_once_and_never_twice(
    real_broker: Any,  # noqa: F811 (the imported fixture)
    worker_closes_its_connections: None,  # noqa: F811
    receiver: Receiver,  # noqa: F811
    settings: Any,
    org_tree: Any,
    personas: Any,
    episode: Any,
) -> None:
    from celery.contrib.testing.worker import start_worker
    from django.utils import timezone

    from discharges import services
    from webhooks import services as webhooks
    from webhooks import tasks
    from webhooks.models import Delivery, DeliveryStatus

    settings.SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    _, secret = webhooks.create_subscription(
        organisation=org_tree.umea, url=receiver.url, kinds=["admission_notice"]
    )
    receiver.answers = [500]

    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        event = services.send_admission_notice(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=timezone.localdate() + timedelta(days=2),
        )
        wait_for(lambda: Delivery.objects.filter(attempts=1, response_code=500).exists())
        delivery = Delivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        # The minute of backoff passes; the periodic task queues it, the worker sends it.
        Delivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        tasks.deliver_due.delay()
        wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.DELIVERED).exists())
        # Queued again (the outbox sends at least once; the periodic task runs on): no POST.
        tasks.deliver.delay(delivery.pk)
        tasks.deliver_due.delay()
        time.sleep(2)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert Delivery.objects.count() == 1
    assert len(receiver.received) == 2
    for request in receiver.received:
        stamp = request.headers["X-SVU-Timestamp"]
        assert request.headers["X-SVU-Signature"] == expected_signature(secret, stamp, request.body)
        assert request.json["event"] == event.pk
        assert request.json["delivery"] == delivery.pk
