"""Bulk writes (discharges/bulk.py): rows encoded ahead for COPY store what the tuples store."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from discharges import bulk
from discharges.bulk import Encoded, encode_rows, insert_tuples
from discharges.clock import ZONE
from discharges.models import Episode, EpisodeEvent, Patient
from discharges.services.batch import EVENT_FIELDS

# Every character COPY's text format escapes, quotes, JSON escapes, non-ASCII, null.
AWKWARD = 'tab\there, line\nbreak, return\r, back\\slash, \\N, "quoted", åäö €'


def _event(
    episode: Episode, seq: int, author: int, organisation: int, **other: Any
) -> tuple[Any, ...]:
    values = {
        "seq": seq,
        "kind": "named_care_contact",
        "occurred_at": datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=ZONE),
        "recorded_at": datetime(2026, 3, 2, 8, 31, tzinfo=UTC),
        "data": {"name": AWKWARD, "none": None, "list": [1, 2.5, True], "nested": {"k": "\\"}},
        "author_id": author,
        "episode_id": episode.pk,
        "organisation_id": organisation,
        **other,
    }
    return tuple(values[name] for name in EVENT_FIELDS)


def _stored(model: type[Any], **where: Any) -> dict[str, Any]:
    row = model.objects.filter(**where).values().get()
    row.pop("id")
    return row


def test_encoded_rows_store_the_same_values_as_tuples(episode: Episode, personas: Any) -> None:
    author, organisation = personas.ward_nurse.pk, episode.ward_id
    seq = episode.version + 1
    insert_tuples(EpisodeEvent, EVENT_FIELDS, [_event(episode, seq, author, organisation)])
    encoded = encode_rows(
        EpisodeEvent, EVENT_FIELDS, [_event(episode, seq + 1, author, organisation)]
    )
    insert_tuples(EpisodeEvent, EVENT_FIELDS, encoded)

    by_tuple = _stored(EpisodeEvent, episode=episode, seq=seq)
    by_encoding = _stored(EpisodeEvent, episode=episode, seq=seq + 1)
    assert by_encoding.pop("seq") == by_tuple.pop("seq") + 1
    assert by_encoding == by_tuple
    assert by_tuple["data"]["name"] == AWKWARD
    assert by_tuple["occurred_at"] == datetime(2026, 3, 2, 8, 30, 15, 123456, tzinfo=UTC)
    if connection.vendor == "postgresql":  # the triggers are on again after the COPY
        with connection.cursor() as cursor:
            cursor.execute("SHOW session_replication_role")
            assert cursor.fetchone()[0] == "origin"


def test_encoded_patients_keep_text_and_empty_values(org_tree: Any) -> None:
    kommun = org_tree.umea
    fields = ["personnummer", "name", "address", "created_at", "health_centre_id", "kommun_id"]
    created = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [
        ("191212121212", AWKWARD, "", created, None, kommun.pk),
        ("191212121213", "", AWKWARD, created, None, kommun.pk),
    ]
    insert_tuples(Patient, fields, [rows[0]])
    insert_tuples(Patient, fields, encode_rows(Patient, fields, [rows[1]]))
    first = _stored(Patient, personnummer=rows[0][0])
    second = _stored(Patient, personnummer=rows[1][0])
    assert (first["name"], first["address"]) == (AWKWARD, "")
    assert (second["name"], second["address"]) == ("", AWKWARD)
    assert first["health_centre_id"] is None and second["health_centre_id"] is None
    assert first["created_at"] == second["created_at"] == created


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="COPY and its foreign-key check are PostgreSQL's (CI runs this on it)",
)
def test_encoded_rows_referring_to_nothing_are_refused(episode: Episode, personas: Any) -> None:
    """The COPY of encoded rows runs without the per-row foreign-key triggers; its own check
    refuses a key that refers to nothing, as the trigger would, and nothing is stored."""
    author, organisation = personas.ward_nurse.pk, episode.ward_id
    missing = episode.pk + 1000
    seq = episode.version + 1
    good = _event(episode, seq, author, organisation)
    orphan = _event(episode, seq + 1, author, organisation, episode_id=missing)
    encoded = encode_rows(EpisodeEvent, EVENT_FIELDS, [good, orphan])
    assert isinstance(encoded, Encoded)
    before = EpisodeEvent.objects.count()
    with pytest.raises(IntegrityError, match="discharges_episode"), transaction.atomic():
        insert_tuples(EpisodeEvent, EVENT_FIELDS, encoded)
    assert EpisodeEvent.objects.count() == before
    # Each referenced key is checked, not only the episode's.
    stranger = _event(episode, seq, author, organisation + 100000)
    encoded = encode_rows(EpisodeEvent, EVENT_FIELDS, [stranger])
    with pytest.raises(IntegrityError, match="discharges_organisation"), transaction.atomic():
        insert_tuples(EpisodeEvent, EVENT_FIELDS, encoded)
    assert EpisodeEvent.objects.count() == before


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("CI"),
    reason="session_replication_role is PostgreSQL's (CI runs this on it)",
)
def test_without_the_privilege_the_triggers_check_the_keys(
    episode: Episode, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user who may not set session_replication_role gets the triggers: same rows stored."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE svu_test_no_replica NOLOGIN")  # rolled back with the test
        cursor.execute("SET LOCAL ROLE svu_test_no_replica")
        assert bulk._may_skip_triggers() is False
        cursor.execute("RESET ROLE")
    assert bulk._may_skip_triggers() is True  # the test database's superuser

    monkeypatch.setattr(bulk, "_may_skip_triggers", lambda: False)
    author, organisation = personas.ward_nurse.pk, episode.ward_id
    seq = episode.version + 1
    encoded = encode_rows(EpisodeEvent, EVENT_FIELDS, [_event(episode, seq, author, organisation)])
    insert_tuples(EpisodeEvent, EVENT_FIELDS, encoded)
    assert _stored(EpisodeEvent, episode=episode, seq=seq)["data"]["name"] == AWKWARD
    with connection.cursor() as cursor:
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
