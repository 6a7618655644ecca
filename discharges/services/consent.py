"""Samtycke: the patient agrees (or no longer agrees) that more than the basic data is shared."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.models import ConsentAction, ConsentRecord, OrganisationKind, Patient
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import NotPermitted, Refused
from discharges.services.recording import check_time


def _record_consent(
    actor: Actor, patient: Patient, action: str, occurred_at: datetime | None, note: str
) -> ConsentRecord:
    integration = check_actor(actor)
    if (
        actor.organisation.kind != OrganisationKind.WARD
        or not patient.episodes.filter(ward_id=actor.organisation.pk).exists()
    ):
        raise NotPermitted(_("Consent is recorded by the ward caring for the patient."))
    at = occurred_at or timezone.now()
    check_time(at, None, unlimited_backdate=integration)
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        wants = action == ConsentAction.GIVEN
        if locked.has_consent == wants:
            raise Refused(
                _("Consent is already in force.")
                if wants
                else _("There is no consent to withdraw.")
            )
        record = ConsentRecord.objects.create(
            patient=locked,
            action=action,
            recorded_by=actor.user,
            organisation=actor.organisation,
            occurred_at=at,
            note=note,
        )
        Patient.objects.filter(pk=patient.pk).update(has_consent=wants)
    patient.has_consent = wants
    return record


def record_consent(
    *, actor: Actor, patient: Patient, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    """Samtycke: the patient agrees that more than the basic data is shared."""
    return _record_consent(actor, patient, ConsentAction.GIVEN, occurred_at, note)


def withdraw_consent(
    *, actor: Actor, patient: Patient, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    return _record_consent(actor, patient, ConsentAction.WITHDRAWN, occurred_at, note)
