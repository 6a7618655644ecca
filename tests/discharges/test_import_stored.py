"""What an import stores, row for row, is what it stored before the import was made faster.

The import's checking pass was rewritten for speed (issue 8: a per-batch clock, cached
parsing, events saved without model instances); none of that may change a stored value or a
refusal. ``stored_rows`` dumps every row the import writes (patients, episodes, events, object
grants) in a form free of keys and of the moment of the import (keys become names, ids and
personnummer); the dumps of the files below were taken with the code before the change
(``data/import_stored.json``) and must stay equal, on SQLite and on PostgreSQL. Regenerate
only for an intended change of what is stored: ``SVU_WRITE_IMPORT_GOLDEN=1 pytest THIS_FILE``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation

from discharges.imports import ImportFailed, import_csv
from discharges.models import (
    Episode,
    EpisodeEvent,
    EpisodeGroupObjectPermission,
    Organisation,
    Patient,
)
from tests.csvfiles import COLUMNS, csv_text, full_row, minimal_row, pnr, row, stay

pytestmark = pytest.mark.django_db(transaction=False)

GOLDEN = Path(__file__).resolve().parent / "data" / "import_stored.json"
ALL_COLUMNS = (*COLUMNS, "admission_type", "needs_outcome")
# Keys in event payloads that hold primary keys, and the table each refers to.
_PAYLOAD_KEYS = {
    "patient_id": "patient",
    "ward_id": "org",
    "kommun_id": "org",
    "health_centre_id": "org",
}


def first_file() -> list[dict[str, str]]:
    """Every message kind an import sends, with edge values of the formats and rules."""
    return [*_complete_rows(), *_later_rows(), *_clock_and_open_rows()]


def _complete_rows() -> list[dict[str, str]]:
    """Every column filled, offsets and seconds, the 10-digit form; registered only."""
    return [
        full_row(),
        {
            **full_row(
                episode_id="A-2",
                personnummer=pnr(1),
                admitted_at="2026-03-20 08:00:30",
                admission_notice_at="2026-03-21T09:00Z",  # 25 h later: late
                preliminary_ready_date="2026-03-22",
                ready_date="2026-03-24",
                ready_notice_at="2026-03-24T12:00+01:00",
                sip_invitation_at="2026-03-27T08:00",
                sip_held_date="2026-03-30",
                discharged_at="2026-04-02T08:00+0200",
                track_colour="GRÖN",
                named_contact="nej",
                destination="",
            ),
            "admission_type": "planerad",
            "needs_outcome": "unchanged",
        },
        minimal_row(personnummer=f"{pnr(2)[2:8]}-{pnr(2)[8:]}"),
        {
            **minimal_row(episode_id="B-2", personnummer=pnr(2), admitted_at="2026-04-20T10:00"),
            "admission_type": "akut",
        },
    ]


def _later_rows() -> list[dict[str, str]]:
    """Messages known without their notice, SIPs, the changes of clocks, open stays."""
    return [
        # A preliminary date without its notice; a ready date without its notice.
        row(
            "P-1",
            pnr(3),
            kommun="2401",
            care_type="somatik",
            admitted_at="2026-02-01 07:15",
            preliminary_ready_date="2026-02-05",
            ready_date="2026-02-06",
            discharged_at="2026-02-09 16:00",
            sip_needed="nej",
        ),
        stay("S-1", 4, date(2026, 3, 3), date(2026, 3, 5), ready_notice=None),
        stay(
            "S-2",
            5,
            date(2026, 3, 3),
            None,
            sip_invitation_day=date(2026, 3, 6),
            health_centre="Ålidhems hälsocentral",
        ),
        stay(
            "S-3",
            6,
            date(2026, 1, 10),
            date(2026, 1, 20),
            kommun="2482",
            care_type="psykiatri",
            admission_notice=False,
            sip_needed=False,
            track_colour="blå",
            ward="Psykiatri 2",
            hospital="Skellefteå lasarett",
        ),
        # A SIP held without an invitation; the held date before the invitation's noon.
        stay(
            "S-4",
            7,
            date(2026, 2, 10),
            date(2026, 2, 20),
            sip_held_date="2026-02-12",
            named_contact="ja",
        ),
        stay(
            "S-5",
            8,
            date(2026, 2, 10),
            date(2026, 2, 20),
            sip_invitation_day=date(2026, 2, 11),
            sip_held_date="2026-02-11",
            destination="special_housing",
        ),
    ]


def _clock_and_open_rows() -> list[dict[str, str]]:
    """Across the autumn change of clocks (02:30 twice) and the spring one; open stays."""
    return [
        row(
            "T-1",
            pnr(9),
            kommun="2480",
            care_type="somatik",
            admitted_at="2025-10-26 02:30",
            admission_notice_at="2025-10-26T01:30Z",
            ready_date="2025-10-28",
            ready_notice_at="2025-10-28 11:59",
            discharged_at="2025-10-28 12:00",
        ),
        row(
            "T-2",
            pnr(10),
            kommun="2480",
            care_type="somatik",
            admitted_at="2026-03-28 23:59",
            admission_notice_at="2026-03-29 03:00",
            ready_date="2026-03-29",
            ready_notice_at="2026-03-29 03:01",
            discharged_at="2026-03-29 03:30",
        ),
        # Registered and noticed only, still in planning.
        row(
            "U-1",
            pnr(11),
            kommun="2480",
            care_type="somatik",
            admitted_at="2026-05-01 08:00",
            admission_notice_at="2026-05-01 09:00",
            preliminary_ready_date="2026-05-08",
            health_centre="Ålidhems hälsocentral",
            named_contact="ja",
        ),
        row(
            "U-2",
            pnr(12),
            kommun="2480",
            care_type="somatik",
            admitted_at="2026-05-01 08:00",
            health_centre="Ålidhems hälsocentral",
        ),
    ]


def second_file() -> list[dict[str, str]]:
    """The same history a month later: stored episodes gain messages (one a hälsocentral)."""
    rows = first_file()
    rows[3] = dict(
        rows[3],
        admission_notice_at="2026-04-20T12:00",
        ready_date="2026-04-25",
        ready_notice_at="2026-04-25 10:00",
    )
    rows[-1] = dict(
        rows[-1],
        admission_notice_at="2026-05-02 08:00",
        ready_date="2026-05-05",
        ready_notice_at="2026-05-05 09:00",
        discharged_at="2026-05-06 09:00",
    )
    s2 = stay("S-9", 14, date(2026, 3, 3), None)
    return [*rows, s2]


def third_file() -> list[dict[str, str]]:
    """S-9 (stored without a hälsocentral) gets a SIP invitation: its recipients change."""
    return [
        stay("S-9", 14, date(2026, 3, 3), date(2026, 3, 9), sip_invitation_day=date(2026, 3, 5))
    ]


def refused_file() -> list[dict[str, str]]:
    """Every kind of refusal the checking pass finds, after a stored episode (A-1)."""
    return [
        *first_file()[:2],
        full_row(episode_id="E-1", personnummer=pnr(20), admitted_at="2026-03-02 12.30"),
        full_row(episode_id="E-2", personnummer=pnr(21), admitted_at="2026-3-2 08:00"),
        full_row(episode_id="E-3", personnummer=pnr(22), discharged_at="2026-03-09T10:00"),
        full_row(episode_id="E-4", personnummer=pnr(23), kommun="0000"),
        full_row(episode_id="E-5", personnummer=pnr(24), preliminary_ready_date="2026-03-01"),
        full_row(
            episode_id="E-6", personnummer=pnr(25), ready_date="2026-02-01", ready_notice_at=""
        ),
        full_row(episode_id="E-7", personnummer=pnr(26), sip_held_date="2026-03-10"),
        full_row(episode_id="E-8", personnummer=pnr(27), admitted_at="2099-01-01 08:00"),
        full_row(episode_id="E-9", personnummer=pnr(28), sip_invitation_at="2026-03-11 1:00 PM"),
        full_row(episode_id="E-1", personnummer=pnr(29)),
        full_row(episode_id="A-1", care_type="psykiatri"),
        row(
            "E-10",
            pnr(30),
            kommun="2480",
            care_type="somatik",
            admitted_at="2026-03-02 08:00",
            ready_notice_at="2026-03-05 10:00",
            destination="ordinary_home",
        ),
        row(
            "E-11",
            "19400517-0000",
            kommun="2480",
            care_type="somatik",
            admitted_at="2026-03-02 08:00",
        ),
        row("E-12", pnr(31), kommun="2480", care_type="somatik", admitted_at="2026-03-29 02:30"),
        row("U-2", pnr(12), kommun="2480", care_type="psykiatri", admitted_at="2026-05-01 08:00"),
    ]


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def stored_rows() -> dict[str, Any]:
    """Every row an import writes, keys replaced by what they stand for."""
    orgs = {o.pk: o.name for o in Organisation.objects.all()}
    groups = {o.group_id: o.name for o in Organisation.objects.all()}
    patients = dict(Patient.objects.values_list("pk", "personnummer"))
    names = {"patient": patients, "org": orgs}

    def episode_fields(episode: Episode) -> dict[str, Any]:
        values = {}
        for field in Episode._meta.concrete_fields:
            if field.attname in ("id", "created_at"):
                continue
            value = getattr(episode, field.attname)
            if field.attname == "patient_id":
                value = patients[value]
            elif field.attname in ("ward_id", "kommun_id", "health_centre_id"):
                value = orgs.get(value)
            values[field.attname] = _iso(value)
        return values

    def payload(data: dict[str, Any]) -> dict[str, Any]:
        return {
            k: names[_PAYLOAD_KEYS[k]].get(v) if k in _PAYLOAD_KEYS and v is not None else v
            for k, v in data.items()
        }

    episodes = {e.pk: e for e in Episode.objects.order_by("external_id")}
    return {
        "patients": sorted(
            [p.personnummer, p.name, p.address, orgs[p.kommun_id], orgs.get(p.health_centre_id)]
            for p in Patient.objects.all()
        ),
        "episodes": {e.external_id: episode_fields(e) for e in episodes.values()},
        "events": sorted(
            [
                episodes[ev.episode_id].external_id,
                ev.seq,
                ev.kind,
                ev.author.username,
                orgs[ev.organisation_id],
                _iso(ev.occurred_at),
                payload(ev.data),
            ]
            for ev in EpisodeEvent.objects.select_related("author")
        ),
        "grants": sorted(
            [episodes[g.content_object_id].external_id, groups[g.group_id], g.permission.codename]
            for g in EpisodeGroupObjectPermission.objects.select_related("permission")
        ),
    }


def refusal(rows: list[dict[str, str]]) -> list[str]:
    with translation.override("en"), pytest.raises(ImportFailed) as failed:
        import_csv(csv_text(rows, ALL_COLUMNS))
    return failed.value.errors


def test_the_import_stores_and_refuses_exactly_what_it_did() -> None:
    started = timezone.now()
    results = []
    for rows in (first_file(), second_file(), third_file()):
        result = import_csv(csv_text(rows, ALL_COLUMNS))
        results.append(
            [
                result.rows,
                result.events,
                result.patients,
                result.updated,
                result.unchanged,
                dict(sorted(result.kinds.items())),
            ]
        )
    finished = timezone.now()
    dumped = {
        "results": results,
        "stored": stored_rows(),
        "refused": refusal(refused_file()),
    }
    # The moment of recording is the import's own, whatever the clock is read by.
    for moment in [
        *EpisodeEvent.objects.values_list("recorded_at", flat=True),
        *Episode.objects.values_list("created_at", flat=True),
    ]:
        assert started <= moment <= finished
    dumped = json.loads(json.dumps(dumped, default=str))
    if os.environ.get("SVU_WRITE_IMPORT_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(dumped, indent=1, ensure_ascii=False) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert dumped["results"] == golden["results"]
    assert dumped["refused"] == golden["refused"]
    for table in ("patients", "episodes", "events", "grants"):
        assert dumped["stored"][table] == golden["stored"][table], table
    assert dumped == golden


def test_a_refused_file_stores_nothing_after_a_stored_history() -> None:
    import_csv(csv_text(first_file(), ALL_COLUMNS))
    before = stored_rows()
    assert refusal(refused_file())
    assert stored_rows() == before


def test_the_collector_runs_as_before_once_an_import_ends() -> None:
    import gc

    before = gc.get_threshold()
    import_csv(csv_text(first_file()[:3], ALL_COLUMNS))
    assert gc.get_threshold() == before
    refusal(refused_file())
    assert gc.get_threshold() == before
