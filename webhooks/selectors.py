"""Reads of the webhooks app: whose subscriptions a user manages, and who is told of an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from discharges.models import Membership, Organisation, Role
from webhooks.models import Subscription


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose subscriptions ``user`` may see and manage in the admin.

    A superuser: every one. Another staff user (who also needs the model permissions): the
    organisations they are a member of and, for a systemförvaltare (admin) of a region, every
    organisation of that region (its kommuner, hospitals, wards and health centres).
    """
    if not (user.is_active and user.is_staff):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    memberships = Membership.objects.filter(user=user)
    regions = memberships.filter(role=Role.ADMIN).values("organisation_id")
    return Organisation.objects.filter(
        Q(pk__in=memberships.values("organisation_id"))
        | Q(as_kommun__region__in=regions)
        | Q(as_hospital__region__in=regions)
        | Q(as_ward__hospital__region__in=regions)
        | Q(as_health_centre__region__in=regions)
    ).distinct()


def subscriptions_for(user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(organisation__in=manageable_organisations(user))


def addressed(author_organisation_id: int, audience: Iterable[int]) -> frozenset[int]:
    """The organisations an event is addressed to: those that may see the episode after it
    (its grants' audience: the ward, and the kommun and hälsocentral once it is shared with
    them), but the one that sent it."""
    return frozenset(audience) - {author_organisation_id}


def subscribed(event_kind: str, organisation_ids: Iterable[int]) -> list[Subscription]:
    """The active subscriptions of ``organisation_ids`` that want ``event_kind``."""
    ids = set(organisation_ids)
    if not ids:
        return []
    candidates = Subscription.objects.filter(active=True, organisation_id__in=ids)
    # Few per organisation: the kinds are filtered here (a JSON list, on SQLite too).
    return [sub for sub in candidates if event_kind in sub.kinds]
