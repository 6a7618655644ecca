"""`python manage.py import_episodes PATH.csv`: the whole file or nothing, idempotent on episode_id.

Every file is written under tmp_path and imported through the command (call_command), so the
parsing, the services, the batch recorder and the command's error reporting are all exercised.
Messages are compared in English (``tests.csvfiles.run_command`` overrides the language).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from discharges.imports import IMPORTED_CONTACT
from discharges.models import (
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    HealthCentre,
    Hospital,
    Membership,
    Patient,
    Ward,
)
from discharges.projection import projection_of, replay
from tests.csvfiles import (
    COLUMNS,
    bad_check_digit,
    full_row,
    import_csv_file,
    import_rows,
    minimal_row,
    pnr,
    row,
    run_command,
    stay,
    write_csv,
)

pytestmark = pytest.mark.django_db

# The expected forms, as the command writes them in English.
DATE_FORM = "expected a date YYYY-MM-DD, e.g. 2026-02-13"
TIME_FORM = (
    "expected a date and time YYYY-MM-DD HH:MM (a T or a space between, seconds and an offset "
    "such as +01:00 optional), e.g. 2026-02-13 12:30"
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def counts() -> dict[str, int]:
    """Everything an import may write (or must not, when it fails)."""
    return {
        "episodes": Episode.objects.count(),
        "patients": Patient.objects.count(),
        "events": EpisodeEvent.objects.count(),
        "hospitals": Hospital.objects.count(),
        "wards": Ward.objects.count(),
        "health_centres": HealthCentre.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
    }


def failing_import(path: Path) -> tuple[list[str], str]:
    """Import a file that must be refused; returns (stderr lines, CommandError text)."""
    err = io.StringIO()
    with pytest.raises(CommandError) as info, translation.override("en"):
        call_command("import_episodes", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines(), str(info.value)


def errors_for(tmp_path: Path, rows: list[dict[str, str]], **kwargs: Any) -> list[str]:
    lines, _message = failing_import(write_csv(tmp_path / "bad.csv", rows, **kwargs))
    return lines


# --- A valid file -----------------------------------------------------------------------------


def test_valid_file_imports_episodes_events_and_projection(tmp_path: Path) -> None:
    # Row B gives the personnummer in its 10-digit form with a hyphen: stored as 12 digits.
    ten_digit = f"{pnr(2)[2:8]}-{pnr(2)[8:]}"
    out = import_rows(tmp_path, [full_row(), minimal_row(personnummer=ten_digit)])

    # A: registered + admission notice + track colour + named contact + ready notice
    #    + SIP invitation + SIP held + discharge = 8 events; B: registered = 1; 9 in all.
    assert out.startswith("episodes.csv: 2 new, 0 updated, 0 unchanged episodes; 9 events")

    a = Episode.objects.select_related("patient", "kommun", "ward__hospital").get(external_id="A-1")
    assert_full_row_projection(a)
    assert_full_row_events(a)
    b = Episode.objects.select_related("patient", "ward__hospital").get(external_id="B-1")
    assert_minimal_row_imported(b)


def assert_full_row_projection(a: Episode) -> None:
    """Row A (``csvfiles.full_row``) as projected: every column landed in its field."""
    assert a.patient.personnummer == pnr(1)
    assert a.patient.kommun.code == "2480"
    assert a.kommun.code == "2480"
    assert a.care_type == "somatik"
    assert a.ward.name == "Avdelning 4 medicin"
    assert a.ward.hospital.name == "Norrlands universitetssjukhus"
    assert a.health_centre.name == "Ålidhems hälsocentral"
    # March 2026 is winter time in Stockholm (UTC+1): 08:00 local = 07:00 UTC.
    assert a.admitted_at == utc(2026, 3, 2, 7, 0)
    assert a.admission_notice_at == utc(2026, 3, 2, 9, 30)
    assert a.admission_notice_late is False  # 2 h 30 min after admission, within 24 h
    assert a.preliminary_ready_date == date(2026, 3, 9)
    assert a.preliminary_deviation_days == 1  # ready 10 March - preliminary 9 March
    assert a.track_colour == "red"
    assert a.sip_needed is True
    assert a.named_contact == IMPORTED_CONTACT
    assert a.named_contact_at == a.admission_notice_at  # dated with the admission notice
    assert a.ready_date == date(2026, 3, 10)
    assert a.ready_notice_at == utc(2026, 3, 10, 8, 15)
    assert a.sip_invitation_at == utc(2026, 3, 11, 12, 0)
    assert a.sip_invitation_delay_days == 1  # 11 March - 10 March
    assert a.sip_held_date == date(2026, 3, 13)
    assert a.sip_held_after_days == 2  # 13 March - 11 March
    assert a.discharged_at == utc(2026, 3, 16, 10, 45)
    assert a.discharge_date == date(2026, 3, 16)
    assert a.ready_days == 6  # 16 March - 10 March
    assert a.destination == "ordinary_home"
    assert a.status == EpisodeStatus.DISCHARGED
    assert a.version == 8


def assert_full_row_events(a: Episode) -> None:
    """Row A's events: in order, at their times, by the integration account, replayable."""
    events = list(a.events.order_by("seq"))
    assert [(e.seq, e.kind) for e in events] == [
        (1, "registered"),
        (2, "admission_notice"),  # 10:30, before the track colour and contact of the same time
        (3, "track_colour"),
        (4, "named_care_contact"),
        (5, "ready_notice"),
        (6, "sip_invitation"),
        (7, "sip_held"),
        (8, "discharge"),
    ]
    assert [e.occurred_at for e in events] == [
        utc(2026, 3, 2, 7, 0),
        utc(2026, 3, 2, 9, 30),
        utc(2026, 3, 2, 9, 30),
        utc(2026, 3, 2, 9, 30),
        utc(2026, 3, 10, 8, 15),
        utc(2026, 3, 11, 12, 0),
        utc(2026, 3, 13, 11, 0),  # the held date at local noon
        utc(2026, 3, 16, 10, 45),
    ]
    assert {e.author.username for e in events} == {"integration-24"}
    # Ward messages come from the ward, the contact and SIP messages from the health centre.
    assert [e.organisation_id == a.ward_id for e in events] == [
        True, True, True, False, True, False, False, True,
    ]  # fmt: skip
    assert events[3].organisation_id == a.health_centre_id
    # The bulk-saved projection is what replaying the stored events gives.
    assert projection_of(replay(events)) == projection_of(a)


def assert_minimal_row_imported(b: Episode) -> None:
    """Row B (``csvfiles.minimal_row``): registered only, at the import's placeholder ward."""
    assert b.patient.personnummer == pnr(2)
    assert b.kommun.code == "2482"
    assert b.care_type == "psykiatri"
    assert b.admitted_at == utc(2026, 4, 1, 20, 10)  # summer time (UTC+2) from 29 March
    assert b.status == EpisodeStatus.REGISTERED
    assert b.health_centre is None
    assert b.ward.name == "Okänd avdelning, psykiatri (import)"
    assert b.ward.hospital.name == "Okänt sjukhus (import)"
    for empty in (
        "admission_notice_at", "preliminary_ready_date", "track_colour", "sip_needed",
        "ready_date", "ready_notice_at", "sip_invitation_at", "discharged_at", "ready_days",
    ):  # fmt: skip
        assert getattr(b, empty) in (None, ""), empty
    assert list(b.events.values_list("kind", flat=True)) == ["registered"]


def test_ready_date_without_notice_is_recorded_as_such(tmp_path: Path) -> None:
    import_rows(tmp_path, [stay("C-1", 3, date(2026, 2, 10), date(2026, 2, 12), ready_notice=None)])
    episode = Episode.objects.get(external_id="C-1")
    assert episode.ready_date == date(2026, 2, 10)
    assert episode.ready_notice_at is None
    assert episode.ready_days == 2  # 12 - 10 February
    kinds = list(episode.events.values_list("kind", flat=True))
    assert kinds == ["registered", "admission_notice", "ready_date_recorded", "discharge"]


# --- Local times, offsets and daylight saving time --------------------------------------------


@pytest.mark.parametrize(
    ("admitted_at", "expected"),
    [
        ("2026-03-28T12:00", utc(2026, 3, 28, 11, 0)),  # last day of winter time, UTC+1
        ("2026-03-29T12:00", utc(2026, 3, 29, 10, 0)),  # clocks went forward at 02:00: UTC+2
        ("2026-03-29T01:59", utc(2026, 3, 29, 0, 59)),  # just before the gap, still UTC+1
        ("2026-03-29T03:00", utc(2026, 3, 29, 1, 0)),  # just after the gap, UTC+2
        ("2026-03-10T12:00+05:00", utc(2026, 3, 10, 7, 0)),  # an explicit offset is honoured
        ("2026-03-29T02:30+00:00", utc(2026, 3, 29, 2, 30)),  # ... even inside the local gap
        ("2026-03-10T06:45Z", utc(2026, 3, 10, 6, 45)),
    ],
)
def test_times_are_stockholm_local_unless_an_offset_is_given(
    tmp_path: Path, admitted_at: str, expected: datetime
) -> None:
    import_rows(tmp_path, [minimal_row(admitted_at=admitted_at)])
    assert Episode.objects.get(external_id="B-1").admitted_at == expected


def test_a_local_time_in_the_spring_gap_does_not_exist(tmp_path: Path) -> None:
    # 2026-03-29 02:00-02:59 is skipped in Stockholm: 02:30 local is no instant at all.
    lines = errors_for(
        tmp_path,
        [
            minimal_row(admitted_at="2026-03-29T02:30"),
            full_row(
                episode_id="A-2",
                personnummer=pnr(7),
                admitted_at="2026-03-27T08:00",
                admission_notice_at="2026-03-27T10:00",
                discharged_at="2026-03-29T02:05",
            ),
        ],
    )
    assert lines == [
        "row 2, column admitted_at: this local time does not exist (daylight saving time starts)",
        "row 3, column discharged_at: this local time does not exist (daylight saving time starts)",
    ]


def test_a_time_in_the_repeated_autumn_hour_reimports_unchanged(tmp_path: Path) -> None:
    # 2025-10-26 02:00-02:59 happens twice in Stockholm; it reads as the first (CEST, UTC+2).
    # Stored and re-read, the instant must compare equal, or a re-import would see a conflict.
    row = full_row(
        admitted_at="2025-10-24T19:24",
        admission_notice_at="2025-10-25T01:24",
        preliminary_ready_date="2025-10-26",
        ready_date="2025-10-26",
        ready_notice_at="2025-10-26T02:24",
        sip_needed="nej",
        sip_invitation_at="",
        sip_held_date="",
        track_colour="gul",
        discharged_at="2025-10-26T04:24",
    )
    import_rows(tmp_path, [row], "first.csv")
    episode = Episode.objects.get(external_id="A-1")
    assert episode.ready_notice_at == utc(2025, 10, 26, 0, 24)  # 02:24 CEST = 00:24 UTC
    before = snapshot()
    out = import_rows(tmp_path, [row], "again.csv")
    assert out.startswith("again.csv: 0 new, 0 updated, 1 unchanged episodes; 0 events")
    assert snapshot() == before


# --- Refused files: one error kind at a time --------------------------------------------------

NUMBER = pnr(4)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            {"personnummer": bad_check_digit(NUMBER)},
            "row 2, column personnummer: The check digit is wrong (Luhn).",
            id="personnummer-check-digit",
        ),
        pytest.param(
            {"personnummer": "19400517"},
            "row 2, column personnummer: "
            "Enter 10 or 12 digits, with or without a hyphen (ÅÅÅÅMMDD-NNNN).",
            id="personnummer-format",
        ),
        pytest.param(
            {"kommun": "2499"},  # region 24 has no kommun 2499
            "row 2, column kommun: unknown kommunkod '2499'",
            id="unknown-kommun",
        ),
        pytest.param(
            {"care_type": "geriatrik"},
            "row 2, column care_type: expected somatik or psykiatri",
            id="unknown-care-type",
        ),
        pytest.param(
            {"admitted_at": ""},
            "row 2, column admitted_at: required",
            id="admitted-missing",
        ),
        pytest.param(
            {"admitted_at": "2026-03-02"},
            f"row 2, column admitted_at: {TIME_FORM}; the time of day is missing",
            id="datetime-without-time",
        ),
        pytest.param(
            {"preliminary_ready_date": "09/03/2026"},
            f"row 2, column preliminary_ready_date: {DATE_FORM}",
            id="date-format",
        ),
        pytest.param(
            {"sip_needed": "kanske"},
            "row 2, column sip_needed: expected ja or nej (empty: not known)",
            id="yes-no",
        ),
        pytest.param(
            {"track_colour": "lila"},
            "row 2, column track_colour: expected grön, gul, röd or blå",
            id="track-colour",
        ),
        pytest.param(
            # dates out of order: the notice two hours before the admission
            {"admission_notice_at": "2026-03-02T06:00"},
            "row 2, column admission_notice_at: The time is before the admission.",
            id="notice-before-admission",
        ),
        pytest.param(
            # dates out of order: ready on 1 March, admitted on 2 March
            {"ready_date": "2026-03-01", "preliminary_ready_date": ""},
            "row 2, column ready_date: The ready date is before the admission.",
            id="ready-before-admission",
        ),
        pytest.param(
            # dates out of order: the ready notice (sent 10 March) says ready on 17 March, but
            # the patient left on 16 March
            {"ready_date": "2026-03-17", "sip_held_date": "", "sip_invitation_at": ""},
            "row 2, column discharged_at: The discharge is before the ready date "
            "(ready_date later).",
            id="discharge-before-ready-date",
        ),
        pytest.param(
            {"discharged_at": "2099-01-01T10:00"},
            "row 2, column discharged_at: The time is in the future.",
            id="future",
        ),
    ],
)
def test_each_error_kind_names_row_and_column(
    tmp_path: Path, values: dict[str, str], expected: str
) -> None:
    before = counts()
    lines, message = failing_import(
        write_csv(tmp_path / "bad.csv", [full_row(**{"personnummer": NUMBER, **values})])
    )
    assert lines == [expected]
    assert message == "1 error(s); nothing was imported from bad.csv"
    assert counts() == before
    # Privacy: an error report never repeats the personnummer.
    assert NUMBER[:8] not in "\n".join(lines)


def test_duplicate_episode_id_within_the_file(tmp_path: Path) -> None:
    rows = [minimal_row(), full_row(), minimal_row(personnummer=pnr(9))]
    assert errors_for(tmp_path, rows) == ["row 4, column episode_id: duplicate of row 2"]
    assert Episode.objects.count() == 0


def test_header_must_have_every_required_column_and_no_unknown_one(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c != "discharged_at"] + ["utskriven"]
    lines = errors_for(tmp_path, [minimal_row()], columns=columns)
    assert lines == [
        "row 1, column discharged_at: missing from the header",
        "row 1, column utskriven: unknown column",
    ]


def test_discharge_before_ready_date_on_the_notice_day_is_refused(tmp_path: Path) -> None:
    # Ready 10 March (notice 09:00 that day), discharged 9 March: the notice comes after the
    # discharge, yet the refusal names the columns that contradict each other (issue 8), not
    # the notice's "the episode is discharged".
    rows = [stay("D-1", 5, date(2026, 3, 10), date(2026, 3, 9))]
    assert errors_for(tmp_path, rows) == [
        "row 2, column discharged_at: The discharge is before the ready date (ready_date later)."
    ]
    assert Episode.objects.count() == 0


def test_one_bad_row_stores_nothing(tmp_path: Path) -> None:
    import_rows(tmp_path, [minimal_row(episode_id="OLD-1", personnummer=pnr(50))], "old.csv")
    before = counts()
    assert (before["episodes"], before["patients"], before["events"]) == (1, 1, 1)
    rows = [
        full_row(),
        minimal_row(),
        stay("S-1", 6, date(2026, 3, 3), date(2026, 3, 5)),
        stay("S-2", 7, date(2026, 3, 3), date(2026, 3, 5), kommun="0000"),  # row 5
    ]
    assert errors_for(tmp_path, rows) == ["row 5, column kommun: unknown kommunkod '0000'"]
    assert counts() == before


def test_every_error_in_a_file_is_listed_and_nothing_is_stored(tmp_path: Path) -> None:
    import_rows(tmp_path, [minimal_row(episode_id="OLD-1", personnummer=pnr(50))], "old.csv")
    before = counts()
    old_events = sorted(EpisodeEvent.objects.values_list("pk", flat=True))
    rows = [
        full_row(),  # row 2: valid
        minimal_row(personnummer=bad_check_digit(pnr(2))),  # row 3
        full_row(episode_id="A-3", personnummer=pnr(3), kommun="9999", care_type="x"),  # row 4
        stay("S-1", 6, date(2026, 3, 3), date(2026, 3, 5)),  # row 5: valid
        full_row(episode_id="A-6", personnummer=pnr(8), ready_date="2026-03-17",
                 sip_held_date="", sip_invitation_at=""),  # row 6: discharge before ready date
        minimal_row(episode_id="A-1", personnummer=pnr(10)),  # row 7: duplicate of row 2
    ]  # fmt: skip
    lines, message = failing_import(write_csv(tmp_path / "many.csv", rows))
    assert lines == [
        "row 3, column personnummer: The check digit is wrong (Luhn).",
        "row 4, column kommun: unknown kommunkod '9999'",
        "row 4, column care_type: expected somatik or psykiatri",
        "row 6, column discharged_at: The discharge is before the ready date (ready_date later).",
        "row 7, column episode_id: duplicate of row 2",
    ]
    assert message == "5 error(s); nothing was imported from many.csv"
    # The valid rows 2 and 5 were not stored either: the file is one transaction.
    assert counts() == before
    assert sorted(EpisodeEvent.objects.values_list("pk", flat=True)) == old_events
    assert not Episode.objects.filter(external_id__in=["A-1", "S-1"]).exists()
    assert not Patient.objects.filter(personnummer__in=[pnr(1), pnr(6)]).exists()


# --- Re-importing -----------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    return {
        "counts": counts(),
        "events": sorted(EpisodeEvent.objects.values_list("pk", "episode_id", "seq", "kind")),
        "episodes": {e.external_id: projection_of(e) for e in Episode.objects.all()},
    }


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "history.csv",
        [full_row(), minimal_row(), stay("S-1", 6, date(2026, 3, 3), date(2026, 3, 5))],
    )
    first = import_csv_file(path)
    assert first.startswith("history.csv: 3 new, 0 updated, 0 unchanged episodes")
    before = snapshot()
    assert before["counts"]["episodes"] == 3

    again = import_csv_file(path)
    assert again.startswith("history.csv: 0 new, 0 updated, 3 unchanged episodes; 0 events")
    assert snapshot() == before


def test_reimport_with_a_newly_filled_value_appends_only_that_message(tmp_path: Path) -> None:
    waiting = stay("S-1", 6, date(2026, 3, 3), None)
    other = minimal_row()
    import_rows(tmp_path, [waiting, other], "march.csv")
    episode = Episode.objects.get(external_id="S-1")
    assert episode.status == EpisodeStatus.READY
    before_events = list(EpisodeEvent.objects.values_list("pk", flat=True).order_by("pk"))
    other_before = projection_of(Episode.objects.get(external_id="B-1"))

    discharged = dict(waiting, discharged_at="2026-03-05T14:00")
    out = import_rows(tmp_path, [discharged, other], "april.csv")
    assert out.startswith("april.csv: 0 new, 1 updated, 1 unchanged episodes; 1 events")

    after_events = list(EpisodeEvent.objects.values_list("pk", flat=True).order_by("pk"))
    assert after_events[: len(before_events)] == before_events
    new = EpisodeEvent.objects.exclude(pk__in=before_events)
    assert [(e.episode.external_id, e.seq, e.kind) for e in new] == [
        ("S-1", episode.version + 1, "discharge")
    ]
    episode.refresh_from_db()
    assert episode.status == EpisodeStatus.DISCHARGED
    assert episode.ready_days == 2  # 5 March - 3 March
    assert projection_of(Episode.objects.get(external_id="B-1")) == other_before


def test_reimport_appending_messages_saves_the_whole_projection(tmp_path: Path) -> None:
    # First only the admission is known; a later extract has the rest of the stay. The
    # appended events must update every projected column, the follow-up counters included.
    registered = row("F-1", pnr(12), kommun="2480", care_type="somatik",
                     admitted_at="2026-02-26T08:00",
                     health_centre="Ålidhems hälsocentral")  # fmt: skip
    import_rows(tmp_path, [registered], "february.csv")
    complete = dict(
        registered,
        admission_notice_at="2026-02-27T09:00",  # 25 h after the admission: late
        preliminary_ready_date="2026-03-02",
        ready_date="2026-03-03",
        ready_notice_at="2026-03-03T09:00",
        sip_needed="ja",
        sip_invitation_at="2026-03-05T10:00",
        sip_held_date="2026-03-06",
        discharged_at="2026-03-07T14:00",
    )
    out = import_rows(tmp_path, [complete], "march.csv")
    # admission notice, track colour (SIP need), ready notice, invitation, held, discharge
    assert out.startswith("march.csv: 0 new, 1 updated, 0 unchanged episodes; 6 events")

    episode = Episode.objects.get(external_id="F-1")
    assert episode.version == 7
    assert episode.status == EpisodeStatus.DISCHARGED
    assert episode.ready_days == 4  # 7 March - 3 March
    assert episode.admission_notice_late is True
    assert episode.preliminary_deviation_days == 1  # ready 3 March - preliminary 2 March
    assert episode.sip_invitation_delay_days == 2  # 5 March - 3 March
    assert episode.sip_held_after_days == 1  # 6 March - 5 March
    replayed = replay(episode.events.order_by("seq"))
    assert projection_of(replayed) == projection_of(episode)
    for counter in (
        "admission_notice_late", "preliminary_deviation_days", "sip_invitation_delay_days",
        "sip_held_after_days",
    ):  # fmt: skip
        assert getattr(episode, counter) == getattr(replayed, counter), counter


def test_reimport_can_add_a_sip_invitation_to_an_episode_without_health_centre(
    tmp_path: Path,
) -> None:
    # The first extract knows no health centre (no contact, no SIP yet): the episode has none.
    first = stay("G-1", 13, date(2026, 3, 3), None)
    import_rows(tmp_path, [first], "first.csv")
    assert Episode.objects.get(external_id="G-1").health_centre_id is None
    # The next extract adds the SIP invitation (two days after the ready date) and the
    # discharge: the same row would import as a new episode, so it must append here.
    later = dict(first, sip_needed="ja", sip_invitation_at="2026-03-05T10:00",
                 discharged_at="2026-03-06T14:00")  # fmt: skip
    out = import_rows(tmp_path, [later], "later.csv")
    # track colour (the SIP need), the ward's change of recipients (adds the hälsocentral),
    # SIP invitation, discharge
    assert out.startswith("later.csv: 0 new, 1 updated, 0 unchanged episodes; 4 events")
    kinds = list(
        Episode.objects.get(external_id="G-1").events.order_by("seq").values_list("kind", flat=True)
    )
    assert kinds[-4:] == [
        "track_colour", "recipients_changed", "sip_invitation", "discharge",
    ]  # fmt: skip
    episode = Episode.objects.get(external_id="G-1")
    assert episode.sip_invitation_delay_days == 2
    assert episode.health_centre_id is not None


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("discharged_at", "2026-03-16T12:45"),
        ("admitted_at", "2026-03-02T09:00"),
        ("kommun", "2482"),
        ("care_type", "psykiatri"),
        ("personnummer", pnr(11)),
        ("admission_notice_at", "2026-03-02T10:31"),
        ("ready_notice_at", "2026-03-10T09:16"),
        ("sip_invitation_at", "2026-03-11T13:05"),
        ("sip_held_date", "2026-03-12"),
        ("track_colour", "gul"),
        # The ready notice is sent at the same time, but says another ready date.
        ("ready_date", "2026-03-11"),
        # Discharged at the same time, but to another destination.
        ("destination", "special_housing"),
        # The track colour is the same, but the SIP need differs.
        ("sip_needed", "nej"),
    ],
)
def test_a_conflicting_value_on_reimport_is_an_error(
    tmp_path: Path, column: str, value: str
) -> None:
    import_rows(tmp_path, [full_row(), minimal_row()], "first.csv")
    before = snapshot()
    changed = full_row(**{column: value})
    lines = errors_for(tmp_path, [minimal_row(), changed])
    assert lines == [f"row 3, column {column}: differs from stored episode A-1"]
    assert snapshot() == before


def test_command_needs_a_readable_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        run_command("import_episodes", str(tmp_path / "missing.csv"))
