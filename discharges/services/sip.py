"""Samordnad individuell plan (SIP): initiative, invitation, meeting held, cancellation."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import (
    Reason,
    SipFollowUpDone,
    SipHeld,
    SipHeldRecorded,
    SipInitiative,
    SipInvitation,
)
from discharges.models import Episode, EpisodeEvent, EventKind, SipPlace
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


_SIPPLACE_VALUES = frozenset(SipPlace.values)
# The latest a follow-up may be planned after the meeting.
MAX_FOLLOW_UP = timedelta(days=365)


def _check_sip_held_with_plan(ep: Episode, data: SipHeld, at: datetime) -> None:
    _check_sip_held(ep, data, at)
    if data["place"] not in _SIPPLACE_VALUES and data["place"] != "":
        raise Refused(_("Unknown place for the SIP."), field="place")
    planned = data["follow_up_date"]
    if planned is not None:
        held = date.fromisoformat(data["held_date"])
        if date.fromisoformat(planned) < held:
            raise Refused(
                _("The follow-up cannot be planned before the SIP is held."),
                field="follow_up_date",
            )
        if date.fromisoformat(planned) > held + MAX_FOLLOW_UP:
            raise Refused(
                _("The follow-up may be planned at most %(days)s days after the SIP.")
                % {"days": MAX_FOLLOW_UP.days},
                field="follow_up_date",
            )


def record_sip_held(
    *,
    actor: Actor,
    episode: Episode,
    held_date: date,
    place: str = "",
    follow_up_date: date | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """SIP genomförd: the date, where it was held (a SipPlace; "" not given) and the date of
    its planned follow-up, if one is planned."""
    data: SipHeld = {
        "held_date": held_date.isoformat(),
        "place": place,
        "follow_up_date": follow_up_date.isoformat() if follow_up_date else None,
    }
    sent = message(EventKind.SIP_HELD, occurred_at, data, _check_sip_held_with_plan)
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


def _check_follow_up_done(ep: Episode, data: SipFollowUpDone, at: datetime) -> None:
    done = date.fromisoformat(data["done_date"])
    if ep.sip_held_date is not None and done < ep.sip_held_date:
        raise Refused(_("The follow-up cannot be done before the SIP was held."), field="done_date")
    if done > local_date(at):
        raise Refused(_("The follow-up date is in the future."), field="done_date")


def record_sip_follow_up_done(
    *,
    actor: Actor,
    episode: Episode,
    done_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """The follow-up planned at the SIP meeting is done (also after the discharge)."""
    data: SipFollowUpDone = {"done_date": done_date.isoformat()}
    sent = message(EventKind.SIP_FOLLOW_UP_DONE, occurred_at, data, _check_follow_up_done)
    return send(actor, episode, sent, expected_version, recorder)
