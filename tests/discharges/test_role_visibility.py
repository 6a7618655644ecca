"""Visibility follows the role, not just the membership (issue 7, point 5).

- Only the sending role of an organisation gets its episode grants: ward staff at a ward, the
  care coordinator at a health centre, the planner at a kommun (integration accounts as before).
- A role that does not exist at an organisation's kind cannot be given there, neither by the
  service nor in the admin: processledare and partssammansatt are not kommun roles.
- Memberships given before that rule (a partssammansatt member at a kommun) see no episode,
  and migration 0012 takes them out of the organisation's group.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import AbstractUser
from django.urls import reverse

from discharges import selectors, services
from discharges.admin import MembershipForm
from discharges.models import Episode, Membership, Organisation, Role
from discharges.services import Refused
from tests.conftest import OrgTree, Personas, login, make_user

FOLLOW_UP_ROLES = [Role.PROCESS_LEAD, Role.JOINT_GROUP]


def in_group(user: AbstractUser, organisation: Organisation) -> bool:
    return user.groups.filter(pk=organisation.group_id).exists()


def legacy_member(org_tree: OrgTree, role: str) -> AbstractUser:
    """A member as the old admin made them: the membership and the organisation's group."""
    user = make_user(f"legacy_{role}")
    Membership.objects.create(user=user, organisation=org_tree.umea, role=role)
    assert org_tree.umea.group is not None
    user.groups.add(org_tree.umea.group)
    return user


@pytest.fixture
def noticed_pair(
    make_episode: Callable[..., Episode], advance: Callable[..., Episode]
) -> list[Episode]:
    """Two Umeå episodes the kommun has been sent."""
    return [advance(make_episode(), "noticed") for _ in range(2)]


@pytest.mark.parametrize("role", FOLLOW_UP_ROLES)
def test_the_follow_up_roles_cannot_be_given_at_a_kommun(
    role: str, org_tree: OrgTree, personas: Personas
) -> None:
    user = make_user("someone")
    with pytest.raises(Refused) as info:
        services.add_membership(user=user, organisation=org_tree.umea, role=role)
    assert info.value.field == "role"
    assert not Membership.objects.filter(user=user).exists()
    assert not in_group(user, org_tree.umea)

    form = MembershipForm(data={"user": user.pk, "organisation": org_tree.umea.pk, "role": role})
    assert not form.is_valid()
    assert "role" in form.errors


@pytest.mark.parametrize("role", FOLLOW_UP_ROLES)
def test_a_legacy_follow_up_member_at_a_kommun_sees_no_episode(
    role: str, org_tree: OrgTree, personas: Personas, noticed_pair: list[Episode]
) -> None:
    user = legacy_member(org_tree, role)
    assert not selectors.visible_episodes(user).exists()
    assert selectors.visible_count(user) == 0
    response = login(user).get(reverse("api:episode_list"))
    assert response.status_code == 200
    assert response.json()["results"] == []
    detail = login(user).get(reverse("api:episode_detail", args=[noticed_pair[0].pk]))
    assert detail.status_code == 404
    # The planner of the same kommun still sees both.
    assert selectors.visible_episodes(personas.kommun_planner).count() == 2


@pytest.mark.parametrize(
    ("persona", "organisation", "grouped"),
    [
        ("ward_nurse", "ward", True),
        ("hc_coordinator", "hc_umea", True),
        ("kommun_planner", "umea", True),
        ("integration", "region", True),  # as before: integration accounts act for the region
        ("processledare", "region", False),
        ("joint_group", "region", False),
    ],
)
def test_only_the_sending_role_joins_the_organisations_group(
    persona: str, organisation: str, grouped: bool, personas: Personas, org_tree: OrgTree
) -> None:
    user = getattr(personas, persona)
    assert in_group(user, getattr(org_tree, organisation)) is grouped


def test_a_process_lead_at_the_region_sees_follow_up_but_no_episode(
    personas: Personas, org_tree: OrgTree, noticed_pair: list[Episode]
) -> None:
    user = personas.processledare
    assert not selectors.visible_episodes(user).exists()
    assert org_tree.umea in selectors.follow_up_kommuner(user)
    assert org_tree.umea in selectors.follow_up_kommuner(user, liability=True)


def test_removing_one_of_two_roles_keeps_the_group_of_the_sending_role(
    org_tree: OrgTree, personas: Personas
) -> None:
    user = personas.processledare
    services.add_membership(user=user, organisation=org_tree.hospital, role=Role.PROCESS_LEAD)
    staff = services.add_membership(user=user, organisation=org_tree.ward, role=Role.WARD_STAFF)
    assert in_group(user, org_tree.ward)
    assert not in_group(user, org_tree.hospital)
    services.remove_membership(membership=staff)
    assert not in_group(user, org_tree.ward)


def test_the_migration_takes_non_sending_members_out_of_the_group(
    org_tree: OrgTree, personas: Personas, noticed_pair: list[Episode]
) -> None:
    legacy = legacy_member(org_tree, Role.JOINT_GROUP)
    assert legacy.has_perm("discharges.view_episode", noticed_pair[0])  # guardian, via the group
    migration = importlib.import_module(
        "discharges.migrations.0012_memberships_group_for_sending_roles_only"
    )
    migration.leave_groups_of_non_sending_roles(global_apps, None)

    legacy = type(legacy).objects.get(pk=legacy.pk)  # guardian caches permissions per object
    assert not in_group(legacy, org_tree.umea)
    assert not legacy.has_perm("discharges.view_episode", noticed_pair[0])
    # The membership row stays for the admin to see and remove; the rightful members keep
    # their groups.
    assert Membership.objects.filter(user=legacy, role=Role.JOINT_GROUP).exists()
    for user, organisation in (
        (personas.kommun_planner, org_tree.umea),
        (personas.ward_nurse, org_tree.ward),
        (personas.hc_coordinator, org_tree.hc_umea),
        (personas.integration, org_tree.region),
    ):
        assert in_group(user, organisation), user
