"""Template helpers: readable summaries of event data and personnummer display."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from discharges.events import (
    AdmissionAnswer,
    AdmissionNotice,
    Discharge,
    HomecomingAcknowledged,
    HomecomingProposed,
    NamedCareContact,
    PreliminaryDateChanged,
    PreliminaryDateRecorded,
    ReadyDate,
    Reason,
    Registered,
    SipFollowUpDone,
    SipHeld,
    SipHeldRecorded,
    SipInitiative,
    SipInvitation,
    TrackColourAssessed,
)
from discharges.models import (
    AdmissionType,
    ClosureReason,
    Destination,
    EpisodeEvent,
    EventKind,
    NeedsOutcome,
    SipPlace,
    TrackColour,
)
from discharges.personnummer import format_personnummer
from discharges.projection import as_date, as_datetime

register = template.Library()


def _d(value: Any) -> str:
    day = as_date(value)
    return day.isoformat() if day else "–"


def _dt(value: Any) -> str:
    moment = as_datetime(value)
    if moment is None:
        return "–"
    try:
        local = timezone.localtime(moment)
    except OverflowError:  # stored before the range checks (services/ranges.py): as it is
        return moment.isoformat(timespec="minutes")
    return formats.date_format(local, "Y-m-d H:i")


def _yes_no(value: Any) -> str:
    return {True: _("yes"), False: _("no")}.get(value, _("not assessed"))


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _admission_notice(data: AdmissionNotice, event: EpisodeEvent) -> list[str]:
    parts = [
        _("Preliminary ready date %(date)s") % {"date": _d(data.get("preliminary_ready_date"))}
    ]
    if data.get("reason"):
        parts.append(_("Reason: %(reason)s") % {"reason": data["reason"]})
    return parts


def _preliminary_date_changed(data: PreliminaryDateChanged, event: EpisodeEvent) -> list[str]:
    return [_("New preliminary ready date %(date)s") % {"date": _d(data["preliminary_ready_date"])}]


def _preliminary_date_recorded(data: PreliminaryDateRecorded, event: EpisodeEvent) -> list[str]:
    return [
        _("Preliminary ready date %(date)s (no admission notice recorded)")
        % {"date": _d(data["preliminary_ready_date"])}
    ]


def _admission_answer(data: AdmissionAnswer, event: EpisodeEvent) -> list[str]:
    parts = [_("Current services: %(yes_no)s") % {"yes_no": _yes_no(data.get("current_services"))}]
    labels = {
        "services": _("Services"),
        "social_network": _("Social network"),
        "aids": _("Aids"),
    }
    for key, label in labels.items():
        value = data.get(key)
        if value:
            parts.append(f"{label}: {value}")
    return parts


def _named_care_contact(data: NamedCareContact, event: EpisodeEvent) -> list[str]:
    return [" ".join(filter(None, [data.get("name"), data.get("phone")]))]


def _track_colour(data: TrackColourAssessed, event: EpisodeEvent) -> list[str]:
    return [
        _label(TrackColour, data["colour"]),
        _("SIP needed: %(yes_no)s") % {"yes_no": _yes_no(data.get("sip_needed"))},
    ]


def _ready_notice(data: ReadyDate, event: EpisodeEvent) -> list[str]:
    return [
        _("Ready date %(date)s, sent %(time)s")
        % {"date": _d(data["ready_date"]), "time": _dt(event.occurred_at)}
    ]


def _sip_invitation(data: SipInvitation, event: EpisodeEvent) -> list[str]:
    meeting_at = data.get("meeting_at")
    return [_("Meeting %(time)s") % {"time": _dt(meeting_at)}] if meeting_at else []


def _registered(data: Registered, event: EpisodeEvent) -> list[str]:
    admission_type = data.get("admission_type", "")
    return [_label(AdmissionType, admission_type)] if admission_type else []


def _sip_held(data: SipHeld, event: EpisodeEvent) -> list[str]:
    parts = [_("Held %(date)s") % {"date": _d(data["held_date"])}]
    if data.get("place"):
        parts.append(_label(SipPlace, data["place"]))
    if data.get("follow_up_date"):
        parts.append(_("Follow-up planned %(date)s") % {"date": _d(data["follow_up_date"])})
    return parts


def _sip_follow_up_done(data: SipFollowUpDone, event: EpisodeEvent) -> list[str]:
    return [_("Done %(date)s") % {"date": _d(data["done_date"])}]


def _sip_held_recorded(data: SipHeldRecorded, event: EpisodeEvent) -> list[str]:
    return [_("Held %(date)s (no invitation recorded)") % {"date": _d(data["held_date"])}]


def _homecoming_proposed(data: HomecomingProposed, event: EpisodeEvent) -> list[str]:
    return [_("Proposed homecoming %(time)s") % {"time": _dt(data["homecoming_at"])}]


def _homecoming(data: HomecomingAcknowledged, event: EpisodeEvent) -> list[str]:
    return [_("Homecoming %(time)s") % {"time": _dt(data["homecoming_at"])}]


def _discharge(data: Discharge, event: EpisodeEvent) -> list[str]:
    outcome = data.get("needs_outcome", "")
    return [
        _label(Destination, data.get("destination", "")),
        _label(NeedsOutcome, outcome) if outcome else "",
    ]


def _closed(data: Reason, event: EpisodeEvent) -> list[str]:
    return [_label(ClosureReason, data["reason"])]


def _free_reason(data: Reason, event: EpisodeEvent) -> list[str]:
    return [data["reason"]] if data.get("reason") else []


def _sip_initiative(data: SipInitiative, event: EpisodeEvent) -> list[str]:
    return [data["note"]] if data.get("note") else []


# Each summary reads its kind's payload (discharges.events.PAYLOADS; a test checks that the
# annotations agree). Kinds without an entry have nothing to say beyond their name.
SUMMARIES: dict[str, Callable[[Any, EpisodeEvent], list[str]]] = {
    EventKind.REGISTERED: _registered,
    EventKind.ADMISSION_NOTICE: _admission_notice,
    EventKind.PRELIMINARY_DATE_CHANGED: _preliminary_date_changed,
    EventKind.PRELIMINARY_DATE_RECORDED: _preliminary_date_recorded,
    EventKind.ADMISSION_ANSWER: _admission_answer,
    EventKind.NAMED_CARE_CONTACT: _named_care_contact,
    EventKind.TRACK_COLOUR: _track_colour,
    EventKind.READY_NOTICE: _ready_notice,
    EventKind.SIP_INVITATION: _sip_invitation,
    EventKind.SIP_HELD: _sip_held,
    EventKind.SIP_HELD_RECORDED: _sip_held_recorded,
    EventKind.SIP_FOLLOW_UP_DONE: _sip_follow_up_done,
    EventKind.HOMECOMING_PROPOSED: _homecoming_proposed,
    EventKind.HOMECOMING_ACKNOWLEDGED: _homecoming,
    EventKind.DISCHARGE: _discharge,
    EventKind.CLOSED: _closed,
    EventKind.READY_NOTICE_WITHDRAWN: _free_reason,
    EventKind.SIP_CANCELLED: _free_reason,
    EventKind.SIP_INITIATIVE: _sip_initiative,
}


@register.filter
def event_summary(event: EpisodeEvent) -> str:
    """One line in Swedish describing the event's data."""
    summary = SUMMARIES.get(event.kind)
    parts = summary(event.data, event) if summary else []
    return ". ".join(p for p in parts if p)


@register.filter
def pnr(value: str) -> str:
    """YYYYMMDD-NNNN."""
    return format_personnummer(value) if value and len(value) == 12 else value
