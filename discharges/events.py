"""The kinds of message in an episode's event log and the payload each one carries.

One schema per kind, as a ``TypedDict``: the services build payloads of these types, the
projection and the event summary read them, and ``check_payload`` refuses a payload whose keys
differ before it is stored (a test checks that the benchmark generator writes the same keys),
and a text longer than its field's limit in ``TEXT_LIMITS`` (a refusal naming the field).
Dates and times are ISO 8601 strings; ids are primary keys.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypedDict

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Episode registered")
    ADMISSION_NOTICE = "admission_notice", _("Admission notice")
    PRELIMINARY_DATE_CHANGED = "preliminary_date_changed", _("Preliminary ready date changed")
    PRELIMINARY_DATE_RECORDED = (
        "preliminary_date_recorded",
        _("Preliminary ready date recorded without notice"),
    )
    ADMISSION_ANSWER = "admission_answer", _("Answer to admission notice")
    NAMED_CARE_CONTACT = "named_care_contact", _("Named care contact")
    TRACK_COLOUR = "track_colour", _("Track colour assessed")
    READY_NOTICE = "ready_notice", _("Ready for discharge")
    READY_DATE_RECORDED = "ready_date_recorded", _("Ready date recorded without notice")
    READY_NOTICE_WITHDRAWN = "ready_notice_withdrawn", _("Ready notice withdrawn")
    SIP_INITIATIVE = "sip_initiative", _("SIP initiative")
    SIP_INVITATION = "sip_invitation", _("SIP invitation")
    SIP_HELD = "sip_held", _("SIP held")
    SIP_HELD_RECORDED = "sip_held_recorded", _("SIP held, recorded without invitation")
    SIP_CANCELLED = "sip_cancelled", _("SIP cancelled")
    SIP_FOLLOW_UP_DONE = "sip_follow_up_done", _("SIP follow-up done")
    SOL_PLANNING_DONE = "sol_planning_done", _("SoL planning done")
    HSL_PLANNING_DONE = "hsl_planning_done", _("HSL planning done")
    KOMMUN_READY = "kommun_ready", _("Municipality ready")
    HOMECOMING_PROPOSED = "homecoming_proposed", _("Homecoming time proposed")
    HOMECOMING_ACKNOWLEDGED = "homecoming_acknowledged", _("Homecoming time acknowledged")
    DISCHARGE = "discharge", _("Discharge")
    CLOSED = "closed", _("Closed without discharge")
    RECIPIENTS_CHANGED = "recipients_changed", _("Municipality or health centre changed")


class Registered(TypedDict):
    external_id: str | None
    patient_id: int
    ward_id: int
    kommun_id: int
    health_centre_id: int | None
    care_type: str
    admitted_at: str
    # An AdmissionType; "" when not known (registered before it was asked, imported history).
    # Events stored before the key existed lack it: read with .get.
    admission_type: str


class AdmissionNotice(TypedDict):
    preliminary_ready_date: str | None
    reason: str


class PreliminaryDateChanged(TypedDict):
    preliminary_ready_date: str


class PreliminaryDateRecorded(TypedDict):
    """A preliminary ready date known without the admission notice that carries it (imported
    history: the notice's time was not captured, or the date was set in planning)."""

    preliminary_ready_date: str


class AdmissionAnswer(TypedDict):
    party: str | None  # "kommun" or "health_centre", set from the locked episode
    current_services: bool
    services: str
    social_network: str
    aids: str


class NamedCareContact(TypedDict):
    name: str
    phone: str


class TrackColourAssessed(TypedDict):
    colour: str  # a TrackColour, or "" when only the SIP need is known
    sip_needed: bool | None


class ReadyDate(TypedDict):
    """Ready notice and ready date recorded without a notice."""

    ready_date: str


class Reason(TypedDict):
    """Withdrawn ready notice, cancelled SIP, closure (a ClosureReason code)."""

    reason: str


class SipInitiative(TypedDict):
    note: str


class SipInvitation(TypedDict):
    meeting_at: str | None


class SipHeld(TypedDict):
    held_date: str
    # Where it was held (a SipPlace, "" if not given) and the planned follow-up date. Events
    # stored before these keys existed lack them: read with .get.
    place: str
    follow_up_date: str | None


class SipHeldRecorded(TypedDict):
    """A SIP meeting known to have been held without a recorded invitation (imported history)."""

    held_date: str


class SipFollowUpDone(TypedDict):
    """The follow-up of the SIP, planned when it was held, is done (seed 003, indicator 12)."""

    done_date: str


class NoData(TypedDict):
    """SoL/HSL planning done, kommunklar: the message itself is the fact."""


class HomecomingProposed(TypedDict):
    """The ward proposes a time for hemgång (with the ready notice or later)."""

    homecoming_at: str


class HomecomingAcknowledged(TypedDict):
    homecoming_at: str


class Discharge(TypedDict):
    destination: str  # a Destination, or "" when not known (imported history)
    # A NeedsOutcome, or "" when not known (events stored before the key existed lack it).
    needs_outcome: str


class RecipientsChanged(TypedDict):
    kommun_id: int
    health_centre_id: int | None


PAYLOADS: dict[str, type] = {
    EventKind.REGISTERED: Registered,
    EventKind.ADMISSION_NOTICE: AdmissionNotice,
    EventKind.PRELIMINARY_DATE_CHANGED: PreliminaryDateChanged,
    EventKind.PRELIMINARY_DATE_RECORDED: PreliminaryDateRecorded,
    EventKind.ADMISSION_ANSWER: AdmissionAnswer,
    EventKind.NAMED_CARE_CONTACT: NamedCareContact,
    EventKind.TRACK_COLOUR: TrackColourAssessed,
    EventKind.READY_NOTICE: ReadyDate,
    EventKind.READY_DATE_RECORDED: ReadyDate,
    EventKind.READY_NOTICE_WITHDRAWN: Reason,
    EventKind.SIP_INITIATIVE: SipInitiative,
    EventKind.SIP_INVITATION: SipInvitation,
    EventKind.SIP_HELD: SipHeld,
    EventKind.SIP_HELD_RECORDED: SipHeldRecorded,
    EventKind.SIP_CANCELLED: Reason,
    EventKind.SIP_FOLLOW_UP_DONE: SipFollowUpDone,
    EventKind.SOL_PLANNING_DONE: NoData,
    EventKind.HSL_PLANNING_DONE: NoData,
    EventKind.KOMMUN_READY: NoData,
    EventKind.HOMECOMING_PROPOSED: HomecomingProposed,
    EventKind.HOMECOMING_ACKNOWLEDGED: HomecomingAcknowledged,
    EventKind.DISCHARGE: Discharge,
    EventKind.CLOSED: Reason,
    EventKind.RECIPIENTS_CHANGED: RecipientsChanged,
}


# The most characters each free-text field of a payload holds. ``check_payload`` refuses a
# longer text naming the field, before anything is stored; the page forms (and so the API)
# declare the same max_length.
SHORT_TEXT = 300
LONG_TEXT = 2000
TEXT_LIMITS: dict[str, dict[str, int]] = {
    EventKind.ADMISSION_NOTICE: {"reason": LONG_TEXT},
    EventKind.ADMISSION_ANSWER: {
        "services": LONG_TEXT,
        "social_network": LONG_TEXT,
        "aids": LONG_TEXT,
    },
    EventKind.NAMED_CARE_CONTACT: {"name": 200, "phone": 40},  # Episode.named_contact: 200
    EventKind.READY_NOTICE_WITHDRAWN: {"reason": SHORT_TEXT},
    EventKind.SIP_INITIATIVE: {"note": SHORT_TEXT},
    EventKind.SIP_CANCELLED: {"reason": SHORT_TEXT},
    EventKind.CLOSED: {"reason": SHORT_TEXT},  # a ClosureReason code
}


_NO_LIMITS: dict[str, int] = {}


@cache
def payload_keys(kind: str) -> frozenset[str]:
    """The keys a payload of ``kind`` holds (checked for every message: kept once computed)."""
    schema: Any = PAYLOADS[kind]
    return frozenset(schema.__required_keys__ | schema.__optional_keys__)


class PayloadMismatch(ValueError):
    """A payload whose keys are not its kind's schema: a programming error, never user input."""


def check_payload(kind: str, data: dict[str, Any]) -> None:
    """Raise PayloadMismatch unless ``data`` has the kind's keys, and Refused (naming the
    field) for a text longer than its limit in TEXT_LIMITS."""
    expected = payload_keys(kind)
    if data.keys() != expected:
        raise PayloadMismatch(
            f"{kind}: payload keys {sorted(data)} are not the schema's {sorted(expected)}"
        )
    for field, limit in TEXT_LIMITS.get(kind, _NO_LIMITS).items():
        text = data[field]
        if isinstance(text, str) and len(text) > limit:
            # Imported here: the services import this module (through the models). Only on
            # refusal: an import statement per message was a twentieth of an import's time.
            from discharges.services.errors import Refused

            raise Refused(
                gettext("At most %(limit)s characters here; the text has %(length)s.")
                % {"limit": limit, "length": len(text)},
                field=field,
            )
