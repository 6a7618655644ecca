"""Which kommuner a user may follow up (aggregates only: no patient-level data)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from discharges.models import Kommun, OrganisationKind, Role
from discharges.selectors import memberships_of

# Region roles that see every kommun of the region.
REGION_FOLLOW_UP_ROLES = (Role.PROCESS_LEAD, Role.JOINT_GROUP, Role.ADMIN)


def _region_code(membership_org: object) -> str | None:
    org = membership_org.specific  # type: ignore[attr-defined]
    kind = org.kind
    if kind == OrganisationKind.REGION:
        return org.code
    if kind == OrganisationKind.KOMMUN:
        return org.code[:2]
    if kind == OrganisationKind.WARD:
        return org.hospital.region.code
    if kind in (OrganisationKind.HEALTH_CENTRE, OrganisationKind.HOSPITAL):
        return org.region.code
    return None


def statistics_kommuner(user: AbstractBaseUser) -> QuerySet[Kommun]:
    """Monthly statistics are aggregates: every member sees the kommuner of their region(s)."""
    codes = {_region_code(m.organisation) for m in memberships_of(user)} - {None}
    if not codes:
        return Kommun.objects.none()
    query = Q()
    for code in codes:
        query |= Q(code__startswith=code)
    return Kommun.objects.filter(query).select_related("region")


def liability_kommuner(user: AbstractBaseUser) -> QuerySet[Kommun]:
    """The liability pages: a kommun's own members, and the region's follow-up roles."""
    own = [
        m.organisation_id
        for m in memberships_of(user)
        if m.organisation.kind == OrganisationKind.KOMMUN
    ]
    regions = [
        m.organisation.specific.code  # type: ignore[attr-defined]
        for m in memberships_of(user)
        if m.organisation.kind == OrganisationKind.REGION and m.role in REGION_FOLLOW_UP_ROLES
    ]
    query = Q(pk__in=own)
    for code in regions:
        query |= Q(code__startswith=code)
    if not own and not regions:
        return Kommun.objects.none()
    return Kommun.objects.filter(query).select_related("region")
