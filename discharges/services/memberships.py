"""Memberships: a user's role in an organisation, and the organisation's grants with it.

Only the sending role of an organisation (``choices.SENDING_ROLE_BY_KIND``; integration
accounts as well) joins the organisation's group, which holds its episode grants. The other
roles (processledare, partssammansatt, admin) follow up aggregates and see no episode.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from discharges.choices import holds_grants
from discharges.models import ROLES_BY_KIND, Membership, Organisation, OrganisationKind, Role
from discharges.selectors import forget_memberships
from discharges.services.errors import Refused


def add_membership(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give a user a role in an organisation; the sending role joins its group (its grants)."""
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
        if organisation.group is not None and holds_grants(organisation.kind, role):
            user.groups.add(organisation.group)
    forget_memberships(user)
    return membership


def remove_membership(*, membership: Membership) -> None:
    """End a membership; the user leaves the group unless another role there holds grants."""
    with transaction.atomic():
        user, organisation = membership.user, membership.organisation
        membership.delete()
        others = Membership.objects.filter(user=user, organisation=organisation)
        if organisation.group is not None and not any(
            holds_grants(organisation.kind, role) for role in others.values_list("role", flat=True)
        ):
            user.groups.remove(organisation.group)
    forget_memberships(user)
