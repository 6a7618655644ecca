"""Webhook delivery (issue 12, point 6) to a real HTTP server on 127.0.0.1, with Celery in
eager mode as the embedded default runs it: a signed POST of ids and kinds to each organisation
an event is addressed to and that subscribed to its kind; a retry after a 500; never twice."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.events import EventKind
from discharges.models import Episode, EpisodeEvent, Patient
from tests.conftest import SECRET_REASON, OrgTree, Personas
from tests.webhooks.conftest import Receiver, expected_signature
from webhooks import services as webhooks
from webhooks import signing, tasks
from webhooks.models import Delivery, DeliveryStatus, Subscription

pytestmark = pytest.mark.django_db

Subscribe = Callable[..., tuple[Subscription, str]]


def send_notice(personas: Personas, episode: Episode, capture: Callable[..., Any]) -> EpisodeEvent:
    """The ward's admission notice, committed (the outbox sends after the commit)."""
    with capture(execute=True):
        return services.send_admission_notice(
            actor=personas.ward_actor,
            episode=episode,
            preliminary_ready_date=timezone.localdate() + timedelta(days=2),
            reason=SECRET_REASON,
        )


def test_it_posts_a_signed_event_to_the_kommun_that_subscribed(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscription, secret = subscribe(org_tree.umea, receiver.url, [EventKind.ADMISSION_NOTICE])
    event = send_notice(personas, episode, django_capture_on_commit_callbacks)

    assert len(receiver.received) == 1
    request = receiver.received[0]
    timestamp = request.headers[signing.TIMESTAMP_HEADER]
    assert abs(int(timestamp) - time.time()) < 60
    assert request.headers[signing.SIGNATURE_HEADER] == expected_signature(
        secret, timestamp, request.body
    )
    assert request.headers["Content-Type"] == "application/json"
    delivery = Delivery.objects.get()
    assert request.json == {
        "delivery": delivery.pk,
        "event": event.pk,
        "kind": "admission_notice",
        "episode": episode.pk,
        "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
        "organisation": org_tree.umea.pk,
    }
    assert request.json["occurred_at"][-6:] in ("+01:00", "+02:00")  # Europe/Stockholm
    assert request.headers[signing.DELIVERY_HEADER] == str(delivery.pk)
    assert (delivery.subscription, delivery.event, delivery.status) == (
        subscription,
        event,
        DeliveryStatus.DELIVERED,
    )
    assert (delivery.attempts, delivery.response_code, delivery.next_attempt_at) == (1, 200, None)


def test_the_signature_fails_for_another_secret_a_changed_body_or_an_old_timestamp(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _, secret = subscribe(org_tree.umea, receiver.url)
    send_notice(personas, episode, django_capture_on_commit_callbacks)
    request = receiver.received[0]
    stamp, sig = request.headers[signing.TIMESTAMP_HEADER], request.headers["X-Svu-Signature"]
    now = time.time()
    assert signing.verify(secret, stamp, sig, request.body, now=now)
    assert not signing.verify("whsec_other", stamp, sig, request.body, now=now)
    assert not signing.verify(secret, stamp, sig, request.body.replace(b"}", b" }"), now=now)
    assert not signing.verify(secret, stamp, sig, request.body, now=int(stamp) + 301)
    assert not signing.verify(secret, "yesterday", sig, request.body, now=now)


def test_the_payload_carries_no_personnummer_name_address_or_reason(
    org_tree: OrgTree,
    personas: Personas,
    patient: Patient,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscribe(org_tree.umea, receiver.url)
    subscribe(org_tree.hc_umea, receiver.url)
    send_notice(personas, episode, django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2
    for request in receiver.received:
        sent = request.body.decode() + repr(request.headers)
        for secret_value in (
            patient.personnummer,
            patient.personnummer[2:],
            patient.masked_personnummer,
            patient.name,
            "Greta",
            patient.address,
            SECRET_REASON,
        ):
            assert secret_value not in sent
        assert set(request.json) == {
            "delivery", "event", "kind", "episode", "occurred_at", "organisation"
        }  # fmt: skip


def test_nothing_goes_for_kinds_not_subscribed_or_to_organisations_not_addressed(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscribe(org_tree.umea, receiver.url, [EventKind.READY_NOTICE])  # another kind
    subscribe(org_tree.skelleftea, receiver.url)  # no party of the episode
    subscribe(org_tree.psych_ward, receiver.url)  # another ward
    subscribe(org_tree.ward, receiver.url)  # the sender: it is not told of its own message
    subscribe(org_tree.region, receiver.url)  # aggregates only, never episodes
    inactive, _ = subscribe(org_tree.umea, receiver.url, [EventKind.ADMISSION_NOTICE])
    inactive.active = False
    inactive.save()
    health_centre, _ = subscribe(org_tree.hc_umea, receiver.url, [EventKind.ADMISSION_NOTICE])

    send_notice(personas, episode, django_capture_on_commit_callbacks)

    assert [r.json["organisation"] for r in receiver.received] == [org_tree.hc_umea.pk]
    assert list(Delivery.objects.values_list("subscription", flat=True)) == [health_centre.pk]


def test_an_episode_not_yet_shared_tells_the_kommun_nothing(
    org_tree: OrgTree,
    personas: Personas,
    make_episode: Callable[..., Episode],
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    subscribe(org_tree.umea, receiver.url)
    subscribe(org_tree.hc_umea, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        episode = make_episode()  # registered: only the ward may see it
        services.assess_track_colour(
            actor=personas.ward_actor, episode=episode, colour="green", sip_needed=False
        )
    assert receiver.received == []
    assert not Delivery.objects.exists()


def test_a_500_is_retried_after_the_backoff_and_nothing_is_sent_twice(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    receiver.answers = [500]
    subscribe(org_tree.umea, receiver.url)
    before = timezone.now()
    event = send_notice(personas, episode, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at is not None
    assert before + timedelta(minutes=1) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(minutes=1)
    # Not due yet: the periodic task queues nothing and an early task sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_due() == 0
        assert tasks.deliver(delivery.pk) == "pending"
    assert len(receiver.received) == 1

    # A minute later the periodic task queues it again and it goes.
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert delivery.last_error == ""
    assert len(receiver.received) == 2
    first, second = (r.json for r in receiver.received)
    assert first == second  # the same delivery id: the receiver can tell it is a retry

    # Nothing more: the periodic task, the task run again, the hook run again (the outbox
    # sends at least once) find the delivery done.
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.deliver_due() == 0
        assert tasks.deliver(delivery.pk) == "delivered"
        assert webhooks.queue_deliveries(event=event, audience=frozenset({org_tree.umea.pk})) == []
    assert len(receiver.received) == 2
    assert Delivery.objects.count() == 1


def test_the_same_event_and_subscription_cannot_have_two_deliveries(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    from django.db import IntegrityError, transaction

    subscribe(org_tree.umea, receiver.url)
    send_notice(personas, episode, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            subscription=delivery.subscription,
            event=delivery.event,
            organisation=delivery.organisation,
            kind=delivery.kind,
        )


def test_a_new_kommun_is_told_of_the_change_and_the_old_one_is_not(
    org_tree: OrgTree,
    personas: Personas,
    episode: Episode,
    receiver: Receiver,
    subscribe: Subscribe,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    """Addressed by who may see the episode after the event: the kommun it moved to, not the
    one it left (which no longer sees it)."""
    send_notice(personas, episode, django_capture_on_commit_callbacks)
    subscribe(org_tree.umea, receiver.url, [EventKind.RECIPIENTS_CHANGED])
    subscribe(org_tree.skelleftea, receiver.url, [EventKind.RECIPIENTS_CHANGED])
    with django_capture_on_commit_callbacks(execute=True):
        services.change_recipients(
            actor=personas.ward_actor,
            episode=episode,
            kommun=org_tree.skelleftea,
            health_centre=org_tree.hc_skelleftea,
        )
    assert [(r.json["kind"], r.json["organisation"]) for r in receiver.received] == [
        ("recipients_changed", org_tree.skelleftea.pk)
    ]
