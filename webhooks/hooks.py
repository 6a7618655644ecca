"""The webhooks' hook into the write path (``discharges.signals.event_recorded``).

Runs inside the writing transaction under the episode's row lock: one indexed query when no
subscription wants the event; otherwise it stores the deliveries and queues their tasks in the
outbox, all in a savepoint, so they exist exactly when the event does. Nothing here talks to a
receiver: the POST happens in the task, after the commit.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from discharges.models import EpisodeEvent
from webhooks import services

logger = logging.getLogger("svu.webhooks")


def on_event_recorded(
    sender: Any, *, event: EpisodeEvent, audience: frozenset[int], **kwargs: Any
) -> None:
    try:
        with transaction.atomic():
            services.queue_deliveries(event=event, audience=audience)
    except Exception:  # a webhook must never break a write (the event still commits)
        logger.exception("webhook deliveries of event %s not queued", event.pk)
