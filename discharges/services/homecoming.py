"""The kommun's side of the homecoming: SoL and HSL planning done, kommunklar, and the
acknowledged time for hemgång."""

from __future__ import annotations

from datetime import datetime

from discharges.events import HomecomingAcknowledged, NoData
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.services.actors import Actor
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
