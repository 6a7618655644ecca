"""The homecoming: the kommun's SoL and HSL planning done and kommunklar, the ward's proposed
time for hemgång (with the ready notice or later) and the kommun's acknowledged time."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import HomecomingAcknowledged, HomecomingProposed, NoData
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.projection import as_datetime
from discharges.services.actors import Actor
from discharges.services.errors import Refused
from discharges.services.readiness import send_ready_notice
from discharges.services.recording import Recorder, message, send


def _mark(
    kind: str,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None,
    expected_version: int | None,
    recorder: Recorder | None,
) -> EpisodeEvent:
    data: NoData = {}
    return send(actor, episode, message(kind, occurred_at, data), expected_version, recorder)


def mark_sol_planning_done(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    return _mark(
        EventKind.SOL_PLANNING_DONE, actor, episode, occurred_at, expected_version, recorder
    )


def mark_hsl_planning_done(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    return _mark(
        EventKind.HSL_PLANNING_DONE, actor, episode, occurred_at, expected_version, recorder
    )


def mark_kommun_ready(
    *,
    actor: Actor,
    episode: Episode,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Kommunklar: the municipality is ready to receive the patient."""
    return _mark(EventKind.KOMMUN_READY, actor, episode, occurred_at, expected_version, recorder)


def acknowledge_homecoming(
    *,
    actor: Actor,
    episode: Episode,
    homecoming_at: datetime,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Tid för hemgång uppfattad: the kommun confirms the agreed time."""
    data: HomecomingAcknowledged = {"homecoming_at": homecoming_at.isoformat()}
    sent = message(EventKind.HOMECOMING_ACKNOWLEDGED, occurred_at, data)
    return send(actor, episode, sent, expected_version, recorder)


def _check_proposal(ep: Episode, data: HomecomingProposed, at: datetime) -> None:
    proposed = as_datetime(data["homecoming_at"])
    if proposed is not None and ep.ready_date and local_date(proposed) < ep.ready_date:
        raise Refused(_("The homecoming is before the ready date."), field="homecoming_at")


def propose_homecoming(
    *,
    actor: Actor,
    episode: Episode,
    homecoming_at: datetime,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """The ward proposes the time for hemgång; the kommun acknowledges it (or another time).
    A new proposal reopens an agreed time until the kommun acknowledges again."""
    data: HomecomingProposed = {"homecoming_at": homecoming_at.isoformat()}
    sent = message(EventKind.HOMECOMING_PROPOSED, occurred_at, data, _check_proposal)
    return send(actor, episode, sent, expected_version, recorder)


def send_ready_notice_proposing_homecoming(
    *,
    actor: Actor,
    episode: Episode,
    ready_date: date,
    homecoming_at: datetime | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
) -> EpisodeEvent:
    """Utskrivningsklar and, when given, the proposed homecoming time in the same moment: both
    are stored or neither (a refused proposal names ``homecoming_at``, and the caller's
    ``episode`` is left as it was). Returns the notice."""
    before = {f.attname: getattr(episode, f.attname) for f in Episode._meta.concrete_fields}
    try:
        with transaction.atomic():
            notice = send_ready_notice(
                actor=actor,
                episode=episode,
                ready_date=ready_date,
                occurred_at=occurred_at,
                expected_version=expected_version,
            )
            if homecoming_at is not None:
                propose_homecoming(
                    actor=actor,
                    episode=episode,
                    homecoming_at=homecoming_at,
                    occurred_at=notice.occurred_at,
                    expected_version=episode.version,
                )
    except Refused:
        for name, value in before.items():
            setattr(episode, name, value)
        raise
    return notice
