"""The generator's SQL plumbing: statements on Django's connection, timed steps, the helper
functions created in the generating session, and index-deferred bulk loads."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection


def backend_cpu() -> float:
    """CPU seconds (user + system) of this connection's PostgreSQL backend so far, from /proc
    (the server runs on this machine; 0.0 when it does not)."""
    try:
        pid = scalar("SELECT pg_backend_pid()")
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def step(name: str, log: Callable[[str], None]) -> Iterator[None]:
    """Time a stage and print its wall time, the CPU time of this process and of the
    PostgreSQL backend doing the work, and the load average at its end (progress)."""
    started, cpu, db_cpu = time.perf_counter(), time.process_time(), backend_cpu()
    yield
    load = os.getloadavg()[0]
    log(
        f"  {name:<44} {time.perf_counter() - started:7.1f} s  (CPU: Python "
        f"{time.process_time() - cpu:6.1f} s, PostgreSQL {backend_cpu() - db_cpu:6.1f} s; "
        f"load {load:.1f})"
    )


def execute(sql: str, params: dict[str, Any] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def scalar(sql: str, params: dict[str, Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def fetchall(sql: str, params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- SQL helpers created in the generating session ------------------------------------------------

SQL_FUNCTIONS = """
CREATE OR REPLACE FUNCTION pg_temp.rnd(i bigint, k integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (hashint8extended(i, k) & 9007199254740991)::double precision / 9007199254740992.0
$$;
CREATE OR REPLACE FUNCTION pg_temp.luhn(digits text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((10 - sum(CASE WHEN p > 9 THEN p - 9 ELSE p END) % 10) % 10)::integer
    FROM (
        SELECT substr(digits, k, 1)::integer * (CASE WHEN k % 2 = 1 THEN 2 ELSE 1 END) AS p
        FROM generate_series(1, length(digits)) AS k
    ) AS products
$$;
CREATE OR REPLACE FUNCTION pg_temp.iso(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')
$$;
"""


# --- Bulk-load helpers ----------------------------------------------------------------------------

# The tables filled in bulk: their secondary indexes are built after the load, which is several
# times faster than maintaining them row by row (random inserts into indexes larger than
# shared_buffers).
LOADED_TABLES = (
    "discharges_patient",
    "discharges_episode",
    "discharges_episodeevent",
    "discharges_episodegroupobjectpermission",
    "discharges_receipt",
    "discharges_consentrecord",
)


@contextmanager
def secondary_indexes_deferred(
    tables: tuple[str, ...], log: Callable[[str], None]
) -> Iterator[None]:
    """Drop the non-primary-key indexes (and unique constraints) of ``tables``; recreate them
    exactly as they were, from their catalogued definitions, when the block ends."""
    recreate: list[str] = []
    for table in tables:
        rows = fetchall(
            """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid), con.conname,
                   pg_get_constraintdef(con.oid)
            FROM pg_index i
            JOIN pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_constraint con
              ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
             AND con.contype IN ('u', 'x')
            WHERE i.indrelid = %(table)s::regclass AND NOT i.indisprimary
            ORDER BY ic.relname
            """,
            {"table": table},
        )
        for index_name, index_def, constraint_name, constraint_def in rows:
            if constraint_name:
                execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint_name}"')
                recreate.append(
                    f'ALTER TABLE {table} ADD CONSTRAINT "{constraint_name}" {constraint_def}'
                )
            else:
                execute(f'DROP INDEX "{index_name}"')
                recreate.append(index_def)
    yield
    with step(f"{len(recreate)} secondary indexes rebuilt", log):
        for statement in recreate:
            execute(statement)
