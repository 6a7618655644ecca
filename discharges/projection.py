"""The projection of an episode's event log onto the ``Episode`` row.

``apply_event`` is the only code that writes the projected fields. It touches no database:
the write path calls it on the locked row, ``replay`` calls it on a blank episode, and the two
must agree (a test replays every episode and compares).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from discharges.clock import local_date
from discharges.deadlines import admission_notice_due
from discharges.events import (
    AdmissionAnswer,
    AdmissionNotice,
    Discharge,
    HomecomingAcknowledged,
    HomecomingProposed,
    NamedCareContact,
    NoData,
    PreliminaryDateChanged,
    PreliminaryDateRecorded,
    ReadyDate,
    Reason,
    RecipientsChanged,
    Registered,
    SipFollowUpDone,
    SipHeld,
    SipHeldRecorded,
    SipInitiative,
    SipInvitation,
    TrackColourAssessed,
)
from discharges.models import Episode, EpisodeEvent, EpisodeStatus, EventKind

# The fields that make up the projection: every column of Episode but its key, the time the
# row was created and the consent flag (projected from the episode's consent records, not from
# its events: services.consent). Derived, so a new projected field cannot be forgotten by the
# replay test or the import's bulk update.
PROJECTED_FIELDS: tuple[str, ...] = tuple(
    field.attname
    for field in Episode._meta.concrete_fields
    if field.attname not in ("id", "created_at", "has_consent")
)


def as_date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return parse_date(value)


def as_datetime(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return parse_datetime(value)


def _required_datetime(value: str) -> datetime:
    moment = as_datetime(value)
    if moment is None:
        raise ValueError(f"not a date and time: {value!r}")
    return moment


def _registered(ep: Episode, data: Registered, at: datetime) -> None:
    ep.external_id = data.get("external_id")
    ep.patient_id = data["patient_id"]
    ep.ward_id = data["ward_id"]
    ep.kommun_id = data["kommun_id"]
    ep.health_centre_id = data.get("health_centre_id")
    ep.care_type = data["care_type"]
    ep.admitted_at = _required_datetime(data["admitted_at"])
    ep.admission_type = data.get("admission_type", "")
    ep.status = EpisodeStatus.REGISTERED


def _share(ep: Episode, at: datetime) -> None:
    if ep.shared_at is None:
        ep.shared_at = at


def _admission_notice(ep: Episode, data: AdmissionNotice, at: datetime) -> None:
    ep.admission_notice_at = at
    ep.admission_notice_late = at > admission_notice_due(ep.admitted_at)
    ep.admission_reason = data.get("reason", "")
    ep.preliminary_ready_date = as_date(data.get("preliminary_ready_date"))
    if ep.status == EpisodeStatus.REGISTERED:
        ep.status = EpisodeStatus.PLANNING
    _share(ep, at)


def _preliminary_date_changed(ep: Episode, data: PreliminaryDateChanged, at: datetime) -> None:
    ep.preliminary_ready_date = as_date(data["preliminary_ready_date"])
    ep.preliminary_date_changes += 1


def _preliminary_date_recorded(ep: Episode, data: PreliminaryDateRecorded, at: datetime) -> None:
    # Known without the admission notice: no status change, not shared (no message was sent).
    ep.preliminary_ready_date = as_date(data["preliminary_ready_date"])


def _admission_answer(ep: Episode, data: AdmissionAnswer, at: datetime) -> None:
    # The first answer counts for deadlines; later ones supplement it.
    if data["party"] == "kommun":
        ep.kommun_answered_at = ep.kommun_answered_at or at
    else:
        ep.health_centre_answered_at = ep.health_centre_answered_at or at


def _named_care_contact(ep: Episode, data: NamedCareContact, at: datetime) -> None:
    ep.named_contact = data["name"]
    ep.named_contact_at = ep.named_contact_at or at


def _track_colour(ep: Episode, data: TrackColourAssessed, at: datetime) -> None:
    if data["colour"]:
        ep.track_colour = data["colour"]
    if data.get("sip_needed") is not None:
        ep.sip_needed = data["sip_needed"]


def _ready_notice(ep: Episode, data: ReadyDate, at: datetime) -> None:
    _set_ready_date(ep, as_date(data["ready_date"]))
    ep.ready_notice_at = at
    _share(ep, at)


def _ready_date_recorded(ep: Episode, data: ReadyDate, at: datetime) -> None:
    _set_ready_date(ep, as_date(data["ready_date"]))
    ep.ready_notice_at = None
    _share(ep, at)  # the ready date is known to the parties even without the notice


def _set_ready_date(ep: Episode, ready_date: date | None) -> None:
    ep.ready_date = ready_date
    if ready_date is not None:
        ep.status = EpisodeStatus.READY
    ep.preliminary_deviation_days = (
        (ready_date - ep.preliminary_ready_date).days
        if ready_date and ep.preliminary_ready_date
        else None
    )
    _sip_delay(ep)


def _sip_delay(ep: Episode) -> None:
    """Days from the ready date to the SIP invitation (day 3 is still in time)."""
    if ep.sip_invitation_at and ep.ready_date:
        ep.sip_invitation_delay_days = (local_date(ep.sip_invitation_at) - ep.ready_date).days
    else:
        ep.sip_invitation_delay_days = None


def _ready_notice_withdrawn(ep: Episode, data: Reason, at: datetime) -> None:
    _set_ready_date(ep, None)
    ep.ready_notice_at = None
    ep.homecoming_acknowledged_at = None
    ep.homecoming_at = None
    ep.homecoming_proposed_at = None
    ep.ready_notice_withdrawals += 1
    ep.status = EpisodeStatus.PLANNING if ep.admission_notice_at else EpisodeStatus.REGISTERED


def _new_sip_round(ep: Episode) -> None:
    """After a cancellation (makulerad), a new initiative or invitation starts afresh."""
    if ep.sip_cancelled_at is not None:
        ep.sip_initiative_at = None
        ep.sip_invitation_at = None
        ep.sip_held_date = None
        ep.sip_held_after_days = None
        ep.sip_cancelled_at = None
        ep.sip_place = ""
        ep.sip_follow_up_date = None
        ep.sip_follow_up_done_date = None
        _sip_delay(ep)


def _sip_initiative(ep: Episode, data: SipInitiative, at: datetime) -> None:
    _new_sip_round(ep)
    ep.sip_initiative_at = ep.sip_initiative_at or at
    ep.sip_needed = True


def _sip_invitation(ep: Episode, data: SipInvitation, at: datetime) -> None:
    _new_sip_round(ep)
    ep.sip_invitation_at = at
    ep.sip_needed = True
    _sip_delay(ep)


def _sip_held(ep: Episode, data: SipHeld, at: datetime) -> None:
    held = as_date(data["held_date"])
    ep.sip_held_date = held
    if held is not None and ep.sip_invitation_at is not None:
        ep.sip_held_after_days = (held - local_date(ep.sip_invitation_at)).days
    ep.sip_place = data.get("place", "")
    ep.sip_follow_up_date = as_date(data.get("follow_up_date"))


def _sip_held_recorded(ep: Episode, data: SipHeldRecorded, at: datetime) -> None:
    # Held without a recorded invitation: no days from invitation to meeting.
    ep.sip_held_date = as_date(data["held_date"])
    ep.sip_held_after_days = None


def _sip_cancelled(ep: Episode, data: Reason, at: datetime) -> None:
    ep.sip_cancelled_at = at


def _sip_follow_up_done(ep: Episode, data: SipFollowUpDone, at: datetime) -> None:
    ep.sip_follow_up_done_date = as_date(data["done_date"])


def _sol_planning_done(ep: Episode, data: NoData, at: datetime) -> None:
    ep.sol_planning_done_at = at


def _hsl_planning_done(ep: Episode, data: NoData, at: datetime) -> None:
    ep.hsl_planning_done_at = at


def _kommun_ready(ep: Episode, data: NoData, at: datetime) -> None:
    ep.kommun_ready_at = at


def _homecoming_proposed(ep: Episode, data: HomecomingProposed, at: datetime) -> None:
    # A new proposal reopens the time: an earlier agreement no longer holds until the kommun
    # acknowledges again.
    ep.homecoming_proposed_at = as_datetime(data["homecoming_at"])
    ep.homecoming_acknowledged_at = None
    ep.homecoming_at = None


def _homecoming_acknowledged(ep: Episode, data: HomecomingAcknowledged, at: datetime) -> None:
    ep.homecoming_acknowledged_at = at
    ep.homecoming_at = as_datetime(data["homecoming_at"])


def _discharge(ep: Episode, data: Discharge, at: datetime) -> None:
    ep.discharged_at = at
    ep.discharge_date = local_date(at)
    ep.destination = data.get("destination", "")
    ep.needs_outcome = data.get("needs_outcome", "")
    ep.status = EpisodeStatus.DISCHARGED
    if ep.ready_date is not None:
        ep.ready_days = (ep.discharge_date - ep.ready_date).days


def _closed(ep: Episode, data: Reason, at: datetime) -> None:
    ep.closed_at = at
    ep.closure_reason = data["reason"]
    ep.status = EpisodeStatus.CLOSED


def _recipients_changed(ep: Episode, data: RecipientsChanged, at: datetime) -> None:
    ep.kommun_id = data["kommun_id"]
    ep.health_centre_id = data.get("health_centre_id")


# Each handler reads its kind's payload (discharges.events.PAYLOADS; a test checks that the
# annotations agree).
_HANDLERS: dict[str, Callable[[Episode, Any, datetime], None]] = {
    EventKind.REGISTERED: _registered,
    EventKind.ADMISSION_NOTICE: _admission_notice,
    EventKind.PRELIMINARY_DATE_CHANGED: _preliminary_date_changed,
    EventKind.PRELIMINARY_DATE_RECORDED: _preliminary_date_recorded,
    EventKind.ADMISSION_ANSWER: _admission_answer,
    EventKind.NAMED_CARE_CONTACT: _named_care_contact,
    EventKind.TRACK_COLOUR: _track_colour,
    EventKind.READY_NOTICE: _ready_notice,
    EventKind.READY_DATE_RECORDED: _ready_date_recorded,
    EventKind.READY_NOTICE_WITHDRAWN: _ready_notice_withdrawn,
    EventKind.SIP_INITIATIVE: _sip_initiative,
    EventKind.SIP_INVITATION: _sip_invitation,
    EventKind.SIP_HELD: _sip_held,
    EventKind.SIP_HELD_RECORDED: _sip_held_recorded,
    EventKind.SIP_CANCELLED: _sip_cancelled,
    EventKind.SIP_FOLLOW_UP_DONE: _sip_follow_up_done,
    EventKind.SOL_PLANNING_DONE: _sol_planning_done,
    EventKind.HSL_PLANNING_DONE: _hsl_planning_done,
    EventKind.KOMMUN_READY: _kommun_ready,
    EventKind.HOMECOMING_PROPOSED: _homecoming_proposed,
    EventKind.HOMECOMING_ACKNOWLEDGED: _homecoming_acknowledged,
    EventKind.DISCHARGE: _discharge,
    EventKind.CLOSED: _closed,
    EventKind.RECIPIENTS_CHANGED: _recipients_changed,
}


def apply_event(episode: Episode, event: EpisodeEvent) -> None:
    """Fold one event into the episode's projected fields (in memory; the caller saves)."""
    _HANDLERS[event.kind](episode, event.data, event.occurred_at)
    episode.version = event.seq
    if episode.last_event_at is None or event.occurred_at > episode.last_event_at:
        episode.last_event_at = event.occurred_at


def replay(events: Iterable[EpisodeEvent]) -> Episode:
    """A fresh in-memory episode built from its events alone."""
    episode = Episode()
    for event in events:
        apply_event(episode, event)
    return episode


def projection_of(episode: Episode) -> dict[str, Any]:
    return {name: getattr(episode, name) for name in PROJECTED_FIELDS}
