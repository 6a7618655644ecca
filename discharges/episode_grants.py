"""The episodes' object permissions (django-guardian's direct foreign keys): which users and
groups (organisations) may read or write an episode (``discharges.grants``)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from discharges.models import Episode


class EpisodeUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Episode, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class EpisodeGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Episode, on_delete=models.CASCADE)
    # Without an index of their own (an import writes ~6 grants per episode, each into every
    # index): the unique (group, permission, content_object) leads with the group, and a
    # permission (three values) is never looked up alone.
    group = models.ForeignKey(Group, on_delete=models.CASCADE, db_index=False)
    permission = models.ForeignKey(Permission, on_delete=models.CASCADE, db_index=False)

    class Meta(GroupObjectPermissionBase.Meta):
        # guardian's unique_together (group, permission, content_object) is the index the
        # scoped lists probe; a second index on the same columns would only double the writes.
        abstract = False
