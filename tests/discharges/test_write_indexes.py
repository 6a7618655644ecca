"""The tables an import writes a row of per message carry only the indexes something reads
(migration 0023): every index is paid by every row written (issue 8). On PostgreSQL, the
database's own list."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.engines import postgresql_only

pytestmark = [
    pytest.mark.django_db,
    postgresql_only("PostgreSQL's catalogue"),
]


def indexed_columns(table: str, *, partial: bool = False) -> list[tuple[str, ...]]:
    """The column lists of the table's indexes, sorted (one entry per index): the full ones,
    or (``partial``) those over some rows only."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT array_agg(a.attname ORDER BY k.n) FROM pg_index i
               CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
               WHERE i.indrelid = %s::regclass AND (i.indpred IS NOT NULL) = %s
               GROUP BY i.indexrelid""",
            [table, partial],
        )
        return sorted(tuple(row[0]) for row in cursor.fetchall())


def test_the_event_log_has_its_key_and_episode_order_only() -> None:
    assert indexed_columns("discharges_episodeevent") == [("episode_id", "seq"), ("id",)]


def test_grants_have_their_key_the_unique_triple_and_the_episode() -> None:
    assert indexed_columns("discharges_episodegroupobjectpermission") == [
        ("content_object_id",),
        ("group_id", "permission_id", "content_object_id"),
        ("id",),
    ]


def test_episodes_have_no_index_on_the_kommun_alone_nor_a_like_index() -> None:
    columns = indexed_columns("discharges_episode")
    assert ("kommun_id",) not in columns
    assert ("kommun_id", "discharge_date", "care_type", "ready_days", "ready_date", "id") in columns
    assert columns.count(("external_id",)) == 1  # the unique constraint's, no LIKE index


def test_episodes_have_the_partial_indexes_of_the_active_ones_only() -> None:
    """Att göra's candidates: the few thousand active episodes, by their parties (few entries
    each: only active episodes are in them)."""
    assert indexed_columns("discharges_episode", partial=True) == [
        ("admitted_at", "id"),
        ("health_centre_id",),
        ("health_centre_id", "sip_follow_up_date"),
        ("kommun_id",),
        ("ward_id",),
    ]
