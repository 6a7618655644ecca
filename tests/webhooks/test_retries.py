"""What a receiver cannot do to the sender (issue 12, point 6): a slow one only makes its own
delivery wait (the write has committed and sent nothing); a failing hook does not stop the
write; a delivery that keeps failing is retried with growing waits for a day, then given up."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent
from tests.conftest import OrgTree, Personas
from tests.webhooks.conftest import Receiver
from webhooks import services as webhooks
from webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db

Subscribe = Callable[..., tuple[Subscription, str]]


def notice(personas: Personas, episode: Episode) -> EpisodeEvent:
    return services.send_admission_notice(
        actor=personas.ward_actor,
        episode=episode,
        preliminary_ready_date=timezone.localdate() + timedelta(days=2),
    )


def test_the_write_sends_nothing_before_its_commit_and_a_slow_receiver_times_out(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.SVU_WEBHOOK_TIMEOUT = 1
    receiver.delay = 3
    subscribe(org_tree.umea, receiver.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = time.monotonic()
        notice(personas, episode)
        write = time.monotonic() - started
        # Stored with the event, nothing sent yet: the POST waits for the commit.
        assert Delivery.objects.get().status == DeliveryStatus.PENDING
        assert receiver.received == []
    assert write < 1  # the write itself never waits on a receiver

    for callback in callbacks:  # the commit: the outbox sends the task (eager: here)
        callback()
    delivery = Delivery.objects.get()
    assert len(receiver.received) == 1
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, None)
    assert "timed out" in delivery.last_error
    assert delivery.next_attempt_at is not None


def test_a_failing_hook_does_not_stop_the_write(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    subscribe(org_tree.umea, receiver.url)

    def broken(**kwargs: Any) -> None:
        Delivery.objects.create(subscription_id=10**9, event_id=10**9, kind="x")  # bad keys

    monkeypatch.setattr(webhooks, "queue_deliveries", broken)
    event = notice(personas, episode)
    episode.refresh_from_db()
    assert episode.admission_notice_at is not None
    assert EpisodeEvent.objects.filter(pk=event.pk).exists()
    assert not Delivery.objects.exists()
    assert "webhook deliveries of event" in caplog.text


def test_the_backoff_doubles_from_a_minute_to_at_most_two_hours() -> None:
    waits = [webhooks.backoff(n) for n in range(1, 11)]
    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 120, 120, 120]


def test_a_receiver_that_keeps_failing_is_retried_for_a_day_then_given_up(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    receiver.answers = [503] * 100
    subscribe(org_tree.umea, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        notice(personas, episode)
    delivery = Delivery.objects.get()
    # Each next attempt made when it falls due (the periodic task's time, passed as ``now``).
    while delivery.status == DeliveryStatus.PENDING:
        assert delivery.next_attempt_at is not None
        webhooks.deliver(delivery.pk, now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert delivery.response_code == 503
    assert delivery.last_attempt_at is not None
    span = delivery.last_attempt_at - delivery.created_at
    assert timedelta(hours=22) < span <= timedelta(days=1)
    # The first; after 1, 2, ..., 64 minutes (7, the last at 2 h 7 min); every 2 hours up to
    # 22 h 7 min (10): the next would fall after the day.
    assert delivery.attempts == len(receiver.received) == 18
    webhooks.deliver(delivery.pk, now=timezone.now() + timedelta(days=2))
    assert len(receiver.received) == 18  # given up is final


def test_a_deactivated_subscription_gets_no_retry(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    receiver.answers = [500]
    subscription, _ = subscribe(org_tree.umea, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        notice(personas, episode)
    subscription.active = False
    subscription.save()
    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at is not None
    webhooks.deliver(delivery.pk, now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert len(receiver.received) == 1
    assert delivery.last_error == "Prenumerationen är inte aktiv."


def test_the_delivery_task_is_named_by_its_module() -> None:
    """The outbox imports a task's module by its name where the task is not loaded yet (the
    web process in eager mode); named "webhooks.deliver", it was sent to a broker nobody
    reads and never ran."""
    from webhooks import tasks

    assert tasks.deliver.name == webhooks.DELIVER_TASK
    assert webhooks.DELIVER_TASK.rsplit(".", 1)[0] == tasks.__name__
    assert tasks.deliver_due.name.rsplit(".", 1)[0] == tasks.__name__
