"""What an import has seen so far in its file, kept on disk so that memory does not grow with
the file: the row of each episode id (a second row with the same id is an error) and the key
given to each new patient (a patient's later stays refer to it).

A temporary SQLite database of the standard library, private to the import and deleted when
it ends: a dictionary of a million ids would hold some 150 MB in memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


class Seen:
    def __init__(self) -> None:
        # "": a temporary database on disk, removed when closed; its page cache is bounded.
        self.db = sqlite3.connect("", isolation_level=None)
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -16000;
            CREATE TABLE episode (key TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID;
            CREATE TABLE patient (key TEXT PRIMARY KEY, id INTEGER) WITHOUT ROWID;
            """
        )

    def close(self) -> None:
        self.db.close()

    def _lookup(self, table: str, keys: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            marks = ",".join("?" * len(part))
            found.update(
                self.db.execute(
                    f"SELECT key, {'row' if table == 'episode' else 'id'} "  # noqa: S608 (fixed names)
                    f"FROM {table} WHERE key IN ({marks})",
                    part,
                ).fetchall()
            )
        return found

    def _add(self, table: str, pairs: Iterable[tuple[str, int]]) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO {table} VALUES (?, ?)", pairs)  # noqa: S608
        self.db.execute("COMMIT")

    def episode_rows(self, ids: list[str]) -> dict[str, int]:
        """The row on which each of ``ids`` seen before appeared."""
        return self._lookup("episode", ids)

    def add_episodes(self, pairs: Iterable[tuple[str, int]]) -> None:
        self._add("episode", pairs)

    def patient_ids(self, numbers: list[str]) -> dict[str, int]:
        """The key given to each of ``numbers`` created earlier in the file."""
        return self._lookup("patient", numbers)

    def add_patients(self, pairs: Iterable[tuple[str, int]]) -> None:
        self._add("patient", pairs)
