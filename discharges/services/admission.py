"""Admission and planning: the admission notice and its answers, the preliminary date, the
named care contact, the track colour, and a change of kommun or hälsocentral."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.events import (
    AdmissionAnswer,
    AdmissionNotice,
    NamedCareContact,
    PreliminaryDateChanged,
    PreliminaryDateRecorded,
    RecipientsChanged,
    TrackColourAssessed,
)
from discharges.models import Episode, EpisodeEvent, EventKind, HealthCentre, Kommun, TrackColour
from discharges.services.actors import Actor
from discharges.services.errors import Refused
from discharges.services.recording import Recorder, iso, message, send

_TRACKCOLOUR_VALUES = frozenset(TrackColour.values)


def _check_preliminary(
    ep: Episode,
    data: AdmissionNotice | PreliminaryDateChanged | PreliminaryDateRecorded,
    at: datetime,
) -> None:
    value = data.get("preliminary_ready_date")
    if value is not None and date.fromisoformat(value) < local_date(ep.admitted_at):
        raise Refused(
            _("The preliminary ready date is before the admission."),
            field="preliminary_ready_date",
        )


def send_admission_notice(
    *,
    actor: Actor,
    episode: Episode,
    preliminary_ready_date: date | None,
    reason: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Inskrivningsmeddelande: the ward tells kommun and hälsocentral, within 24 h."""
    data: AdmissionNotice = {
        "preliminary_ready_date": iso(preliminary_ready_date),
        "reason": reason,
    }
    sent = message(EventKind.ADMISSION_NOTICE, occurred_at, data, _check_preliminary)
    return send(actor, episode, sent, expected_version, recorder)


def _check_preliminary_change(ep: Episode, data: PreliminaryDateChanged, at: datetime) -> None:
    if data["preliminary_ready_date"] == iso(ep.preliminary_ready_date):
        raise Refused(
            _("That is already the preliminary ready date."), field="preliminary_ready_date"
        )
    _check_preliminary(ep, data, at)


def change_preliminary_date(
    *,
    actor: Actor,
    episode: Episode,
    preliminary_ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    data: PreliminaryDateChanged = {"preliminary_ready_date": preliminary_ready_date.isoformat()}
    sent = message(EventKind.PRELIMINARY_DATE_CHANGED, occurred_at, data, _check_preliminary_change)
    return send(actor, episode, sent, expected_version, recorder)


def record_preliminary_date(
    *,
    actor: Actor,
    episode: Episode,
    preliminary_ready_date: date,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """A preliminary ready date known without the admission notice that carries it (imported
    history). The date is kept; R5's "admission notice sent" prerequisite stays unmet, and the
    episode is not shared with kommun and hälsocentral by it (no message reached them)."""
    data: PreliminaryDateRecorded = {"preliminary_ready_date": preliminary_ready_date.isoformat()}
    sent = message(EventKind.PRELIMINARY_DATE_RECORDED, occurred_at, data, _check_preliminary)
    return send(actor, episode, sent, expected_version, recorder)


def answer_admission(
    *,
    actor: Actor,
    episode: Episode,
    current_services: bool,
    services: str = "",
    social_network: str = "",
    aids: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Svar på inskrivning from kommun or hälsocentral: current services, network, aids."""
    data: AdmissionAnswer = {
        "party": None,  # set by build_event from the locked episode
        "current_services": current_services,
        "services": services,
        "social_network": social_network,
        "aids": aids,
    }
    sent = message(EventKind.ADMISSION_ANSWER, occurred_at, data)
    return send(actor, episode, sent, expected_version, recorder)


def _check_contact(ep: Episode, data: NamedCareContact, at: datetime) -> None:
    if not data["name"]:
        raise Refused(_("Give the named care contact's name."), field="name")


def name_care_contact(
    *,
    actor: Actor,
    episode: Episode,
    name: str,
    phone: str = "",
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """The hälsocentral names the fast vårdkontakt."""
    data: NamedCareContact = {"name": name.strip(), "phone": phone.strip()}
    sent = message(EventKind.NAMED_CARE_CONTACT, occurred_at, data, _check_contact)
    return send(actor, episode, sent, expected_version, recorder)


def _check_colour(ep: Episode, data: TrackColourAssessed, at: datetime) -> None:
    # An assessment may give only the SIP need (e.g. imported history without a colour).
    if data["colour"] == "" and data["sip_needed"] is not None:
        return
    if data["colour"] not in _TRACKCOLOUR_VALUES:
        raise Refused(_("Unknown track colour."), field="colour")


def assess_track_colour(
    *,
    actor: Actor,
    episode: Episode,
    colour: str,
    sip_needed: bool | None = None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """Planeringsunderlag: the ward's track colour and whether a SIP is needed."""
    data: TrackColourAssessed = {"colour": colour, "sip_needed": sip_needed}
    sent = message(EventKind.TRACK_COLOUR, occurred_at, data, _check_colour)
    return send(actor, episode, sent, expected_version, recorder)


def _check_recipients(ep: Episode, data: RecipientsChanged, at: datetime) -> None:
    if data["kommun_id"] == ep.kommun_id and data["health_centre_id"] == ep.health_centre_id:
        raise Refused(_("Municipality and health centre are unchanged."))


def change_recipients(
    *,
    actor: Actor,
    episode: Episode,
    kommun: Kommun,
    health_centre: HealthCentre | None,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
    recorder: Recorder | None = None,
) -> EpisodeEvent:
    """The ward corrects the kommun or hälsocentral; the grants move with them."""
    data: RecipientsChanged = {
        "kommun_id": kommun.pk,
        "health_centre_id": health_centre.pk if health_centre else None,
    }
    sent = message(EventKind.RECIPIENTS_CHANGED, occurred_at, data, _check_recipients)
    return send(actor, episode, sent, expected_version, recorder)
