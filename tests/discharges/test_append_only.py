"""The append-only logs refuse change and deletion in Python and in the database.

EpisodeEvent, ConsentRecord, Receipt and AccessLogEntry: the model and its queryset raise
AppendOnlyError; raw SQL hits the triggers of migration 0003 (PostgreSQL refuses UPDATE and
DELETE, SQLite refuses UPDATE only: its DELETE stays for Django's test flush).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Model

from discharges import access_log, services
from discharges.models import (
    AccessAction,
    AccessLogEntry,
    AppendOnlyError,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EventKind,
    Patient,
    Receipt,
)
from tests.conftest import Personas


@dataclass(frozen=True)
class Log:
    model: type[Model]
    column: str  # a column to try to change, and a value it does not hold
    value: object

    def __str__(self) -> str:
        return self.model.__name__


# Receipt has no free-text column: try to move it to another organisation (the ward's).
OTHER_ORGANISATION = object()

LOGS = [
    Log(EpisodeEvent, "kind", EventKind.CLOSED),
    Log(ConsentRecord, "note", "ändrad"),
    Log(Receipt, "organisation_id", OTHER_ORGANISATION),
    Log(AccessLogEntry, "detail", "ändrad"),
]


def new_value(log: Log, row: Model) -> object:
    if log.value is OTHER_ORGANISATION:
        assert isinstance(row, Receipt)
        return row.event.organisation_id
    return log.value


@pytest.fixture
def rows(
    episode: Episode,
    patient: Patient,
    personas: Personas,
    advance: Callable[..., Episode],
) -> dict[type[Model], Model]:
    """One stored row of each log, created through the services and selectors."""
    advance(episode, "noticed")
    notice = EpisodeEvent.objects.get(episode=episode, kind=EventKind.ADMISSION_NOTICE)
    receipt = services.acknowledge_receipt(actor=personas.kommun_actor, event=notice)
    consent = services.record_consent(actor=personas.ward_actor, episode=episode, note="Muntligt")
    access_log.log_access(personas.ward_nurse, [episode], AccessAction.VIEW)
    access = AccessLogEntry.objects.get(episode=episode)
    # A fresh event with no receipt, so that a database DELETE is refused by the trigger
    # alone and not by a foreign key.
    event = EpisodeEvent.objects.filter(episode=episode).order_by("seq").first()
    assert event is not None
    return {EpisodeEvent: event, ConsentRecord: consent, Receipt: receipt, AccessLogEntry: access}


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_to_save_a_stored_row_again(log: Log, rows: dict[type[Model], Model]) -> None:
    row = log.model.objects.get(pk=rows[log.model].pk)
    value = new_value(log, row)
    setattr(row, log.column, value)
    with pytest.raises(AppendOnlyError):
        row.save()
    assert getattr(log.model.objects.get(pk=row.pk), log.column) != value


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_to_delete_a_row(log: Log, rows: dict[type[Model], Model]) -> None:
    row = rows[log.model]
    with pytest.raises(AppendOnlyError):
        row.delete()
    assert log.model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_a_queryset_update(log: Log, rows: dict[type[Model], Model]) -> None:
    row = rows[log.model]
    value = new_value(log, row)
    with pytest.raises(AppendOnlyError):
        log.model.objects.filter(pk=row.pk).update(**{log.column: value})
    with pytest.raises(AppendOnlyError):
        log.model.objects.all().update(**{log.column: value})
    assert getattr(log.model.objects.get(pk=row.pk), log.column) != value


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_a_queryset_delete(log: Log, rows: dict[type[Model], Model]) -> None:
    count = log.model.objects.count()
    with pytest.raises(AppendOnlyError):
        log.model.objects.filter(pk=rows[log.model].pk).delete()
    with pytest.raises(AppendOnlyError):
        log.model.objects.all().delete()
    assert log.model.objects.count() == count


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_a_bulk_update(log: Log, rows: dict[type[Model], Model]) -> None:
    row = log.model.objects.get(pk=rows[log.model].pk)
    value = new_value(log, row)
    setattr(row, log.column, value)
    field = log.model._meta.get_field(log.column.removesuffix("_id"))
    # bulk_update opens an atomic block without savepoint: keep the test's transaction usable.
    with pytest.raises(AppendOnlyError), transaction.atomic():
        log.model.objects.bulk_update([row], [field.name])
    assert getattr(log.model.objects.get(pk=row.pk), log.column) != value


def test_it_refuses_a_delete_through_the_related_manager(
    episode: Episode, rows: dict[type[Model], Model]
) -> None:
    count = episode.events.count()
    with pytest.raises(AppendOnlyError):
        episode.events.all().delete()
    assert episode.events.count() == count


def run_sql(sql: str, params: list[object]) -> None:
    # A savepoint, so that the test's own transaction stays usable after the error.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_a_raw_sql_update_in_the_database(
    log: Log, rows: dict[type[Model], Model]
) -> None:
    row = rows[log.model]
    value = new_value(log, row)
    table = log.model._meta.db_table
    sql = f"UPDATE {table} SET {log.column} = %s WHERE id = %s"  # noqa: S608 - names from the model
    with pytest.raises(DatabaseError):
        run_sql(sql, [value, row.pk])
    assert getattr(log.model.objects.get(pk=row.pk), log.column) != value


@pytest.mark.parametrize("log", LOGS, ids=str)
def test_it_refuses_a_raw_sql_delete_in_the_database(
    log: Log, rows: dict[type[Model], Model]
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's trigger guards UPDATE only (migration 0003: the test flush deletes)")
    row = rows[log.model]
    table = log.model._meta.db_table
    sql = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608 - names from the model
    with pytest.raises(DatabaseError):
        run_sql(sql, [row.pk])
    assert log.model.objects.filter(pk=row.pk).exists()


def test_it_refuses_an_update_disguised_as_a_new_row_in_the_database(
    rows: dict[type[Model], Model],
) -> None:
    # A new instance carrying a stored primary key passes the model's guard (it is "adding"),
    # and Django's save() then tries an UPDATE: the trigger refuses it.
    stored = rows[EpisodeEvent]
    assert isinstance(stored, EpisodeEvent)
    impostor = EpisodeEvent(
        pk=stored.pk,
        episode_id=stored.episode_id,
        seq=stored.seq,
        kind=EventKind.CLOSED,
        author_id=stored.author_id,
        organisation_id=stored.organisation_id,
        occurred_at=stored.occurred_at,
        recorded_at=stored.recorded_at,
        data={},
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        impostor.save()
    assert EpisodeEvent.objects.get(pk=stored.pk).kind == stored.kind


def test_it_still_appends_new_rows(rows: dict[type[Model], Model], personas: Personas) -> None:
    episode = Episode.objects.get(pk=rows[EpisodeEvent].episode_id)
    before = AccessLogEntry.objects.count()
    access_log.log_access(personas.ward_nurse, [episode, episode], AccessAction.LIST)
    assert AccessLogEntry.objects.count() == before + 2
