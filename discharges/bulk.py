"""Bulk writes: PostgreSQL's COPY where available, bulk_create elsewhere.

Used by the import (``services.batch.write_rows``, after every row of the file has passed the
same checks as a page write) and the access log: plain rows, no model instances. The import's
first pass encodes its rows for COPY (``encode_rows``); its second pass sends them
(``insert_tuples``), the foreign keys checked per batch (``_copy_encoded``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models
from django.db.models.base import ModelState
from psycopg.copy import Copy, FileWriter

M = TypeVar("M", bound=models.Model)


def new_instance(model: type[M], **values: Any) -> M:
    """An unsaved instance with ``values`` (by attname) and every other field's default.

    Equivalent to ``model(**values)`` for concrete fields, without the per-field work of
    Model.__init__, which dominates when an import builds hundreds of thousands of events.
    """
    static, dynamic = _defaults(model)
    obj = model.__new__(model)
    attrs = obj.__dict__
    attrs.update(static)
    for attname, field in dynamic:
        if attname not in values:
            attrs[attname] = field.get_default()
    attrs.update(values)
    attrs["_state"] = ModelState()
    return obj


@cache
def _defaults(model: type[models.Model]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """Per model: the constant defaults, and the fields whose default is computed per call."""
    static: dict[str, Any] = {}
    dynamic: list[tuple[str, Any]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            dynamic.append((field.attname, field))
        else:
            static[field.attname] = field.get_default()
    return static, dynamic


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys from the table's sequence (PostgreSQL)."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]] | bytes) -> None:
    """COPY plain tuples, or rows already in COPY's text format (``encode_rows``), into
    ``table`` (PostgreSQL only)."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
        ) as copy,
    ):
        if isinstance(rows, bytes):
            copy.write(rows)
            return
        for row in rows:
            copy.write_row(row)


@dataclass(frozen=True)
class Encoded:
    """Rows of one table in COPY's text format (``encode_rows``), with the keys they refer to:
    (referenced table, its column, the distinct values)."""

    data: bytes
    references: tuple[tuple[str, str, frozenset[Any]], ...]

    def written_before(self, model: type[models.Model], keys: frozenset[Any]) -> Encoded:
        """The same rows, their references to ``keys`` of ``model`` not checked: rows this
        transaction writes before these (an import's new episodes: ~1 s of locking per
        100,000 rows, of rows nobody else can see yet)."""
        table = model._meta.db_table
        return Encoded(
            self.data,
            tuple(
                (target, column, values - keys if target == table else values)
                for target, column, values in self.references
            ),
        )


# Rows of one table: tuples of field values, or (PostgreSQL) those rows encoded for COPY.
Rows = list[tuple[Any, ...]] | Encoded


def encode_rows(
    model: type[models.Model], attnames: Sequence[str], rows: list[tuple[Any, ...]]
) -> Rows:
    """``rows`` as PostgreSQL's COPY reads them (text format), formatted by psycopg as
    ``copy_rows`` would send them but without a server, to be written later by
    ``insert_tuples`` without building them again; elsewhere the rows unchanged."""
    if not _is_postgresql() or not rows:
        return rows
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_at = [i for i, a in enumerate(attnames) if isinstance(fields[a], models.JSONField)]
    cells: Iterable[Sequence[Any]] = [_dumped(row, json_at) for row in rows] if json_at else rows
    buffer = io.BytesIO()
    with connection.cursor() as cursor, Copy(cursor.cursor, writer=FileWriter(buffer)) as copy:
        for row in cells:
            copy.write_row(row)
    references = []
    for i, attname in enumerate(attnames):
        field = fields[attname]
        if isinstance(field, models.ForeignKey):
            values = frozenset(row[i] for row in rows) - {None}
            target = field.target_field
            references.append((target.model._meta.db_table, str(target.column), values))
    return Encoded(buffer.getvalue(), tuple(references))


def insert_tuples(model: type[models.Model], attnames: Sequence[str], rows: Rows) -> None:
    """Insert rows given as tuples of field values (``attnames``; no model instances), or as
    ``encode_rows`` made them (``_copy_encoded``). A field left out takes its database default
    (e.g. the primary key from its sequence)."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    if isinstance(rows, Encoded):
        _copy_encoded(model._meta.db_table, [str(fields[a].column) for a in attnames], rows)
        return
    if _is_postgresql():
        json_at = [i for i, a in enumerate(attnames) if isinstance(fields[a], models.JSONField)]
        if json_at:
            rows = [_dumped(row, json_at) for row in rows]  # type: ignore[misc]
        copy_rows(model._meta.db_table, [str(fields[a].column) for a in attnames], rows)
        return
    model._default_manager.bulk_create(
        [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=500
    )


# One encoder for every JSON cell: ``json.dumps(cls=...)`` builds a new one per call, which
# was a third of the import's second pass.
_JSON = DjangoJSONEncoder()


def _dumped(row: tuple[Any, ...], json_at: list[int]) -> list[Any]:
    cells = list(row)
    for i in json_at:
        cells[i] = json_text(cells[i])
    return cells


def json_text(value: Any) -> str:
    """``value`` as JSON text for a JSON column: orjson for what JSON holds natively (ten
    times json's speed: the import dumps 600,000 events' data per 100,000 rows), Django's
    encoder for the rest (dates, times, Decimal: as the ORM's pages would store them)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_PASSTHROUGH_DATETIME).decode()
    except TypeError:  # a type orjson passes through or does not know (or a huge int)
        return _JSON.encode(value)


class Ids:
    """Primary keys handed out before their rows are written (the import checks a whole file
    before it writes, and its rows refer to each other): from the table's sequence on
    PostgreSQL; on SQLite, which has one writer at a time, counted on from the largest key
    (call inside the writing transaction)."""

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int) -> list[int]:
        if _is_postgresql():
            return allocate_ids(model, count)
        if model not in self._next:
            largest = model._default_manager.aggregate(largest=models.Max("pk"))["largest"]
            self._next[model] = (largest or 0) + 1
        start = self._next[model]
        self._next[model] = start + count
        return list(range(start, start + count))


def _copy_encoded(table: str, columns: list[str], rows: Encoded) -> None:
    """COPY encoded rows, their foreign keys checked as one query per key instead of a trigger
    per row and key.

    PostgreSQL checks a foreign key with a trigger per inserted row (an import of 100,000 rows
    fires some 4 million, half of its database time). Where the session may, the COPY runs
    with those triggers off (``session_replication_role = replica``, for this statement only:
    the tables written have no other insert trigger it turns off; the month figures' triggers
    fire always, ``discharges.month_figures``), and the rows it refers to are then
    locked as the triggers would lock them (``FOR KEY SHARE``: none can be deleted or its key
    changed before the transaction ends) and counted: a key that refers to nothing raises
    IntegrityError, as the trigger would have, and the transaction is rolled back. Referenced
    rows must be written before the rows referring to them. Elsewhere the triggers run.
    """
    quick = _may_skip_triggers()
    with connection.cursor() as cursor:
        if quick:
            cursor.execute("SET LOCAL session_replication_role = replica")
        copy_rows(table, columns, rows.data)
        if not quick:
            return
        cursor.execute("SET LOCAL session_replication_role = origin")
        for target, column, values in rows.references:
            if not values:
                continue
            name, key = connection.ops.quote_name(target), connection.ops.quote_name(column)
            cursor.execute(
                f"SELECT {key} FROM {name} WHERE {key} = ANY(%s) FOR KEY SHARE",  # noqa: S608
                [list(values)],
            )
            missing = len(values) - len(cursor.fetchall())
            if missing:
                raise IntegrityError(
                    f"insert into {table} refers to {missing} row(s) missing from {target}"
                )


def _may_skip_triggers() -> bool:
    """Whether the session may set ``session_replication_role`` (a superuser, or granted
    ``SET`` on it, PostgreSQL 15 and later) and is inside a transaction to bound it to."""
    if connection.get_autocommit() or connection.pg_version < 150000:  # type: ignore[attr-defined]
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
        return bool(cursor.fetchone()[0])
