"""The benchmark's own PostgreSQL database: created, checked and dropped outside Django.

The benchmark never touches the development or test databases: it works in ``svu_bench`` on
127.0.0.1:5432 (user postgres) unless ``BENCH_DATABASE_URL`` names another one. Whether the
data is already there is decided before Django starts, so a re-run with the same size skips
the generation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/svu_bench"
META_TABLE = "bench_meta"
# Bump when the generator changes what it writes: older databases are then regenerated.
GENERATOR_VERSION = "4"  # 4: consent per episode (3: words from demo/vocabulary.py)


@dataclass(frozen=True)
class BenchDatabase:
    url: str

    @property
    def name(self) -> str:
        return unquote(urlsplit(self.url).path.lstrip("/"))

    def _conninfo(self, dbname: str) -> dict[str, str | int]:
        parts = urlsplit(self.url)
        info: dict[str, str | int] = {"dbname": dbname}
        if parts.hostname:
            info["host"] = parts.hostname
        if parts.port:
            info["port"] = parts.port
        if parts.username:
            info["user"] = unquote(parts.username)
        if parts.password:
            info["password"] = unquote(parts.password)
        return info

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(**self._conninfo(dbname or self.name), autocommit=True)

    def exists(self) -> bool:
        with self.connect("postgres") as conn:
            row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [self.name])
            return row.fetchone() is not None

    def create(self) -> None:
        with self.connect("postgres") as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))

    def drop(self) -> None:
        with self.connect("postgres") as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    def generated_episodes(self) -> int | None:
        """How many episodes a completed generation left here (None: none completed)."""
        if not self.exists():
            return None
        with self.connect() as conn:
            found = conn.execute("SELECT to_regclass(%s)", [META_TABLE]).fetchone()
            if found is None or found[0] is None:
                return None
            rows = dict(conn.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())  # noqa: S608
        if rows.get("generator_version") != GENERATOR_VERSION or "episodes" not in rows:
            return None
        return int(rows["episodes"])

    def prepare(self, episodes: int, *, regenerate: bool) -> bool:
        """Make sure the database exists; returns True when the data must be generated.

        A database holding another number of episodes, an unfinished generation or an older
        generator's data is dropped and created anew.
        """
        have = self.generated_episodes()
        if have == episodes and not regenerate:
            return False
        if self.exists():
            self.drop()
        self.create()
        return True


def bench_database() -> BenchDatabase:
    return BenchDatabase(os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
