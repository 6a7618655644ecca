"""Writes of the webhooks app: subscriptions, and the deliveries of events to them.

A delivery is stored with the event (``queue_deliveries``, in the writing transaction) and
sent by the ``webhooks.tasks.deliver`` task after the commit. Each attempt claims the delivery for
a lease (so two workers never POST it at once), POSTs outside any transaction with a timeout,
and records the outcome: delivered on a 2xx answer, else a next attempt after an exponential
backoff (1 min, 2, 4, ... at most 2 h apart) until ``SVU_WEBHOOK_RETRY_FOR`` (a day) after the
event was queued; then it is given up. The periodic ``webhooks.tasks.deliver_due`` queues what is
due.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges import outbox
from discharges.events import EventKind
from discharges.models import EpisodeEvent, Organisation
from webhooks import selectors, signing
from webhooks.models import URL_MAX_LENGTH, Delivery, DeliveryStatus, Subscription

logger = logging.getLogger("svu.webhooks")

# Named by its module: the outbox imports it by that name where it is not yet loaded.
DELIVER_TASK = "webhooks.tasks.deliver"
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=2)
# How long an attempt holds its delivery: the POST's timeout and a margin.
LEASE_MARGIN = timedelta(seconds=30)
USER_AGENT = "SVU-webhooks/1"


# --- Subscriptions ----------------------------------------------------------------------------


def check_url(url: str) -> None:
    """Raise ValidationError (field "url") unless ``url`` is https, or http to a loopback
    address where SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP allows it; no user name or password in it."""
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError(
            {"url": _("At most %(limit)s characters.") % {"limit": URL_MAX_LENGTH}}
        )
    parts = urlsplit(url)
    if not parts.hostname:
        raise ValidationError({"url": _("Enter a whole address, e.g. https://example.se/svu.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("No user name or password in the address.")})
    if parts.scheme == "https":
        return
    loopback_allowed = settings.SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP
    if parts.scheme == "http" and loopback_allowed and is_loopback(parts.hostname):
        return
    raise ValidationError({"url": _("The address must begin with https://.")})


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_kinds(kinds: list[str]) -> None:
    if not kinds:
        raise ValidationError({"kinds": _("Choose at least one kind of message.")})
    unknown = sorted(set(kinds) - set(EventKind.values))
    if unknown:
        raise ValidationError(
            {"kinds": _("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)}}
        )


def create_subscription(
    *,
    organisation: Organisation,
    url: str,
    kinds: list[str],
    active: bool = True,
    description: str = "",
) -> tuple[Subscription, str]:
    """A new subscription and its secret (to show once: it is not shown again)."""
    check_url(url)
    check_kinds(kinds)
    secret = signing.new_secret()
    subscription = Subscription.objects.create(
        organisation=organisation,
        url=url,
        kinds=sorted(set(kinds)),
        secret=secret,
        active=active,
        description=description[:200],
    )
    return subscription, secret


# --- Queueing (in the writing transaction) ----------------------------------------------------


def queue_deliveries(*, event: EpisodeEvent, audience: frozenset[int]) -> list[int]:
    """Store a delivery of ``event`` for each active subscription that wants its kind among
    the organisations it is addressed to, and queue their tasks. Idempotent: a delivery that
    exists already (unique per subscription and event) is neither stored nor queued again.
    Returns the ids of the deliveries queued now."""
    organisations = selectors.addressed(event.organisation_id, audience)
    subscriptions = selectors.subscribed(event.kind, organisations)
    if not subscriptions:
        return []
    now = timezone.now()
    existing = set(
        Delivery.objects.filter(event=event, subscription__in=subscriptions).values_list(
            "subscription_id", flat=True
        )
    )
    new = Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=sub,
                event=event,
                organisation_id=sub.organisation_id,
                kind=event.kind,
                created_at=now,
                next_attempt_at=now,
            )
            for sub in subscriptions
            if sub.pk not in existing
        ],
        ignore_conflicts=True,
    )
    ids = list(
        Delivery.objects.filter(
            event=event, subscription__in=[d.subscription_id for d in new]
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        outbox.enqueue(DELIVER_TASK, delivery_id)
    return ids


def queue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Queue the deliveries whose next attempt is due (retries, and any whose first task was
    lost). Queuing one twice is harmless: an attempt claims it only when it is due."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        for delivery_id in due:
            outbox.enqueue(DELIVER_TASK, delivery_id)
    return len(due)


# --- Sending (in the task, outside any transaction while it waits on the receiver) ------------


def payload(delivery: Delivery) -> dict[str, Any]:
    """What a receiver is told: ids and kinds only, never patient data."""
    event = delivery.event
    return {
        "delivery": delivery.pk,
        "event": event.pk,
        "kind": event.kind,
        "episode": event.episode_id,
        "occurred_at": timezone.localtime(event.occurred_at).isoformat(),
        "organisation": delivery.organisation_id,
    }


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 1 min, 2, 4, ..., at most 2 h."""
    return min(BACKOFF_FIRST * 2 ** max(0, attempts - 1), BACKOFF_MAX)


@dataclass(frozen=True)
class Outcome:
    code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.code is not None and 200 <= self.code < 300


def deliver(delivery_id: int, *, now: datetime | None = None) -> str:
    """One attempt at a delivery, if it is waiting and due; returns its status afterwards
    (unchanged when another attempt holds it or it is not due)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True)
        return status.first() or ""
    subscription = delivery.subscription
    if not subscription.active:
        outcome = Outcome(None, _("The subscription is not active."))
    else:
        outcome = post(subscription.url, subscription.secret, payload(delivery), delivery)
    return _record(delivery, outcome, now)


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    lease = timedelta(seconds=settings.SVU_WEBHOOK_TIMEOUT) + LEASE_MARGIN
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + lease
        delivery.save(update_fields=["attempts", "last_attempt_at", "next_attempt_at"])
    return delivery


def _record(delivery: Delivery, outcome: Outcome, now: datetime) -> str:
    delivery.response_code = outcome.code
    delivery.last_error = outcome.error[:300]
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
    else:
        following = now + backoff(delivery.attempts)
        if following > delivery.created_at + settings.SVU_WEBHOOK_RETRY_FOR:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = following
        logger.info(
            "webhook delivery %s attempt %s failed: %s",
            delivery.pk,
            delivery.attempts,
            outcome.code or outcome.error,
        )
    delivery.save(
        update_fields=[
            "status",
            "response_code",
            "last_error",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    return delivery.status


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (3xx, a failed attempt), never followed: the body and its
    signature go only to the registered address."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def post(url: str, secret: str, data: dict[str, Any], delivery: Delivery) -> Outcome:
    """POST ``data`` as signed JSON; the answer's status code, or what went wrong."""
    body = json.dumps(data, separators=(",", ":")).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked: https or loopback http)
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(secret, timestamp, body),
            signing.DELIVERY_HEADER: str(delivery.pk),
            signing.KIND_HEADER: delivery.kind,
        },
    )
    try:
        with _OPENER.open(request, timeout=settings.SVU_WEBHOOK_TIMEOUT) as response:
            response.read(1024)
            code: int = response.status
    except urllib.error.HTTPError as exc:
        return Outcome(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(None, f"{type(exc).__name__}: {reason}")
    return Outcome(code, "" if 200 <= code < 300 else f"HTTP {code}")
