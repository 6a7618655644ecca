"""The ward registers a stay (vårdtillfälle) and, with it, finds or creates the patient."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.bulk import new_instance
from discharges.events import Registered
from discharges.models import (
    AdmissionType,
    CareType,
    Episode,
    EpisodeEvent,
    EventKind,
    HealthCentre,
    Kommun,
    Patient,
    Ward,
)
from discharges.personnummer import normalise_personnummer
from discharges.projection import apply_event
from discharges.services.actors import Actor
from discharges.services.errors import NotPermitted, Refused
from discharges.services.limits import checked_text
from discharges.services.recording import SINGLE, Recorder, check_time, new_event

_CARETYPE_VALUES = frozenset(CareType.values)
_ADMISSIONTYPE_VALUES = frozenset(AdmissionType.values)


def _normalised(personnummer: str) -> str:
    try:
        return normalise_personnummer(personnummer)
    except Exception as exc:
        raise Refused(" ".join(getattr(exc, "messages", [str(exc)])), field="personnummer") from exc


def find_patient(personnummer: str) -> Patient | None:
    """The stored patient with this personnummer (any accepted form), or None."""
    return Patient.objects.filter(personnummer=_normalised(personnummer)).first()


def register_patient(
    *,
    personnummer: str,
    kommun: Kommun,
    name: str = "",
    address: str = "",
    health_centre: HealthCentre | None = None,
) -> Patient:
    """Find the patient by personnummer, or create them with the given facts.

    A known patient is returned as stored: registering a stay never changes who the patient
    is (whoever registers a stay would otherwise rename and move another ward's patient).
    Name, address, kommun and listing change only by ``change_patient_identity``, on record.
    """
    patient, _created = Patient.objects.get_or_create(
        personnummer=_normalised(personnummer),
        defaults={
            "name": checked_text(Patient, "name", name),
            "address": checked_text(Patient, "address", address),
            "kommun": kommun,
            "health_centre": health_centre,
        },
    )
    return patient


def build_registration(
    *,
    actor: Actor,
    patient: Patient,
    ward: Ward,
    admitted_at: datetime,
    kommun: Kommun | None = None,
    health_centre: HealthCentre | None = None,
    care_type: str | None = None,
    external_id: str | None = None,
    admission_type: str = "",
    unlimited_backdate: bool,
    now: datetime | None = None,
) -> tuple[Episode, EpisodeEvent]:
    """Check a registration and build the unsaved episode and its first event, recorded
    ``now`` (default: now)."""
    if actor.organisation.id != ward.id:
        raise NotPermitted(_("Only the ward itself may register an episode there."))
    now = now or timezone.now()
    check_time(admitted_at, None, unlimited_backdate=True, field="admitted_at", now=now)
    care_type = care_type or ward.care_type
    if care_type not in _CARETYPE_VALUES:
        raise Refused(_("Unknown care type."), field="care_type")
    if admission_type not in _ADMISSIONTYPE_VALUES and admission_type != "":
        raise Refused(_("Unknown admission type."), field="admission_type")
    kommun = kommun or patient.kommun
    if health_centre is None and patient.health_centre_id:
        health_centre = patient.health_centre
    episode: Episode = new_instance(Episode, created_at=now)
    data: Registered = {
        "external_id": checked_text(Episode, "external_id", external_id) or None,
        "patient_id": patient.id,
        "ward_id": ward.id,
        "kommun_id": kommun.id,
        "health_centre_id": health_centre.id if health_centre else None,
        "care_type": care_type,
        "admitted_at": admitted_at.isoformat(),
        "admission_type": admission_type,
    }
    event = new_event(None, 1, EventKind.REGISTERED, actor, admitted_at, data, now)
    apply_event(episode, event)
    return episode, event


def register_episode(
    *,
    actor: Actor,
    patient: Patient,
    ward: Ward,
    admitted_at: datetime,
    kommun: Kommun | None = None,
    health_centre: HealthCentre | None = None,
    care_type: str | None = None,
    external_id: str | None = None,
    admission_type: str = "",
    recorder: Recorder | None = None,
) -> Episode:
    """The ward registers a stay (vårdtillfälle). Kommun and hälsocentral default to the
    patient's folkbokföringskommun and listing; they see the episode from the first message
    sent to them (the admission or ready notice). ``admission_type`` is an AdmissionType (akut
    or planerad), "" when not known (the page requires it)."""
    recorder = recorder or SINGLE
    unlimited = recorder.check_actor(actor)
    episode, event = build_registration(
        actor=actor,
        patient=patient,
        ward=ward,
        admitted_at=admitted_at,
        kommun=kommun,
        health_centre=health_centre,
        care_type=care_type,
        external_id=external_id,
        admission_type=admission_type,
        unlimited_backdate=unlimited,
        now=recorder.now(),
    )
    return recorder.register(actor, episode, event)


# What a stay of a patient not yet stored must give (a known patient is registered as stored).
NEW_PATIENT_FIELDS = ("name", "address", "kommun")


def missing_for_new_patient(data: Mapping[str, Any]) -> list[str]:
    """The fields a new patient needs that ``data`` leaves empty (the page and the API name
    each of them)."""
    return [name for name in NEW_PATIENT_FIELDS if not data.get(name)]


def register_stay(*, actor: Actor, known: Patient | None, data: Mapping[str, Any]) -> Episode:
    """A stay registered from the page or the API (``data``: the register form's cleaned
    values), in one transaction: for the ``known`` patient as stored (``kommun`` and
    ``health_centre``, when given, choose the episode's recipients), or for a new patient
    created with the given facts (its kommun and listing are then the recipients). A new
    patient missing a field of ``NEW_PATIENT_FIELDS`` is refused on the first one; call
    ``missing_for_new_patient`` first to name them all."""
    if known is None and (missing := missing_for_new_patient(data)):
        raise Refused(_("A new patient needs this."), field=missing[0])
    with transaction.atomic():
        patient = known or register_patient(
            personnummer=data["personnummer"],
            kommun=data["kommun"],
            name=data["name"],
            address=data["address"],
            health_centre=data.get("health_centre"),
        )
        return register_episode(
            actor=actor,
            patient=patient,
            ward=data["ward"],
            admitted_at=data["admitted_at"],
            kommun=data.get("kommun") if known else None,
            health_centre=data.get("health_centre") if known else None,
            care_type=data.get("care_type") or None,
            external_id=data.get("external_id") or None,
            admission_type=data.get("admission_type") or "",
        )
