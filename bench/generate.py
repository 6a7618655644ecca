"""Generate a whole country's five years of SVU data in the benchmark database.

Organisations (a few thousand rows) are created with the ORM, so that the multi-table rows and
their groups are exactly what the application makes. Everything that scales with the number of
episodes is written by set-based SQL inside PostgreSQL (``INSERT ... SELECT`` over
``generate_series``): patients, episodes with their projection, the event log, the guardian
grants, receipts and consent records. Random draws come from a hash of (row, draw number), so a
given size always yields the same data.

The generated rows are what the services would have written: every episode's projection equals
``discharges.projection.replay`` of its events and its grants equal ``grants.audience``; a sample
of both is checked at the end.

The generator is split by stage: ``bench.country`` (organisations, staff, patients, the
benchmark's users), ``bench.plan`` (the episode plan), ``bench.rows`` (episodes, grants,
receipts, consent), ``bench.events`` (the event log), ``bench.verify`` (the sample check) and
``bench.sql`` (plumbing). This module runs them in order; ``bench/run.py`` calls ``generate``,
``migrations_since_analyze`` and ``vacuum_analyze``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from bench.country import create_bench_users, create_organisations, create_patients, create_staff
from bench.db import GENERATOR_VERSION, META_TABLE
from bench.events import insert_events
from bench.plan import create_plan
from bench.rows import insert_consent, insert_episodes, insert_grants, insert_receipts
from bench.sql import SQL_FUNCTIONS, execute, scalar, secondary_indexes_deferred, step
from bench.verify import verify
from discharges.models import Episode

PATIENTS_PER_EPISODE = 0.6

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
# The tables VACUUM ANALYZE after the load.
BIG_TABLES = (
    "discharges_patient",
    "discharges_episode",
    "discharges_episodeevent",
    "discharges_episodegroupobjectpermission",
    "discharges_receipt",
    "discharges_consentrecord",
    "auth_user",
    "auth_user_groups",
    "discharges_membership",
    "discharges_organisation",
)


ANALYZED_KEY = "analyzed_after"


def _applied_migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def vacuum_analyze() -> None:
    """VACUUM (ANALYZE) the generated tables: fresh statistics (with the statistics targets
    the migrations set) and visibility maps for index-only scans. Records the migrations they
    were analysed after (once the benchmark's metadata table exists)."""
    for table in BIG_TABLES:
        execute(f"VACUUM (ANALYZE) {table}")
    if scalar("SELECT to_regclass(%(t)s)", {"t": META_TABLE}) is not None:
        execute(
            f"INSERT INTO {META_TABLE} VALUES (%(k)s, %(v)s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            {"k": ANALYZED_KEY, "v": " ".join(_applied_migrations())},
        )


def migrations_since_analyze() -> list[str]:
    """Migrations applied since the generated tables were last analysed by the benchmark."""
    recorded = scalar(
        f"SELECT value FROM {META_TABLE} WHERE key = %(k)s",  # noqa: S608
        {"k": ANALYZED_KEY},
    )
    analysed = set(recorded.split()) if recorded else set()
    return [name for name in _applied_migrations() if name not in analysed]


def _print(message: str) -> None:
    print(message, flush=True)


def generate(episodes: int, log: Callable[[str], None] = _print) -> float:
    """Fill the (freshly migrated, empty) benchmark database. Returns the seconds it took."""
    assert not Episode.objects.exists(), "generate() expects an empty benchmark database"
    started = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    patients = max(1, round(episodes * PATIENTS_PER_EPISODE))
    log(f"Generating {episodes:,} episodes and {patients:,} patients (now = {now:%Y-%m-%d %H:%M})")
    execute(
        "SET work_mem = '1GB'; SET maintenance_work_mem = '1GB'; SET synchronous_commit = off;"
        "SET jit = off;"
    )
    execute(SQL_FUNCTIONS)
    with step("hospitals, wards, health centres (ORM)", log):
        orgs = create_organisations(log)
    national_wards = _organisation_tables(orgs)
    # Staff user ids are their organisation's id + this offset (no join needed for authors).
    user_offset: int = scalar("SELECT COALESCE(MAX(id), 0) FROM auth_user")
    _bulk_load(episodes, patients, now, orgs["kommuner"], national_wards, user_offset, log)
    _after_load(log)
    elapsed = time.perf_counter() - started
    _record_generation(episodes, now, elapsed)
    log(f"  {'total':<44} {elapsed:7.1f} s")
    # The measurements get a fresh session, without this one's work_mem, jit and temp objects.
    connection.close()
    return elapsed


def _organisation_tables(orgs: dict[str, Any]) -> list[int]:
    """Temporary tables of the wards by region and the health centres by kommun (weighted
    lists the plan and the patients pick from); returns all wards, weighted."""
    execute("CREATE TEMP TABLE bench_region_wards (region_id bigint PRIMARY KEY, wards bigint[])")
    for region_id, wards in orgs["wards_by_region"].items():
        execute(
            "INSERT INTO bench_region_wards VALUES (%(r)s, %(w)s::bigint[])",
            {"r": region_id, "w": wards},
        )
    execute("CREATE TEMP TABLE bench_kommun_hc (kommun_id bigint PRIMARY KEY, hcs bigint[])")
    for kommun_id, hcs in orgs["hcs_by_kommun"].items():
        execute(
            "INSERT INTO bench_kommun_hc VALUES (%(k)s, %(h)s::bigint[])",
            {"k": kommun_id, "h": hcs},
        )
    return [w for wards in orgs["wards_by_region"].values() for w in wards]


def _bulk_load(
    episodes: int,
    patients: int,
    now: datetime,
    kommuner: list[int],
    national_wards: list[int],
    user_offset: int,
    log: Callable[[str], None],
) -> None:
    """Staff, patients, the plan, episodes, events, grants, receipts and consent, with the
    loaded tables' secondary indexes built afterwards."""
    # Bulk load: skip the per-row foreign-key triggers (the rows are consistent by construction
    # and a sample is checked below; the unique constraints are checked when rebuilt); the
    # append-only triggers only guard UPDATE and DELETE.
    execute("SET session_replication_role = replica")
    try:
        with step("users, memberships, group members", log):
            create_staff(user_offset, now)
        with secondary_indexes_deferred(LOADED_TABLES, log):
            with step(f"{patients:,} patients", log):
                create_patients(patients, now, kommuner)
            with step("episode plan (temp table)", log):
                create_plan(episodes, patients, now, national_wards)
            with step(f"{episodes:,} episodes (projection)", log):
                insert_episodes(user_offset)
            with step("events", log):
                insert_events(now, user_offset)
            with step("guardian grants", log):
                insert_grants()
            with step("receipts", log):
                insert_receipts(now, user_offset)
            with step("consent records", log):
                insert_consent(now, user_offset)
    finally:
        execute("SET session_replication_role = DEFAULT")


def _after_load(log: Callable[[str], None]) -> None:
    """Drop the plan, set the sequences past the generated ids, analyse, add the benchmark's
    users and check a sample."""
    execute("DROP TABLE IF EXISTS bench_plan, bench_region_wards, bench_kommun_hc")
    with step("sequences", log):
        for table in ("auth_user", "discharges_patient", "discharges_episode"):
            execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT MAX(id) FROM {table}))"
            )
    with step("VACUUM ANALYZE", log):
        vacuum_analyze()
    with step("bench users (services.add_membership)", log):
        create_bench_users()
    with step("check a sample: replay, grants, personnummer", log):
        verify()


def _record_generation(episodes: int, now: datetime, elapsed: float) -> None:
    """The bench_meta rows that let a later run reuse this data (see bench/db.py)."""
    execute(f"CREATE TABLE {META_TABLE} (key text PRIMARY KEY, value text NOT NULL)")
    execute(
        f"INSERT INTO {META_TABLE} VALUES ('generator_version', %(v)s), ('episodes', %(n)s), "  # noqa: S608
        "('generated_at', %(at)s), ('seconds', %(s)s)",
        {"v": GENERATOR_VERSION, "n": str(episodes), "at": now.isoformat(), "s": f"{elapsed:.0f}"},
    )
    execute(
        f"INSERT INTO {META_TABLE} VALUES (%(k)s, %(v)s)",  # noqa: S608
        {"k": ANALYZED_KEY, "v": " ".join(_applied_migrations())},
    )
