"""Utskrivningsklar: the ready notice, a ready date known without one, and its withdrawal."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import ReadyDate, Reason
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.services.actors import Actor
from discharges.services.errors import Refused
from discharges.services.recording import Recorder, message, send


def _check_ready(ep: Episode, data: ReadyDate, at: datetime) -> None:
    if date.fromisoformat(data["ready_date"]) < local_date(ep.admitted_at):
        raise Refused(_("The ready date is before the admission."), field="ready_date")


def send_ready_notice(
    *,
    actor: Actor,
    episode: Episode,
    ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Utskrivningsklar: the ready date and, as ``occurred_at``, the time it was sent."""
    data: ReadyDate = {"ready_date": ready_date.isoformat()}
    sent = message(EventKind.READY_NOTICE, occurred_at, data, _check_ready)
    return send(actor, episode, sent, expected_version, recorder)


def record_ready_date(
    *,
    actor: Actor,
    episode: Episode,
    ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """A ready date known without a ready notice having been sent (imported history).

    The episode is ready from that date, but R5's "ready notice sent" prerequisite is unmet.
    """
    data: ReadyDate = {"ready_date": ready_date.isoformat()}
    sent = message(EventKind.READY_DATE_RECORDED, occurred_at, data, _check_ready)
    return send(actor, episode, sent, expected_version, recorder)


def _check_withdraw(ep: Episode, data: Reason, at: datetime) -> None:
    if ep.ready_notice_at and at < ep.ready_notice_at:
        raise Refused(_("The withdrawal is before the ready notice."), field="occurred_at")


def withdraw_ready_notice(
    *,
    actor: Actor,
    episode: Episode,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """The patient got worse: back to planning."""
    data: Reason = {"reason": reason}
    sent = message(EventKind.READY_NOTICE_WITHDRAWN, occurred_at, data, _check_withdraw)
    return send(actor, episode, sent, expected_version, recorder)
