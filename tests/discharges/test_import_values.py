"""What the import reads from a cell and keeps from a row (issue 8, points 1 and 2).

- Strict forms: dates YYYY-MM-DD, times YYYY-MM-DD[T ]HH:MM[:SS] with an optional offset.
  ``12.30`` used to be read as 12:00:00.3 (``datetime.fromisoformat``): a ready notice before
  the noon cut-off and a liable day more (37 200 kr instead of 27 900 kr in Jämtland).
- A value that is known is kept even when an earlier message's time is not (R5): a preliminary
  ready date without an admission notice, a SIP meeting without an invitation. The report
  then lists the missing message; the row is not refused.
- Contradictions are named on the columns that contradict each other.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from discharges.models import Episode, EpisodeEvent
from tests.csvfiles import full_row, import_rows, load_shipped, minimal_row, report, stay, write_csv

pytestmark = pytest.mark.django_db

# The expected forms, as the command writes them in English.
DATE_FORM = "expected a date YYYY-MM-DD, e.g. 2026-02-13"
TIME_FORM = (
    "expected a date and time YYYY-MM-DD HH:MM (a T or a space between, seconds and an offset "
    "such as +01:00 optional), e.g. 2026-02-13 12:30"
)


def refused(tmp_path: Path, rows: list[dict[str, str]]) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        path = write_csv(tmp_path / "bad.csv", rows)
        call_command("import_episodes", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


# --- Strict dates and times -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("ready_notice_at", "2026-03-10 12.30",
         f"{TIME_FORM}; the time is written with '.'; write HH:MM with ':' (12:30)"),
        ("ready_notice_at", "2026-03-10 12:30 PM",
         f"{TIME_FORM}; AM/PM is not read; give the 24-hour clock (12:30, 00:30)"),
        ("ready_notice_at", "2026-3-10 12:30", f"{TIME_FORM}; month and day take two digits"),
        ("ready_notice_at", "2026-03-10T12:30:00.5",
         f"{TIME_FORM}; fractions of a second are not read"),
        ("ready_notice_at", "2026-03-10 24:00", f"no such date and time ({TIME_FORM})"),
        ("ready_notice_at", "10/03/2026 12:30", TIME_FORM),
        ("ready_date", "2026-3-10", f"{DATE_FORM}: month and day take two digits"),
        ("ready_date", "2026-02-30", f"no such date in the calendar ({DATE_FORM})"),
        ("ready_date", "10.3.2026", DATE_FORM),
        ("ready_date", "２０２６-０３-１０", DATE_FORM),  # full-width digits are no date here
    ],
)  # fmt: skip
def test_a_date_or_time_in_another_form_is_refused_naming_row_and_column(
    tmp_path: Path, column: str, value: str, reason: str
) -> None:
    rows = [minimal_row(), full_row(**{column: value})]
    assert refused(tmp_path, rows) == [f"row 3, column {column}: {reason}"]
    assert not Episode.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-10T09:15", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),  # winter time, UTC+1
        ("2026-03-10 09:15", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),  # as Excel writes it
        ("2026-03-10 09:15:30", datetime(2026, 3, 10, 8, 15, 30, tzinfo=UTC)),
        ("2026-03-10 09:15+01:00", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),
        ("2026-03-10T09:15+0100", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),
        ("2026-03-10T08:15Z", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),
        ("2026-03-10T11:15+03:00", datetime(2026, 3, 10, 8, 15, tzinfo=UTC)),
    ],
)
def test_the_forms_of_a_time_that_are_read(tmp_path: Path, value: str, expected: datetime) -> None:
    import_rows(tmp_path, [full_row(ready_notice_at=value)])
    assert Episode.objects.get(external_id="A-1").ready_notice_at == expected


def test_a_notice_after_noon_gives_the_liable_days_of_its_real_time(tmp_path: Path) -> None:
    # Jämtland (per episode, noon cut-off, liable from day 3): ready on Friday 13 February,
    # the notice sent at 12:30, discharged on the 18th. Day 1 is the 14th, so the 16th-18th
    # are liable: 3 days, 27 900 kr. Read as 12:00:00.3 it was 4 days, 37 200 kr.
    load_shipped("jamtland")
    ready, discharged = date(2026, 2, 13), date(2026, 2, 18)
    notice = stay("J-1", 1, ready, discharged, kommun="2380", ready_notice="12:30")
    import_rows(tmp_path, [notice])
    [line] = report("jamtland", "2026-02", "2026-02")["episodes"]
    assert (line["liable_days"], line["amount_sek"]) == (3, 27900)
    dotted = dict(notice, episode_id="J-2", ready_notice_at="2026-02-13 12.30")
    assert refused(tmp_path, [dotted])[0].startswith("row 2, column ready_notice_at: expected")


# --- Known values kept without their message --------------------------------------------------


def test_a_preliminary_date_without_an_admission_notice_is_kept_and_reported_missing(
    tmp_path: Path,
) -> None:
    load_shipped("vasterbotten")
    row = stay("P-1", 1, date(2026, 3, 10), date(2026, 3, 16), admission_notice=False,
               preliminary_ready_date="2026-03-09")  # fmt: skip
    out = import_rows(tmp_path, [row, full_row()])
    assert out.startswith("episodes.csv: 2 new, 0 updated, 0 unchanged episodes; 12 events")
    assert "1 preliminary ready dates without an admission notice" in out
    episode = Episode.objects.get(external_id="P-1")
    assert (episode.preliminary_ready_date, episode.admission_notice_at) == (date(2026, 3, 9), None)
    assert episode.preliminary_deviation_days == 1  # ready 10 March, preliminary 9 March
    assert list(episode.events.order_by("seq").values_list("kind", flat=True)) == [
        "registered", "preliminary_date_recorded", "ready_notice", "discharge",
    ]  # fmt: skip
    lines = {e["episode_id"]: e for e in report("vasterbotten", "2026-03", "2026-03")["episodes"]}
    assert lines["P-1"]["prerequisites_missing"] == ["admission_notice"]
    assert lines["P-1"]["liable_days"] == 0
    assert lines["A-1"]["prerequisites_missing"] == []
    # The same file again changes nothing.
    events = EpisodeEvent.objects.count()
    again = import_rows(tmp_path, [row, full_row()], "again.csv")
    assert again.startswith("again.csv: 0 new, 0 updated, 2 unchanged episodes; 0 events")
    assert EpisodeEvent.objects.count() == events


def test_a_sip_meeting_without_an_invitation_is_kept(tmp_path: Path) -> None:
    row = full_row(sip_invitation_at="", sip_held_date="2026-03-12")
    import_rows(tmp_path, [row])
    episode = Episode.objects.get(external_id="A-1")
    assert (episode.sip_held_date, episode.sip_invitation_at) == (date(2026, 3, 12), None)
    assert episode.sip_held_after_days is None
    assert episode.health_centre is not None
    assert "sip_held_recorded" in set(episode.events.values_list("kind", flat=True))
    assert import_rows(tmp_path, [row], "again.csv").startswith(
        "again.csv: 0 new, 0 updated, 1 unchanged episodes; 0 events"
    )


# --- Contradictions, named on their columns -----------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param(
            # Ready on the 17th (notice sent that day), discharged on the 16th.
            {"ready_date": "2026-03-17", "ready_notice_at": "2026-03-17T09:00"},
            "row 2, column discharged_at: The discharge is before the ready date (ready_date "
            "later).",
            id="discharged-before-the-ready-date",
        ),
        pytest.param(
            # Ready on the 16th, but the notice was sent after the patient left that day.
            {"ready_date": "2026-03-16", "ready_notice_at": "2026-03-16T15:00"},
            "row 2, column discharged_at: The time is before the episode's latest message "
            "(ready_notice_at later).",
            id="ready-notice-after-the-discharge",
        ),
        pytest.param(
            {"destination": "ordinary_home", "discharged_at": ""},
            "row 2, column destination: given without discharged_at (the destination belongs "
            "to the discharge)",
            id="destination-without-discharge",
        ),
        pytest.param(
            {"ready_date": "", "preliminary_ready_date": ""},
            "row 2, column ready_date: required when ready_notice_at is given (the ready notice "
            "carries the ready date)",
            id="ready-notice-without-its-date",
        ),
    ],
)
def test_a_contradiction_is_named_on_its_columns(
    tmp_path: Path, values: dict[str, str], expected: str
) -> None:
    row = full_row(sip_needed="nej", sip_invitation_at="", sip_held_date="", **values)
    assert refused(tmp_path, [row]) == [expected]
    assert not Episode.objects.exists()
