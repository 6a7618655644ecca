"""PostgreSQL lost mid-request or mid-import (issue 13, point 4): the connection is cut by the
server (``pg_terminate_backend``) after the first rows of the write are sent; nothing of the
write is stored, the request answers with the error page, the import with an error, and the
same message sent again afterwards is stored once.

PostgreSQL only; skipped elsewhere outside CI, a failure in CI.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import bulk, grants
from discharges.events import EventKind
from discharges.models import Episode, EpisodeEvent, Patient
from tests.conftest import Personas
from tests.csvfiles import import_rows, stay
from tests.engines import ON_POSTGRESQL, postgresql_only

pytestmark = [
    pytest.mark.integration,
    postgresql_only("needs PostgreSQL"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _cut_the_connection() -> None:
    """The server ends this process's database session, as when the network or the server
    goes away in the middle of a transaction."""
    assert ON_POSTGRESQL, "CI must run the database-loss tests on PostgreSQL"
    pid = connection.connection.info.backend_pid  # type: ignore[union-attr]
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
        dbname=db["NAME"], autocommit=True,
    ) as other:  # fmt: skip
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def _after(calls: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """``real``, except that its call number ``calls`` first cuts the connection."""
    count = 0

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nonlocal count
        count += 1
        if count == calls:
            _cut_the_connection()
        return real(*args, **kwargs)

    return wrapped


def test_a_message_cut_off_mid_transaction_stores_nothing(
    personas: Personas,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    episode = advance(make_episode(), "noticed")
    events = EpisodeEvent.objects.filter(episode=episode).count()
    version = Episode.objects.get(pk=episode.pk).version
    url = reverse("api:send_message", args=[episode.pk, EventKind.READY_NOTICE])
    body = {"version": version, "ready_date": timezone.localdate().isoformat()}
    client = Client(raise_request_exception=False)
    client.force_login(personas.ward_nurse)
    # The event row and the episode's new state are written; then the grants are looked at
    # again (the second audience call of the write): the connection goes there.
    monkeypatch.setattr(grants, "audience", _after(2, grants.audience))
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 500
    assert "Något gick fel" in response.content.decode()
    monkeypatch.undo()
    connection.close()  # the next query opens a new session

    stored = Episode.objects.get(pk=episode.pk)
    assert EpisodeEvent.objects.filter(episode=episode).count() == events
    assert (stored.version, stored.ready_notice_at) == (version, None)
    # Sent again, it is stored once.
    again = client.post(url, body, content_type="application/json")
    assert again.status_code in (200, 201), again.content
    assert EpisodeEvent.objects.filter(episode=episode).count() == events + 1


def test_an_import_cut_off_mid_way_stores_nothing(
    db: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    before = (Patient.objects.count(), Episode.objects.count(), EpisodeEvent.objects.count())
    rows = [stay(f"L{n}", n, date(2026, 3, 2 + n), date(2026, 3, 4 + n)) for n in range(1, 6)]
    # The import writes patients, episodes and events with COPY; the second COPY never ends.
    monkeypatch.setattr(bulk, "copy_rows", _after(2, bulk.copy_rows))
    with pytest.raises(Exception) as failure:  # whatever the import raises
        import_rows(tmp_path, rows)
    monkeypatch.undo()
    connection.close()
    message = str(failure.value).lower()
    assert "terminat" in message or "connection" in message or "server closed" in message
    after = (Patient.objects.count(), Episode.objects.count(), EpisodeEvent.objects.count())
    assert after == before
    import_rows(tmp_path, rows)  # the same file again: all of it
    assert Episode.objects.count() == before[1] + 5
