"""discharges.services memberships: add_membership and remove_membership.

A membership brings the organisation's group (and with it the grants); a role must exist at that
kind of organisation; removing the last role removes the group.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from discharges import selectors, services
from discharges.models import Episode, Membership, Role
from discharges.services import Refused
from tests.conftest import OrgTree, Personas, make_user


def test_it_adds_a_membership_and_its_group(org_tree: OrgTree) -> None:
    user = make_user("new_nurse")
    membership = services.add_membership(
        user=user, organisation=org_tree.ward, role=Role.WARD_STAFF
    )
    assert Membership.objects.get(pk=membership.pk).role == Role.WARD_STAFF
    assert user.groups.filter(pk=org_tree.ward.group_id).exists()
    again = services.add_membership(user=user, organisation=org_tree.ward, role=Role.WARD_STAFF)
    assert again.pk == membership.pk
    assert Membership.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("umea", Role.WARD_STAFF),
        ("ward", Role.KOMMUN_PLANNER),
        ("hc_umea", Role.WARD_STAFF),
        ("hospital", Role.INTEGRATION),
        ("umea", Role.ADMIN),
        ("hospital", Role.WARD_STAFF),
        # A role that is no Role at all is refused like any other, naming the field.
        ("ward", "overlord"),
    ],
    ids=[
        "ward_staff-at-a-kommun",
        "kommun_planner-at-a-ward",
        "ward_staff-at-a-health-centre",
        "integration-at-a-hospital",
        "admin-at-a-kommun",
        "ward_staff-at-a-hospital",
        "unknown-role",
    ],
)
def test_it_refuses_a_role_that_does_not_exist_at_that_kind_of_organisation(
    organisation: str, role: str, org_tree: OrgTree
) -> None:
    user = make_user("someone")
    org = getattr(org_tree, organisation)
    with pytest.raises(Refused) as info:
        services.add_membership(user=user, organisation=org, role=role)
    assert info.value.field == "role"
    assert not Membership.objects.filter(user=user).exists()
    assert not user.groups.exists()


def test_it_removes_a_membership_and_with_it_the_grants(
    episode: Episode, org_tree: OrgTree, personas: Personas
) -> None:
    user = make_user("leaving_nurse")
    membership = services.add_membership(
        user=user, organisation=org_tree.ward, role=Role.WARD_STAFF
    )
    assert selectors.visible_episodes(user).filter(pk=episode.pk).exists()
    services.remove_membership(membership=membership)
    assert not Membership.objects.filter(user=user).exists()
    assert not user.groups.filter(pk=org_tree.ward.group_id).exists()
    assert not selectors.visible_episodes(user).exists()


def test_it_keeps_the_group_while_another_role_remains(org_tree: OrgTree) -> None:
    # The region's integration role and its processledare role: the integration account
    # keeps the region's group when the processledare role ends (issue 7, point 5: only a
    # role that holds grants joins the group).
    user = make_user("lead_and_integration")
    lead = services.add_membership(user=user, organisation=org_tree.region, role=Role.PROCESS_LEAD)
    services.add_membership(user=user, organisation=org_tree.region, role=Role.INTEGRATION)
    services.remove_membership(membership=lead)
    assert user.groups.filter(pk=org_tree.region.group_id).exists()
    assert Group.objects.filter(pk=org_tree.region.group_id).exists()
