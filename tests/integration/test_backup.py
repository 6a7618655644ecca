"""Backup and restore (issue 13, point 5; docs/operations.md, "Backup"): a seeded database is
dumped with ``pg_dump -Fc``, restored with ``pg_restore`` into a fresh database, and every
episode, event, statistic and access-log row is found there; ``verify_access_log`` passes on
the restored copy, and fails on it once a row is changed (so the check is real there too).

PostgreSQL only (its client tools); skipped elsewhere outside CI, a failure in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from analysis.statistics import compute_statistics
from discharges.access_log import log_access
from discharges.models import AccessAction, Episode
from tests.conftest import Personas
from tests.csvfiles import import_rows, stay
from tests.engines import IN_CI, ON_POSTGRESQL

ROOT = Path(__file__).resolve().parents[2]
TOOLS = [shutil.which(tool) for tool in ("pg_dump", "pg_restore", "createdb", "dropdb")]
PROBLEM = (
    None
    if ON_POSTGRESQL and all(TOOLS)
    else "needs PostgreSQL (DATABASE_URL) and its client tools (pg_dump, pg_restore)"
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(PROBLEM is not None and not IN_CI, reason=str(PROBLEM)),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What must come back, table by table: the columns that identify and describe each row.
TABLES = {
    "discharges_episode": "id, patient_id, status, version, ready_date, discharge_date",
    "discharges_episodeevent": "id, episode_id, seq, kind, occurred_at, data::text",
    "analysis_monthlystatistic": "kommun_id, care_type, month, episodes, ready_days",
    # Restored as dumped, not counted again by its triggers (created after the rows).
    "discharges_kommunmonthfigures": "kommun_id, care_type, month, episodes, ready_days",
    "discharges_accesslogentry": "id, seq, user_id, episode_id, action, at, chain_hash",
    "discharges_accessloghead": "seq, chain_hash",
    "discharges_accesslogcheck": "id, ok, seq, chain_hash",
}


def _connection_args(name: str) -> dict[str, Any]:
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": int(db["PORT"] or 5432),
        "user": db["USER"],
        "dbname": name,
    }


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    args_ = _connection_args(connection.settings_dict["NAME"])
    command = [args[0], "-h", args_["host"], "-p", str(args_["port"]), "-U", args_["user"]]
    return subprocess.run(  # noqa: S603 (PostgreSQL's client tools, fixed arguments)
        [*command, *args[1:]], capture_output=True, text=True, timeout=300, check=True
    )


def _rows(name: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(**_connection_args(name)) as conn:
        return {
            table: sorted(conn.execute(f"SELECT {columns} FROM {table}").fetchall())  # noqa: S608
            for table, columns in TABLES.items()
        }


@pytest.fixture
def restored_name() -> Iterator[str]:
    if PROBLEM is not None:
        pytest.fail(f"CI must run the backup test: {PROBLEM}")
    name = f"svu_restore_{uuid.uuid4().hex[:10]}"
    try:
        yield name
    finally:
        _tool("dropdb", "--if-exists", name)


@pytest.fixture
def seeded(
    personas: Personas,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
    tmp_path: Path,
) -> None:
    """Episodes through the services and an imported history, their statistics, reads in the
    access log and an intact check of its chain."""
    for state in ("registered", "noticed", "ready", "sip_invited", "discharged", "closed"):
        episode = advance(make_episode(), state)
        log_access(personas.ward_nurse, [episode], AccessAction.VIEW)
    import_rows(
        tmp_path,
        [
            stay("B1", 1, date(2026, 3, 10), date(2026, 3, 14)),
            stay("B2", 2, date(2026, 4, 2), date(2026, 4, 2), kommun="2482"),
        ],
    )
    assert compute_statistics() > 0
    log_access(personas.kommun_planner, list(Episode.objects.all()), AccessAction.LIST)
    call_command("verify_access_log", stdout=open(os.devnull, "w"))  # noqa: SIM115


def _verify_on(name: str) -> subprocess.CompletedProcess[str]:
    args = _connection_args(name)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="svu.settings",
        DATABASE_URL=f"postgres://{args['user']}@{args['host']}:{args['port']}/{name}",
        SECRET_KEY=settings.SECRET_KEY,
        SVU_ACCESS_LOG_KEY=settings.SVU_ACCESS_LOG_KEY,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "verify_access_log", "--no-record"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_dump_restores_every_row_and_the_access_log_still_verifies(
    seeded: None, restored_name: str, tmp_path: Path
) -> None:
    source = connection.settings_dict["NAME"]
    before = _rows(source)
    assert all(before[table] for table in TABLES), {t: len(r) for t, r in before.items()}

    dump = tmp_path / "svu.dump"
    _tool("pg_dump", "-Fc", "--file", str(dump), source)  # as docs/operations.md says
    _tool("createdb", restored_name)
    _tool("pg_restore", "--no-owner", "--exit-on-error", "--dbname", restored_name, str(dump))

    assert _rows(restored_name) == before
    done = _verify_on(restored_name)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = len(before["discharges_accesslogentry"])
    assert f"access log intact: {rows} rows" in done.stdout

    # The restored copy keeps the guard and the chain: a changed row is refused, and one changed
    # past the trigger is caught.
    with psycopg.connect(**_connection_args(restored_name), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException):
            conn.execute("UPDATE discharges_accesslogentry SET detail = 'x'")
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE discharges_accesslogentry SET detail = 'x' WHERE seq = 2")
    broken = _verify_on(restored_name)
    assert broken.returncode == 1
    assert "(number 2) was altered" in broken.stderr
