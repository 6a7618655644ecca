"""Kvittens: a recipient organisation confirms it has read a message."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.models import Episode, EpisodeEvent, EventKind, Receipt
from discharges.selectors import party_of
from discharges.services.actors import Actor, check_actor
from discharges.services.errors import NotPermitted, Refused
from discharges.services.recording import check_time
from discharges.services.specs import require_shared


def acknowledge_receipt(
    *, actor: Actor, event: EpisodeEvent, occurred_at: datetime | None = None
) -> Receipt:
    """Kvittens: a recipient organisation confirms it has read a message."""
    integration = check_actor(actor)
    at = occurred_at or timezone.now()
    check_time(at, None, unlimited_backdate=integration)
    if at < event.occurred_at:
        raise Refused(_("The receipt is before the message."), field="occurred_at")
    episode = event.episode
    party = party_of(episode, actor.organisation)
    if party is None:
        raise NotPermitted(_("Only a party of the episode can acknowledge its messages."))
    if event.organisation_id == actor.organisation.pk:
        raise Refused(_("An organisation does not acknowledge its own message."))
    require_shared(episode, party)
    with transaction.atomic():
        receipt, created = Receipt.objects.get_or_create(
            event=event,
            organisation=actor.organisation,
            defaults={"user": actor.user, "acknowledged_at": at},
        )
    if not created:
        raise Refused(_("The message has already been acknowledged."))
    return receipt


def acknowledge_all(*, actor: Actor, episode: Episode) -> list[Receipt]:
    """Kvittera alla: every message of the episode from another organisation that the actor's
    organisation has not yet acknowledged (the registration is no message to the others).
    All or none; an empty list when nothing waited."""
    waiting = (
        EpisodeEvent.objects.filter(episode=episode)
        .exclude(organisation_id=actor.organisation.pk)
        .exclude(kind=EventKind.REGISTERED)
        .exclude(receipts__organisation_id=actor.organisation.pk)
        .filter(occurred_at__lte=timezone.now())  # a message dated ahead waits for its time
        .select_related("episode")
        .order_by("seq")
    )
    with transaction.atomic():
        return [acknowledge_receipt(actor=actor, event=event) for event in waiting]
