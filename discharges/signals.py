"""Signals of the write path, for the apps built on this one (which it must not import).

``event_recorded`` is sent inside the writing transaction, after a new event is saved and the
episode's projection and grants are up to date, with ``event`` and ``audience`` (the ids of the
organisations that may see the episode after the event: ``grants.audience``). A receiver's rows
commit or roll back with the event; work outside the database (a task to send) is queued with
``discharges.outbox.enqueue`` so it starts after the commit, never inside the transaction.

A receiver must be quick (a few indexed queries: it runs under the episode's row lock) and must
not raise: one that does is logged and the write goes on. A receiver that writes should do so
in its own savepoint (``transaction.atomic()``) so that a failing query cannot spoil the write.

The import (``services.batch``) does not send it: history moved in from another system is no
news to anyone.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

from discharges.models import EpisodeEvent

logger = logging.getLogger("svu.signals")

event_recorded = Signal()


def announce(event: EpisodeEvent, audience: frozenset[int]) -> None:
    """Send ``event_recorded``; log (never raise) what a receiver raised."""
    for receiver, result in event_recorded.send_robust(
        sender=EpisodeEvent, event=event, audience=audience
    ):
        if isinstance(result, Exception):
            logger.error(
                "receiver %s of event_recorded failed: %s",
                getattr(receiver, "__qualname__", receiver),
                type(result).__name__,
                exc_info=result,
            )
