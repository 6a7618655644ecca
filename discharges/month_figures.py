"""R2's figures per kommun, care type and month of discharge, kept by the database.

The liability pages and reports need R4's states, so R2's figures for every month since the
agreement's first month: for a big kommun five years of episodes (175,000 for Stockholm at the
national size), counted on every view of a month page (150 to 170 ms; issue 15). This table
holds those counts instead, one row per kommun, care type and month:

    episodes        discharged episodes with a ready date (R2's population)
    ready_days      the sum of their ready days
    episodes_3plus  those with at least 3

It is written by triggers on the episode table only, never by the application, so every write
of the projection keeps it current in the same transaction whatever wrote it: the recording
services, the import's COPY and bulk updates, the benchmark's SQL, a deletion. On PostgreSQL
one trigger per statement sums the statement's changed rows (its transition tables) and adds
the difference, so an import of 100,000 rows costs one GROUP BY, and a save that changes none
of the counted columns writes nothing. The triggers are ENABLE ALWAYS: they fire also where a
bulk load turns the foreign-key triggers off (``session_replication_role = replica``). On
SQLite (development) row triggers do the same, row by row.

Concurrency: a statement's trigger locks the rows it changes in one order (kommun, month, care
type) until its transaction ends, so writers of the same kommun-month take turns (a
discharge waits for a running import of that kommun's episodes to commit). A service's write
is one statement after its episode's row lock; the import locks every stored episode it
updates before its first write. Two imports running at once over the same kommun-months,
each in several statements, can still wait for each other; PostgreSQL then refuses one with a
deadlock error, the import fails whole (nothing stored) and can be run again.

``rebuild()`` recomputes the table from the episodes (the migration that creates it, or an
operator who suspects it). ``check()`` compares the two and names what differs;
``tests/discharges/test_month_figures.py`` holds them equal after every kind of write.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

TABLE = "discharges_kommunmonthfigures"
EPISODES = "discharges_episode"
COUNTS = ("episodes", "ready_days", "episodes_3plus")
_COLUMNS = "kommun_id, care_type, month, " + ", ".join(COUNTS)


class KommunMonthFigures(models.Model):
    """R2's counts of one kommun, care type and month of discharge (written by triggers)."""

    kommun = models.ForeignKey(
        "discharges.Kommun", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    care_type = models.CharField(_("care type"), max_length=20)
    month = models.DateField(_("month"))
    episodes = models.IntegerField(_("episodes"))
    ready_days = models.BigIntegerField(_("ready days"))
    episodes_3plus = models.IntegerField(_("episodes with 3 or more ready days"))

    class Meta:
        app_label = "discharges"
        verbose_name = _("month's figures (R2)")
        verbose_name_plural = _("months' figures (R2)")
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "month", "care_type"], name="kommun_month_figures_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommun_id} {self.care_type} {self.month:%Y-%m}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("the month figures are written by the database's triggers only")


Counts = dict[tuple[int, str, date], tuple[int, int, int]]


def counts(kommun_ids: Iterable[int], first: date, last: date) -> Counts:
    """The stored counts (episodes, ready days, episodes with 3+) of the kommuner's months
    ``first``..``last`` (first days of months), by (kommun id, care type, month). Months
    without an episode have no entry."""
    return _read(
        KommunMonthFigures.objects.filter(
            kommun_id__in=list(kommun_ids), month__gte=first, month__lte=last
        )
    )


def stored() -> Counts:
    """Every stored count, as ``counts``."""
    return _read(KommunMonthFigures.objects.all())


def _read(rows: models.QuerySet[KommunMonthFigures]) -> Counts:
    return {
        (kommun_id, care_type, month): (episodes, ready_days, three_plus)
        for kommun_id, care_type, month, episodes, ready_days, three_plus in (
            rows.exclude(episodes=0).values_list("kommun_id", "care_type", "month", *COUNTS)
        )
    }


def computed() -> Counts:
    """The counts computed from the episodes now (what the table must hold)."""
    from discharges.aggregates import grouped_counts  # the projection's GROUP BY

    return {
        (row["group_kommun"], row["care_type"], row["month"]): tuple(
            row[f"n_{name}"] for name in COUNTS
        )
        for row in grouped_counts(names=COUNTS)
    }


def check() -> list[str]:
    """What differs between the table and the episodes, one text per kommun-month (none when
    they agree)."""
    want, have = computed(), stored()
    return [
        f"kommun {key[0]} {key[1]} {key[2]:%Y-%m}: stored {have.get(key)}, episodes {want.get(key)}"
        for key in sorted(want.keys() | have.keys())
        if want.get(key) != have.get(key)
    ]


def rebuild(using: Any = None) -> int:
    """Recompute the whole table from the episodes, in one transaction; returns its rows.
    ``using`` is a migration's schema editor (or none: the default connection)."""
    conn = using.connection if using is not None else connection
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(
            f"INSERT INTO {TABLE} ({_COLUMNS}) "
            f"SELECT kommun_id, care_type, {_month_of(conn.vendor, 'discharge_date')}, "
            "count(*), coalesce(sum(ready_days), 0), count(*) FILTER (WHERE ready_days >= 3) "
            f"FROM {EPISODES} WHERE discharge_date IS NOT NULL AND ready_date IS NOT NULL "
            "GROUP BY 1, 2, 3"
        )
        return cursor.rowcount


def _month_of(vendor: str, column: str) -> str:
    if vendor == "postgresql":
        return f"date_trunc('month', {column})::date"
    return f"substr({column}, 1, 8) || '01'"  # SQLite keeps dates as YYYY-MM-DD


# The triggers (created by migration 0024 with ``install``).


def _postgresql_change(*sources: tuple[str, int]) -> str:
    """Add to the table the counts of ``sources`` (transition table, sign): the rows a
    statement wrote count +1, the rows it replaced or deleted -1; groups whose counts did not
    change are not written (a save that changes no counted column writes nothing)."""
    counted = " UNION ALL ".join(
        f"SELECT kommun_id, care_type, {_month_of('postgresql', 'discharge_date')} AS month, "
        f"{sign} AS sign, ready_days FROM {table} "
        "WHERE discharge_date IS NOT NULL AND ready_date IS NOT NULL"
        for table, sign in sources
    )
    episodes = "sum(sign)"
    days = "coalesce(sum(sign * ready_days), 0)"
    three_plus = "coalesce(sum(sign) FILTER (WHERE ready_days >= 3), 0)"
    return f"""
        INSERT INTO {TABLE} AS f ({_COLUMNS})
        SELECT kommun_id, care_type, month, {episodes}, {days}, {three_plus}
        FROM ({counted}) AS change
        GROUP BY 1, 2, 3
        HAVING {episodes} <> 0 OR {days} <> 0 OR {three_plus} <> 0
        ORDER BY 1, 3, 2
        ON CONFLICT (kommun_id, month, care_type) DO UPDATE SET
            episodes = f.episodes + EXCLUDED.episodes,
            ready_days = f.ready_days + EXCLUDED.ready_days,
            episodes_3plus = f.episodes_3plus + EXCLUDED.episodes_3plus;
    """


# One function for the four triggers; each branch reads only the transition tables its event has.
_POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION svu_kommun_month_figures() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM {TABLE};
    ELSIF TG_OP = 'INSERT' THEN
        {_postgresql_change(("svu_new", 1))}
    ELSIF TG_OP = 'UPDATE' THEN
        {_postgresql_change(("svu_old", -1), ("svu_new", 1))}
    ELSE
        {_postgresql_change(("svu_old", -1))}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# (trigger, its event, its transition tables): a trigger with transition tables has one event.
_POSTGRESQL_TRIGGERS = (
    ("svu_month_figures_insert", "INSERT", "REFERENCING NEW TABLE AS svu_new FOR EACH STATEMENT"),
    (
        "svu_month_figures_update",
        "UPDATE",
        "REFERENCING OLD TABLE AS svu_old NEW TABLE AS svu_new FOR EACH STATEMENT",
    ),
    ("svu_month_figures_delete", "DELETE", "REFERENCING OLD TABLE AS svu_old FOR EACH STATEMENT"),
    ("svu_month_figures_truncate", "TRUNCATE", "FOR EACH STATEMENT"),
)


def _sqlite_add(row: str) -> str:
    return f"""
    INSERT INTO {TABLE} ({_COLUMNS})
    SELECT {row}.kommun_id, {row}.care_type, {_month_of("sqlite", row + ".discharge_date")},
           1, coalesce({row}.ready_days, 0), coalesce({row}.ready_days >= 3, 0)
    WHERE {row}.discharge_date IS NOT NULL AND {row}.ready_date IS NOT NULL
    ON CONFLICT (kommun_id, month, care_type) DO UPDATE SET
        episodes = episodes + excluded.episodes,
        ready_days = ready_days + excluded.ready_days,
        episodes_3plus = episodes_3plus + excluded.episodes_3plus;
    """


_SQLITE_SUBTRACT = f"""
    UPDATE {TABLE} SET
        episodes = episodes - 1,
        ready_days = ready_days - coalesce(OLD.ready_days, 0),
        episodes_3plus = episodes_3plus - coalesce(OLD.ready_days >= 3, 0)
    WHERE OLD.discharge_date IS NOT NULL AND OLD.ready_date IS NOT NULL
      AND kommun_id = OLD.kommun_id AND care_type = OLD.care_type
      AND month = {_month_of("sqlite", "OLD.discharge_date")};
"""

_COUNTED = "discharge_date, ready_date, ready_days, care_type, kommun_id"
_SQLITE_TRIGGERS = (
    ("svu_month_figures_insert", "INSERT", _sqlite_add("NEW")),
    ("svu_month_figures_update", f"UPDATE OF {_COUNTED}", _SQLITE_SUBTRACT + _sqlite_add("NEW")),
    ("svu_month_figures_delete", "DELETE", _SQLITE_SUBTRACT),
)


def install(schema_editor: Any) -> None:
    """Create the triggers (a migration's forward step)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL_FUNCTION.replace("%", "%%"))
        for name, event, clause in _POSTGRESQL_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {EPISODES} {clause} "
                f"EXECUTE FUNCTION svu_kommun_month_figures()"
            )
            schema_editor.execute(f"ALTER TABLE {EPISODES} ENABLE ALWAYS TRIGGER {name}")
    elif vendor == "sqlite":
        for name, event, body in _SQLITE_TRIGGERS:
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {EPISODES} FOR EACH ROW BEGIN {body} END"
            )
    else:  # the table would silently go stale
        raise NotImplementedError(f"month figures' triggers for {vendor}")


def uninstall(schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    names = [name for name, _event, _clause in _POSTGRESQL_TRIGGERS]
    for name in names:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {EPISODES}")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    if vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS svu_kommun_month_figures()")
