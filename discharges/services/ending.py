"""The end of an episode: discharge (faktisk hemgång) or closure without discharge."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import Discharge, Reason
from discharges.models import (
    ClosureReason,
    Destination,
    Episode,
    EpisodeEvent,
    EventKind,
    NeedsOutcome,
)
from discharges.services.actors import Actor
from discharges.services.errors import Refused
from discharges.services.recording import Recorder, message, send

_DESTINATION_VALUES = frozenset(Destination.values)
_CLOSUREREASON_VALUES = frozenset(ClosureReason.values)
_NEEDSOUTCOME_VALUES = frozenset(NeedsOutcome.values)


def _check_ends_history(ep: Episode, at: datetime) -> None:
    if ep.last_event_at and at < ep.last_event_at:
        raise Refused(_("The time is before the episode's latest message."), field="occurred_at")


def _check_discharge(ep: Episode, data: Discharge, at: datetime) -> None:
    # The ready date first: a discharge before it is what contradicts (R1), whichever
    # message came later.
    if ep.ready_date is not None and local_date(at) < ep.ready_date:
        raise Refused(_("The discharge is before the ready date."), field="occurred_at")
    _check_ends_history(ep, at)
    # An empty destination means "not known" (imported history); pages always give one.
    if data["destination"] not in _DESTINATION_VALUES and data["destination"] != "":
        raise Refused(_("Unknown destination."), field="destination")
    if data["needs_outcome"] not in _NEEDSOUTCOME_VALUES and data["needs_outcome"] != "":
        raise Refused(_("Unknown outcome of needs."), field="needs_outcome")


def register_discharge(
    *,
    actor: Actor,
    episode: Episode,
    destination: str,
    needs_outcome: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Faktisk hemgång: the date and time the patient left, where to, and the outcome of
    needs (a NeedsOutcome; "" not known)."""
    data: Discharge = {"destination": destination, "needs_outcome": needs_outcome}
    sent = message(EventKind.DISCHARGE, occurred_at, data, _check_discharge)
    return send(actor, episode, sent, expected_version, recorder)


def _check_close(ep: Episode, data: Reason, at: datetime) -> None:
    _check_ends_history(ep, at)
    if data["reason"] not in _CLOSUREREASON_VALUES:
        raise Refused(_("Unknown reason for closing."), field="reason")


def close_episode(
    *,
    actor: Actor,
    episode: Episode,
    reason: str,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Closed without discharge planning (died, no needs, moved to another hospital)."""
    data: Reason = {"reason": reason}
    sent = message(EventKind.CLOSED, occurred_at, data, _check_close)
    return send(actor, episode, sent, expected_version, recorder)
