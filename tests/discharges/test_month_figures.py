"""R2's figures kept per kommun-month by the database (``discharges.month_figures``; issue 15)
equal the figures counted from the episodes after every kind of write: the recording services,
the import's COPY and its updates of existing episodes, plain UPDATE and DELETE statements
(also with the foreign-key triggers off, as bulk loads run), and TRUNCATE. A write that
changes none of the counted columns leaves the table's rows untouched."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from discharges import month_figures
from discharges.models import Episode, Kommun, KommunMonthFigures
from tests.conftest import Personas
from tests.csvfiles import import_rows, run_command, stay
from tests.engines import ON_POSTGRESQL, postgresql_only

pytestmark = pytest.mark.django_db

KOMMUNER = ("2480", "2482", "2401", "2380")


def _stays(seed: int, count: int, *, prefix: str = "M") -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311 (test data)
    rows = []
    for i in range(count):
        ready = date(2026, 1, 5) + timedelta(days=rng.randint(0, 200))
        waited = rng.choice([0, 1, 2, 3, 4, 9, 30])
        rows.append(
            stay(
                f"{prefix}{seed}-{i:03d}",
                i,
                ready,
                # Some still in hospital: not counted until they leave.
                ready + timedelta(days=waited) if rng.random() > 0.15 else None,
                kommun=rng.choice(KOMMUNER),
                care_type=rng.choice(["somatik", "psykiatri"]),
            )
        )
    return rows


def _assert_kept() -> dict[tuple[int, str, date], tuple[int, int, int]]:
    assert month_figures.check() == []
    return month_figures.stored()


def test_the_table_starts_equal_and_check_names_a_difference(tmp_path: Path) -> None:
    import_rows(tmp_path, _stays(1, 60))
    stored = _assert_kept()
    assert sum(episodes for episodes, _days, _three in stored.values()) == (
        Episode.objects.filter(discharge_date__isnull=False, ready_date__isnull=False).count()
    )
    some = KommunMonthFigures.objects.order_by("pk").first()
    assert some is not None
    KommunMonthFigures.objects.filter(pk=some.pk).update(ready_days=some.ready_days + 1)
    (difference,) = month_figures.check()
    assert f"{some.month:%Y-%m}" in difference and some.care_type in difference
    assert month_figures.rebuild() == len(stored)
    assert _assert_kept() == stored


def test_an_import_and_its_updates_keep_the_table(tmp_path: Path) -> None:
    first = _stays(2, 80)
    import_rows(tmp_path, first, "first.csv")
    before = _assert_kept()
    # The same episodes again, discharged now where they were in hospital: updates.
    rng = random.Random(3)  # noqa: S311
    again = []
    for data in first:
        if not data["discharged_at"]:
            ready = date.fromisoformat(data["ready_date"])
            data = {**data, "discharged_at": f"{ready + timedelta(days=rng.randint(0, 5))}T15:00"}
        again.append(data)
    import_rows(tmp_path, again + _stays(4, 20, prefix="N"), "again.csv")
    after = _assert_kept()
    assert sum(e for e, _d, _t in after.values()) > sum(e for e, _d, _t in before.values())


def test_the_services_keep_the_table(
    make_episode: Callable[..., Episode], advance: Callable[..., Episode], personas: Personas
) -> None:
    for waited in (0, 1, 4):
        episode = make_episode(admitted_at=timezone.now() - timedelta(days=10))
        ready = timezone.localdate() - timedelta(days=waited)
        advance(episode, "discharged", ready_date=ready)
    advance(make_episode(), "ready")  # in hospital: not counted
    stored = _assert_kept()
    ((episodes, days, three_plus),) = stored.values()
    assert (episodes, days, three_plus) == (3, 5, 1)


def test_updates_and_deletes_keep_the_table(tmp_path: Path) -> None:
    import_rows(tmp_path, _stays(5, 60))
    counted = Episode.objects.filter(discharge_date__isnull=False, ready_date__isnull=False)
    ids = list(counted.order_by("pk").values_list("pk", flat=True))
    other = Kommun.objects.get(code="2401")
    # Moved to another month, another kommun, another care type; made longer; un-discharged.
    for pk, change in zip(
        ids,
        [
            {"discharge_date": date(2026, 12, 30), "ready_days": 40},
            {"kommun": other},
            {"care_type": "psykiatri"},
            {"care_type": "somatik"},
            {"ready_days": 3},
            {"discharge_date": None, "ready_days": None},
            {"ready_date": None},
        ],
        strict=False,
    ):
        Episode.objects.filter(pk=pk).update(**change)
        _assert_kept()
    # Several rows in one statement; then deleted.
    counted.filter(pk__in=ids[7:20]).update(discharge_date=date(2026, 11, 2))
    _assert_kept()
    _delete_episodes(ids[20:35])
    assert not Episode.objects.filter(pk__in=ids[20:35]).exists()
    _assert_kept()


def _delete_episodes(ids: list[int]) -> None:
    """Delete episodes and the rows that refer to them, as an operator's retention job might
    (on PostgreSQL with the ordinary triggers off: the event log refuses deletes)."""
    marks = ", ".join(["%s"] * len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        if ON_POSTGRESQL:
            cursor.execute("SET LOCAL session_replication_role = replica")
        for relation in Episode._meta.related_objects:
            table = relation.related_model._meta.db_table
            column = relation.field.column
            cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", ids)  # noqa: S608
        cursor.execute(f"DELETE FROM discharges_episode WHERE id IN ({marks})", ids)  # noqa: S608


def _versions() -> list[tuple[int, str]]:
    """The table's rows and their physical versions (a row written anew gets a new ctid)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ctid::text FROM discharges_kommunmonthfigures ORDER BY id")
        return cursor.fetchall()


@postgresql_only("the table's rows' physical versions (ctid) are PostgreSQL's")
def test_a_write_of_other_columns_leaves_the_table_alone(tmp_path: Path) -> None:
    import_rows(tmp_path, _stays(6, 30))
    before = _versions()
    Episode.objects.update(track_colour="red", ready_days=F("ready_days"))
    assert _versions() == before
    Episode.objects.filter(discharge_date__isnull=False).update(ready_days=99)
    assert _versions() != before
    _assert_kept()


@postgresql_only("session_replication_role and TRUNCATE triggers are PostgreSQL's")
def test_bulk_loads_with_the_foreign_key_triggers_off_and_truncate_keep_it(
    tmp_path: Path,
) -> None:
    assert ON_POSTGRESQL
    import_rows(tmp_path, _stays(7, 30))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE discharges_episode SET discharge_date = discharge_date + 40 "
            "WHERE discharge_date IS NOT NULL"
        )
        cursor.execute("UPDATE discharges_episode SET ready_days = discharge_date - ready_date")
    _assert_kept()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE discharges_episode CASCADE")
    assert month_figures.stored() == {}


def test_the_command_checks_and_rebuilds(tmp_path: Path) -> None:
    import_rows(tmp_path, _stays(8, 40))
    out, _err = run_command("month_figures")
    assert f"agree with the episodes: {len(month_figures.stored())} kommun-months" in out
    KommunMonthFigures.objects.update(episodes=F("episodes") + 1)
    with pytest.raises(CommandError, match=r"kommun-month\(s\) differ"):
        run_command("month_figures")
    out, _err = run_command("month_figures", "--rebuild")
    assert "rebuilt" in out
    assert month_figures.check() == []
