"""Who the patient is: explicit, recorded changes of name, address, kommun and listing.

Registration never changes a stored patient (``register_patient``). A ward that cares for the
patient now (an active episode there) records a change; each is a ``PatientIdentityChange``
row (author, organisation, time, the values before and after), shown with the episode.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from discharges.models import (
    Episode,
    HealthCentre,
    Kommun,
    OrganisationKind,
    Patient,
    PatientIdentityChange,
)
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import NotPermitted, Refused

IDENTITY_FIELDS = ("name", "address", "kommun_id", "health_centre_id")
LIMITS = {"name": 200, "address": 300, "note": 300}


def may_change_identity(actor: Actor, patient: Patient) -> bool:
    """Only a ward with an active episode of the patient changes their details."""
    return (
        actor.organisation.kind == OrganisationKind.WARD
        and Episode.objects.active()
        .filter(patient_id=patient.pk, ward_id=actor.organisation.pk)
        .exists()
    )


def _checked_text(field: str, value: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Refused(_("This field is required."), field=field)
    if len(value) > LIMITS[field]:
        raise Refused(_("At most %(limit)s characters.") % {"limit": LIMITS[field]}, field=field)
    return value


def change_patient_identity(
    *,
    actor: Actor,
    patient: Patient,
    name: str,
    address: str,
    kommun: Kommun,
    health_centre: HealthCentre | None,
    note: str = "",
) -> PatientIdentityChange:
    """The ward records the patient's current name, address, folkbokföringskommun and listing.

    Episodes keep their recipients: a move to another kommun reaches an episode's kommun by
    the ward's ``change_recipients`` message, as before.
    """
    check_actor(actor)
    if not may_change_identity(actor, patient):
        raise NotPermitted(
            _("Only a ward with an active episode of the patient may change the patient's details.")
        )
    new = {
        "name": _checked_text("name", name, required=True),
        "address": _checked_text("address", address),
        "kommun_id": kommun.pk,
        "health_centre_id": health_centre.pk if health_centre is not None else None,
    }
    note = _checked_text("note", note)
    with transaction.atomic():
        locked = Patient.objects.select_for_update().get(pk=patient.pk)
        old = {field: getattr(locked, field) for field in IDENTITY_FIELDS}
        if old == new:
            raise Refused(_("The patient's details are unchanged."))
        change = PatientIdentityChange.objects.create(
            patient=locked,
            author=actor.user,
            organisation=actor.organisation,
            note=note,
            **new,
            **{f"old_{field}": value for field, value in old.items()},
        )
        for field, value in new.items():
            setattr(locked, field, value)
        locked.save(update_fields=["name", "address", "kommun", "health_centre"])
    for field, value in new.items():
        setattr(patient, field, value)
    return change
