"""Bulk writes (discharges/bulk.py): rows encoded ahead for COPY store what the tuples store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from discharges.bulk import encode_rows, insert_tuples
from discharges.clock import ZONE
from discharges.models import Episode, EpisodeEvent, Patient
from discharges.services.batch import EVENT_FIELDS

# Every character COPY's text format escapes, quotes, JSON escapes, non-ASCII, null.
AWKWARD = 'tab\there, line\nbreak, return\r, back\\slash, \\N, "quoted", åäö €'


def _event(episode: Episode, seq: int, author: int, organisation: int) -> tuple[Any, ...]:
    values = {
        "seq": seq,
        "kind": "named_care_contact",
        "occurred_at": datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=ZONE),
        "recorded_at": datetime(2026, 3, 2, 8, 31, tzinfo=UTC),
        "data": {"name": AWKWARD, "none": None, "list": [1, 2.5, True], "nested": {"k": "\\"}},
        "author_id": author,
        "episode_id": episode.pk,
        "organisation_id": organisation,
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
