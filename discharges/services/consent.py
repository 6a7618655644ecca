"""Samtycke: the patient agrees (or no longer agrees) that more than the basic data of one
episode is shared with its kommun and hälsocentral.

Consent is per episode: the episode's ward records it, and it governs that episode only
(``Episode.has_consent``, read by ``selectors.can_see_details``). Another ward caring for the
same patient records consent for its own episode.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.models import ConsentAction, ConsentRecord, Episode
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import NotPermitted, Refused
from discharges.services.limits import checked_text
from discharges.services.recording import check_time


def _record_consent(
    actor: Actor, episode: Episode, action: str, occurred_at: datetime | None, note: str
) -> ConsentRecord:
    integration = check_actor(actor)
    note = checked_text(ConsentRecord, "note", note)
    if actor.organisation.pk != episode.ward_id:
        raise NotPermitted(_("Consent for an episode is recorded by the ward of that episode."))
    at = occurred_at or timezone.now()
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        check_time(at, locked, unlimited_backdate=integration)
        wants = action == ConsentAction.GIVEN
        if locked.has_consent == wants:
            raise Refused(
                _("Consent is already in force.")
                if wants
                else _("There is no consent to withdraw.")
            )
        record = ConsentRecord.objects.create(
            episode=locked,
            patient_id=locked.patient_id,
            action=action,
            recorded_by=actor.user,
            organisation=actor.organisation,
            occurred_at=at,
            note=note,
        )
        Episode.objects.filter(pk=locked.pk).update(has_consent=wants)
    episode.has_consent = wants
    return record


def record_consent(
    *, actor: Actor, episode: Episode, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    """Samtycke: the patient agrees that more than the basic data of ``episode`` is shared."""
    return _record_consent(actor, episode, ConsentAction.GIVEN, occurred_at, note)


def withdraw_consent(
    *, actor: Actor, episode: Episode, occurred_at: datetime | None = None, note: str = ""
) -> ConsentRecord:
    """The patient withdraws the consent for ``episode``: its details are hidden again."""
    return _record_consent(actor, episode, ConsentAction.WITHDRAWN, occurred_at, note)
