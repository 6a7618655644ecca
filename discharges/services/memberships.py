"""Memberships: a user's role in an organisation, and the organisation's grants with it."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from discharges.models import ROLES_BY_KIND, Membership, Organisation, OrganisationKind, Role
from discharges.selectors import forget_memberships
from discharges.services.errors import Refused


def add_membership(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation and put them in its group (its grants)."""
    if role not in ROLES_BY_KIND.get(organisation.kind, frozenset()):
        raise Refused(
            _("The role %(role)s does not exist at a %(kind)s.")
            % {
                "role": dict(Role.choices).get(role, role),
                "kind": OrganisationKind(organisation.kind).label.lower(),
            },
            field="role",
        )
    with transaction.atomic():
        membership, _created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=role
        )
        if organisation.group is not None:  # every saved organisation has its group
            user.groups.add(organisation.group)
    forget_memberships(user)
    return membership


def remove_membership(*, membership: Membership) -> None:
    with transaction.atomic():
        user, organisation = membership.user, membership.organisation
        membership.delete()
        others = Membership.objects.filter(user=user, organisation=organisation)
        if organisation.group is not None and not others.exists():
            user.groups.remove(organisation.group)
    forget_memberships(user)
