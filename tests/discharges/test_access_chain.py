"""The access log's hash chain (issue 13, point 3): the trigger refused UPDATE and DELETE, but a
database superuser could TRUNCATE the log and nothing showed that rows were gone.

The attacks run as the test database's superuser with the triggers switched off
(``session_replication_role = replica``), as such a user could; ``verify_access_log`` must name
the first broken row and fail. PostgreSQL only (CI runs it); skipped elsewhere outside CI.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone

from discharges import maintenance
from discharges.access_chain import GENESIS, AccessLogCheck, AccessLogHead, chain_key, row_hash
from discharges.access_check import verify_chain
from discharges.access_log import append_rows, log_access, log_reads
from discharges.models import AccessAction, AccessLogEntry, Episode
from tests.conftest import Personas, make_user
from tests.engines import ON_POSTGRESQL, postgresql_only

needs_postgresql = postgresql_only("the attacks use PostgreSQL")


@pytest.fixture
def logged(
    db: None, personas: Personas, make_episode: Callable[..., Episode]
) -> list[AccessLogEntry]:
    """Six rows written every way the application writes them."""
    first, second = make_episode(), make_episode()
    log_access(personas.ward_nurse, [first, second], AccessAction.LIST)
    log_reads(personas.ward_nurse, [(first.pk, first.patient_id)], AccessAction.VIEW, "admin")
    AccessLogEntry.objects.create(  # a single row through the ORM (the register page does)
        user=personas.ward_nurse, patient=first.patient, action=AccessAction.VIEW, detail="x"
    )
    now = timezone.now()
    append_rows([(now, personas.kommun_planner.pk, None, second.pk, None, "view", "")] * 2)
    return list(AccessLogEntry.objects.order_by("seq"))


def _verify() -> str:
    """Run the command; its error when the chain is broken, else ''."""
    try:
        call_command("verify_access_log", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except CommandError as error:
        return str(error)
    return ""


@pytest.fixture
def as_superuser() -> Iterator[Callable[[str, list[object]], None]]:
    """Raw SQL with the append-only triggers off, as a database superuser could."""

    def run(sql: str, params: list[object]) -> None:
        assert ON_POSTGRESQL, "CI must run the attacks on PostgreSQL"
        with connection.cursor() as cursor:
            # The test's own rows are in this transaction: their deferred foreign-key checks
            # must run before a TRUNCATE may.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.execute(sql, params)
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")

    yield run


def test_every_way_of_writing_joins_one_chain(logged: list[AccessLogEntry]) -> None:
    assert [row.seq for row in logged] == [1, 2, 3, 4, 5, 6]
    assert logged[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.chain_hash for a, b in itertools.pairwise(logged))
    key = chain_key()
    for row in logged:
        content = (row.at, row.user_id, row.organisation_id, row.episode_id, row.patient_id)
        expected = row_hash(key, row.seq, row.prev_hash, *content, row.action, row.detail)
        assert row.chain_hash == expected
    head = AccessLogHead.objects.get(pk=1)
    assert (head.seq, head.chain_hash) == (6, logged[-1].chain_hash)
    assert _verify() == ""
    assert AccessLogCheck.objects.get().ok


@needs_postgresql
def test_an_altered_row_is_caught(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    victim = logged[2]
    as_superuser(
        "UPDATE discharges_accesslogentry SET detail = 'nothing' WHERE id = %s", [victim.pk]
    )
    assert _verify() == f"access log broken: row id {victim.pk} (number 3) was altered"


@needs_postgresql
def test_an_altered_time_or_reader_is_caught(
    logged: list[AccessLogEntry],
    as_superuser: Callable[[str, list[object]], None],
    personas: Personas,
) -> None:
    as_superuser(
        "UPDATE discharges_accesslogentry SET user_id = %s WHERE id = %s",
        [personas.outsider.pk, logged[0].pk],
    )
    assert "(number 1) was altered" in _verify()


@needs_postgresql
def test_a_deleted_row_is_caught(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    as_superuser("DELETE FROM discharges_accesslogentry WHERE id = %s", [logged[3].pk])
    assert _verify() == (
        f"access log broken: rows number 4 to 4 are missing (before row id {logged[4].pk})"
    )


@needs_postgresql
def test_the_last_rows_deleted_are_caught(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    as_superuser("DELETE FROM discharges_accesslogentry WHERE seq > 4", [])
    assert "rows number 5 to 6 are missing at the end" in _verify()


@needs_postgresql
def test_a_truncated_log_is_caught(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    as_superuser("TRUNCATE discharges_accesslogentry", [])
    assert AccessLogEntry.objects.count() == 0
    assert _verify() == (
        "access log broken: rows number 1 to 6 are missing at the end: the log holds 0 rows, "
        "its head says 6 (truncated?)"
    )


@needs_postgresql
def test_a_truncated_log_with_its_head_reset_is_caught_by_the_last_check(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    assert _verify() == ""  # last night's check: intact at number 6
    as_superuser("TRUNCATE discharges_accesslogentry", [])
    as_superuser("UPDATE discharges_accessloghead SET seq = 0, chain_hash = %s", [GENESIS])
    problem = _verify()
    assert "the log ends at number 0, before number 6 that was checked" in problem


@needs_postgresql
def test_a_row_written_around_the_application_is_caught(
    logged: list[AccessLogEntry],
    as_superuser: Callable[[str, list[object]], None],
    personas: Personas,
) -> None:
    """A forged row in the chain's place: without the key its hash cannot be right."""
    last = logged[-1]
    as_superuser(
        "INSERT INTO discharges_accesslogentry (at, user_id, action, detail, seq, prev_hash, "
        "chain_hash) VALUES (now(), %s, 'view', '', 7, %s, %s)",
        [personas.outsider.pk, last.chain_hash, "f" * 64],
    )
    assert "(number 7) was altered" in _verify()


@needs_postgresql
def test_the_periodic_task_records_the_break_and_the_admin_alerts(
    logged: list[AccessLogEntry], as_superuser: Callable[[str, list[object]], None]
) -> None:
    assert maintenance.verify_access_log() is True
    as_superuser("TRUNCATE discharges_accesslogentry", [])
    assert maintenance.verify_access_log() is False
    check = AccessLogCheck.objects.order_by("-id").first()
    assert check is not None and not check.ok and "truncated" in check.problem
    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    for url in ("/admin/", "/admin/discharges/accesslogentry/"):
        page = client.get(url).content.decode()
        assert "Åtkomstloggens kontroll" in page, url
        assert "truncated" in page


def test_no_alert_while_the_log_is_intact(logged: list[AccessLogEntry]) -> None:
    maintenance.verify_access_log()
    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    assert "Åtkomstloggens kontroll" not in client.get("/admin/").content.decode()


@needs_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_keep_one_chain(
    personas: Personas, make_episode: Callable[..., Episode]
) -> None:
    """Web processes append at the same moment: the head's row lock makes them take turns."""
    episode = make_episode()
    before = AccessLogEntry.objects.count()
    barrier = threading.Barrier(4)

    def write() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                log_access(personas.ward_nurse, [episode] * 5, AccessAction.LIST)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert AccessLogEntry.objects.count() == before + 200
    report = verify_chain()
    assert report.ok, report.problem
    assert report.rows == before + 200
