"""Samordnad individuell plan (SIP): initiative, invitation, meeting held, cancellation."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import Reason, SipHeld, SipHeldRecorded, SipInitiative, SipInvitation
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.services.actors import Actor
from discharges.services.errors import Refused
from discharges.services.recording import Recorder, iso, message, send


def take_sip_initiative(
    *,
    actor: Actor,
    episode: Episode,
    note: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Initiativ till SIP: any of the parties asks for a joint plan."""
    data: SipInitiative = {"note": note}
    sent = message(EventKind.SIP_INITIATIVE, occurred_at, data)
    return send(actor, episode, sent, expected_version, recorder)


def send_sip_invitation(
    *,
    actor: Actor,
    episode: Episode,
    meeting_at: datetime | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Kallelse till SIP, sent by the fast vårdkontakt (deadline: ready date + 3 days)."""
    data: SipInvitation = {"meeting_at": iso(meeting_at)}
    sent = message(EventKind.SIP_INVITATION, occurred_at, data)
    return send(actor, episode, sent, expected_version, recorder)


def _check_sip_held(ep: Episode, data: SipHeld | SipHeldRecorded, at: datetime) -> None:
    held = date.fromisoformat(data["held_date"])
    if ep.sip_invitation_at and held < local_date(ep.sip_invitation_at):
        raise Refused(_("The SIP cannot be held before the invitation."), field="held_date")
    if held > local_date(at):
        raise Refused(_("The SIP date is in the future."), field="held_date")


def record_sip_held(
    *,
    actor: Actor,
    episode: Episode,
    held_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    data: SipHeld = {"held_date": held_date.isoformat()}
    sent = message(EventKind.SIP_HELD, occurred_at, data, _check_sip_held)
    return send(actor, episode, sent, expected_version, recorder)


def record_sip_held_without_invitation(
    *,
    actor: Actor,
    episode: Episode,
    held_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """A SIP meeting known to have been held without a recorded invitation (imported history).
    The date is kept; R5's "SIP invitation in time" prerequisite stays unmet where it applies."""
    data: SipHeldRecorded = {"held_date": held_date.isoformat()}
    sent = message(EventKind.SIP_HELD_RECORDED, occurred_at, data, _check_sip_held)
    return send(actor, episode, sent, expected_version, recorder)


def cancel_sip(
    *,
    actor: Actor,
    episode: Episode,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """SIP makulerad."""
    data: Reason = {"reason": reason}
    sent = message(EventKind.SIP_CANCELLED, occurred_at, data)
    return send(actor, episode, sent, expected_version, recorder)
