"""Proposed changes to the read path, measured side by side with the code as it is (--proposals).

Nothing here changes the application: while the proposals are measured, the selectors and the
list's paginator are patched in this process only, and the proposed index exists in the
benchmark database only (it is dropped again afterwards). bench/README.md describes each change
as it would be written in discharges/.

1. ``visible_episodes``: one semi-join on the group grants, with the user's group ids and the
   view permission's id as literals, instead of guardian's ``get_objects_for_user``. Guardian
   writes ``id IN (user grants) OR id IN (group grants)``, which PostgreSQL can only run as a
   filter over the episodes with a guessed selectivity (it assumes 75 % of all episodes are
   visible); with one ``IN`` and literals the planner knows the group's real number of grants.
2. ``episode_list``: ``present_episode`` reads ``ward.hospital`` and ``health_centre``, which the
   list does not load (two queries per row): prefetch them (one query each). They are
   prefetched rather than joined because the joins (two tables each, multi-table inheritance)
   take the query past ``join_collapse_limit`` and the planner then joins the whole table.
3. A partial index on the active episodes in the list's order, for the default "active" filter
   (a few thousand rows in the whole country).
4. The count of the unfiltered list ("all") from the grant index alone.
5. No parallel workers for these short queries (``max_parallel_workers_per_gather = 0`` on the
   web's connections): starting workers costs more than the work on 2 cores.
6. A larger statistics target for the grants' ``group_id`` (1000 instead of 100), so that the
   planner knows the number of grants of every group, not only of the 100 largest: with the
   default, a ward outside those gets the average estimate and the wrong plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Q, QuerySet

from discharges import selectors
from discharges.models import (
    ACTIVE_STATUSES,
    Episode,
    EpisodeGroupObjectPermission,
    EpisodeStatus,
)

ACTIVE_INDEX = "bench_proposed_active_idx"
GRANT_STATISTICS_SQL = (
    "ALTER TABLE discharges_episodegroupobjectpermission ALTER COLUMN group_id SET STATISTICS {}"
)
ACTIVE_INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {ACTIVE_INDEX} ON discharges_episode (admitted_at, id) "
    "WHERE status IN ('registered', 'planning', 'ready')"
)
# Set on the list's queryset when it is unfiltered, read by CountingPaginator.
SCOPE_COUNT = "_svu_scope_count"


def view_permission_id(user: AbstractBaseUser) -> int:
    """The id of discharges.view_episode, looked up once per request (cached on the user)."""
    cached = getattr(user, "_svu_view_permission_id", None)
    if cached is None:
        cached = Permission.objects.get(
            content_type=ContentType.objects.get_for_model(Episode), codename="view_episode"
        ).pk
        user._svu_view_permission_id = cached  # type: ignore[attr-defined]
    return cached


def view_grants(user: AbstractBaseUser) -> QuerySet[EpisodeGroupObjectPermission]:
    """The view grants of the user's organisations' groups."""
    group_ids = sorted({m.organisation.group_id for m in selectors.memberships_of(user)})
    return EpisodeGroupObjectPermission.objects.filter(
        group_id__in=group_ids, permission_id=view_permission_id(user)
    )


def visible_episodes(user: AbstractBaseUser) -> QuerySet[Episode]:
    if not user.is_authenticated:
        return Episode.objects.none()
    return Episode.objects.filter(pk__in=view_grants(user).values("content_object_id"))


def unfiltered_count(user: AbstractBaseUser) -> int:
    """The number of episodes in scope, from the grant index only."""
    return view_grants(user).values("content_object_id").distinct().count()


def episode_list(
    user: AbstractBaseUser, *, status: str | None = None, query: str = ""
) -> QuerySet[Episode]:
    qs = (
        visible_episodes(user)
        .select_related("patient", "ward", "kommun")
        .prefetch_related("ward__hospital", "health_centre")
    )
    filtered = bool(query)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
        filtered = True
    elif status in EpisodeStatus.values:
        qs = qs.filter(status=status)
        filtered = True
    if query:
        qs = qs.filter(Q(patient__name__icontains=query) | Q(external_id=query))
    qs = qs.order_by("-admitted_at", "-id")
    if not filtered:
        setattr(qs, SCOPE_COUNT, lambda: unfiltered_count(user))
    return qs


class CountingPaginator(Paginator):
    """Counts an unfiltered scoped list from the grants (any further filter clones the
    queryset, which drops the attribute, and the count is then the usual COUNT(*))."""

    @cached_property
    def count(self) -> int:
        scope_count: Callable[[], int] | None = getattr(self.object_list, SCOPE_COUNT, None)
        return scope_count() if scope_count is not None else super().count


@contextmanager
def applied() -> Iterator[None]:
    """Patch the selectors and paginators (this process only), create the index and raise
    the statistics target (benchmark database only); undo all of it afterwards."""
    from rest_framework.pagination import PageNumberPagination

    from discharges import views

    patched: list[tuple[Any, str, Any]] = [
        (selectors, "visible_episodes", visible_episodes),
        (selectors, "episode_list", episode_list),
        (views, "Paginator", CountingPaginator),
        (PageNumberPagination, "django_paginator_class", CountingPaginator),
    ]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patched]
    with connection.cursor() as cursor:
        cursor.execute(ACTIVE_INDEX_SQL)
        cursor.execute("ANALYZE discharges_episode")
        cursor.execute(GRANT_STATISTICS_SQL.format(1000))
        cursor.execute("ANALYZE discharges_episodegroupobjectpermission")
    no_parallel_workers(connection)
    connection_created.connect(no_parallel_workers)
    for owner, name, value in patched:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in originals:
            setattr(owner, name, value)
        connection_created.disconnect(no_parallel_workers)
        with connection.cursor() as cursor:
            cursor.execute("RESET max_parallel_workers_per_gather")
            cursor.execute(f"DROP INDEX IF EXISTS {ACTIVE_INDEX}")
            cursor.execute("ANALYZE discharges_episode")
            cursor.execute(GRANT_STATISTICS_SQL.format(-1))
            cursor.execute("ANALYZE discharges_episodegroupobjectpermission")


def no_parallel_workers(connection: BaseDatabaseWrapper, **kwargs: object) -> None:
    """What DATABASES["default"]["OPTIONS"]["options"] = "-c max_parallel_workers_per_gather=0"
    would do for every connection of the web processes."""
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
