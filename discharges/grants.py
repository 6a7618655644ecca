"""Object grants: which organisations' groups may view and change an episode.

The ward's group is granted from registration; the kommun's and the hälsocentral's groups from
the first message sent to them (the admission notice or the ready notice), so a stay that never
concerned them (e.g. a patient who needs no help) is never shown to them. The grants follow the
episode when its kommun or hälsocentral changes.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from discharges.models import Episode, EpisodeGroupObjectPermission, Organisation

CODENAMES = ("view_episode", "change_episode")


def audience(episode: Episode) -> frozenset[int]:
    """The organisation ids whose groups must hold grants on the episode."""
    ids = {episode.ward_id}
    if episode.shared_at is not None:
        ids.add(episode.kommun_id)
        if episode.health_centre_id:
            ids.add(episode.health_centre_id)
    return frozenset(ids)


def _permissions() -> list[Permission]:
    content_type = ContentType.objects.get_for_model(Episode)
    return list(Permission.objects.filter(content_type=content_type, codename__in=CODENAMES))


def _group_ids(organisation_ids: Iterable[int]) -> dict[int, int]:
    return dict(
        Organisation.objects.filter(pk__in=set(organisation_ids)).values_list("pk", "group_id")
    )


def sync_episode(episode: Episode) -> None:
    """Make the episode's grants match its audience. Call inside the writing transaction."""
    wanted_groups = set(_group_ids(audience(episode)).values())
    existing = EpisodeGroupObjectPermission.objects.filter(content_object=episode)
    existing.exclude(group_id__in=wanted_groups).delete()
    have = set(existing.values_list("group_id", "permission_id"))
    permissions = _permissions()
    EpisodeGroupObjectPermission.objects.bulk_create(
        EpisodeGroupObjectPermission(content_object=episode, group_id=group_id, permission=perm)
        for group_id in wanted_groups
        for perm in permissions
        if (group_id, perm.pk) not in have
    )


def permission_ids() -> list[int]:
    """The episode permissions each group of an episode's audience holds (for bulk writes)."""
    return [perm.pk for perm in _permissions()]
