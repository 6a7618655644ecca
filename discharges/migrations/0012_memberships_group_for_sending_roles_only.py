"""Only the sending role of an organisation holds its episode grants (issue 7, point 5).

Every membership used to put the user in the organisation's group ("org:<pk>"), which holds
the organisation's episode grants, whatever the role; and the admin allowed the roles
processledare and partssammansatt at a kommun, so such a member read the kommun's episodes
with personnummer. Now those roles are not valid at a kommun (``ROLES_BY_KIND``),
``add_membership`` adds the group for the sending role only, and the selectors read grants
through such memberships only.

What this migration does: it takes every user out of every organisation group unless the user
has a membership at that organisation whose role holds grants -- ward staff at a ward, the care
coordinator (hc_coordinator) at a health centre, the planner (kommun_planner) at a kommun, or
an integration account (as before). That removes, e.g., a partssammansatt or processledare
member at a kommun, and the region's processledare, partssammansatt and admin members, from
the group (a region's group holds no grants; it is cleared for the same rule). Memberships
themselves are kept: the admin lists them (filter by role and kind) and ends the kommun
memberships with a role that no longer exists there. Reversing does nothing: which group
memberships were meant cannot be told afterwards, and none of them should give grants.
"""

from django.db import migrations

# The rule as it stands at this migration (discharges.choices.holds_grants).
SENDING_ROLE = {"ward": "ward_staff", "health_centre": "hc_coordinator", "kommun": "kommun_planner"}
BATCH = 1000


def leave_groups_of_non_sending_roles(apps, schema_editor):
    Organisation = apps.get_model("discharges", "Organisation")
    Membership = apps.get_model("discharges", "Membership")
    UserGroups = apps.get_model("auth", "User").groups.through
    organisation_of_group = dict(
        Organisation.objects.exclude(group=None).values_list("group_id", "id")
    )
    entitled = {
        (user_id, organisation_id)
        for user_id, organisation_id, role, kind in Membership.objects.values_list(
            "user_id", "organisation_id", "role", "organisation__kind"
        )
        if SENDING_ROLE.get(kind) == role or role == "integration"
    }
    stale = [
        pk
        for pk, user_id, group_id in UserGroups.objects.filter(
            group_id__in=list(organisation_of_group)
        ).values_list("id", "user_id", "group_id")
        if (user_id, organisation_of_group[group_id]) not in entitled
    ]
    for start in range(0, len(stale), BATCH):
        UserGroups.objects.filter(pk__in=stale[start : start + BATCH]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("discharges", "0011_consent_per_episode_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(leave_groups_of_non_sending_roles, migrations.RunPython.noop),
    ]
