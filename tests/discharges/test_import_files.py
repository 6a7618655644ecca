"""The import reads the files regions really export (issue 8): ``;`` as Swedish Excel saves,
Windows-1252 from older systems, a byte-order mark, CRLF line ends, quoted cells holding line
breaks; and says what is wrong with a file it cannot read as ``row N, column X: reason``, never
a traceback: a quote never closed, a workbook or UTF-16 text instead of CSV, a header it cannot
split. Files are written under tmp_path and imported through the command, as a person would.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from discharges.imports import running
from discharges.models import Episode, HealthCentre, Hospital, Patient, Ward
from tests.csvfiles import COLUMNS, csv_text, full_row, minimal_row, pnr, row, run_command, stay

pytestmark = pytest.mark.django_db

# Names with å, ä and ö: what an encoding can get wrong.
SWEDISH = {
    "hospital": "Skellefteå lasarett",
    "ward": "Avdelning Ö2 – medicin",
    "health_centre": "Ålidhems hälsocentral",
}


def history() -> list[dict[str, str]]:
    """Four stays with Swedish names: every column filled, only the required facts, a stay
    with a ready date but no notice, and one with a preliminary date but no admission notice."""
    return [
        full_row(**SWEDISH),
        minimal_row(),
        stay("S-1", 6, date(2026, 3, 3), date(2026, 3, 5), ready_notice=None, **SWEDISH),
        stay("S-2", 7, date(2026, 3, 3), date(2026, 3, 9), admission_notice=False,
             preliminary_ready_date="2026-03-02"),
    ]  # fmt: skip


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def import_file(path: Path, *args: str) -> str:
    return run_command("import_episodes", str(path), *args)[0]


def refused(path: Path, *args: str) -> list[str]:
    """The error lines of a file the command must refuse."""
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"), translation.override("en"):
        call_command("import_episodes", str(path), *args, stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def stored() -> dict[str, Any]:
    """Everything the import stored, without database keys (so that two imports compare)."""
    episodes = {}
    for episode in Episode.objects.select_related(
        "patient", "kommun", "ward__hospital", "health_centre"
    ):
        projection = {
            name: value
            for name, value in vars(episode).items()
            if not name.startswith("_")
            and not name.endswith("_id")
            and name not in ("id", "created_at")
        }
        events = [
            (
                e.seq,
                e.kind,
                e.occurred_at,
                {k: v for k, v in e.data.items() if not k.endswith("_id")},
            )
            for e in episode.events.order_by("seq")
        ]
        episodes[episode.external_id] = {
            **projection,
            "patient": episode.patient.personnummer,
            "kommun": episode.kommun.code,
            "ward": (episode.ward.hospital.name, episode.ward.name),
            "health_centre": episode.health_centre.name if episode.health_centre else None,
            "events": events,
        }
    return episodes


def imported(path: Path) -> dict[str, Any]:
    """What importing ``path`` stores (rolled back afterwards)."""
    with transaction.atomic():
        import_file(path)
        result = stored()
        transaction.set_rollback(True)
    return result


# --- The same history in the forms files come in ----------------------------------------------


@pytest.mark.parametrize(
    ("separator", "encoding", "line_end"),
    [
        (";", "utf-8-sig", "\r\n"),  # Swedish Excel: "CSV UTF-8 (kommaavgränsad)" with ;
        (";", "cp1252", "\r\n"),  # Swedish Excel: "CSV (semikolonavgränsad)"
        (",", "cp1252", "\n"),  # an older system's export
        (",", "utf-8-sig", "\n"),  # UTF-8 with a byte-order mark
    ],
)
def test_a_file_in_another_form_stores_the_same_as_the_plain_utf8_file(
    tmp_path: Path, separator: str, encoding: str, line_end: str
) -> None:
    plain = imported(write(tmp_path / "plain.csv", csv_text(history())))
    assert len(plain) == 4
    assert plain["A-1"]["ward"] == (SWEDISH["hospital"], SWEDISH["ward"])
    text = csv_text(history(), delimiter=separator, lineterminator=line_end)
    assert imported(write(tmp_path / "other.csv", text, encoding)) == plain


def test_windows_1252_is_recognised_and_can_be_named(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", csv_text([full_row(**SWEDISH)], delimiter=";"), "cp1252")
    import_file(path, "--encoding", "windows-1252")
    assert Hospital.objects.filter(name="Skellefteå lasarett").exists()
    assert HealthCentre.objects.filter(name="Ålidhems hälsocentral").exists()


def test_a_wrong_encoding_names_the_cells_it_cannot_read(tmp_path: Path) -> None:
    path = write(tmp_path / "latin.csv", csv_text([minimal_row(), full_row(**SWEDISH)]), "cp1252")
    lines = refused(path, "--encoding", "utf-8")
    assert [line.split(":")[0] for line in lines] == [
        "row 3, column hospital", "row 3, column ward", "row 3, column health_centre",
        "row 3, column track_colour",  # röd
    ]  # fmt: skip
    assert "not characters in the file's encoding" in lines[0]
    assert not Episode.objects.exists()


def test_an_unknown_encoding_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", csv_text([minimal_row()]))
    with pytest.raises(CommandError, match="unknown encoding 'klingon'"):
        run_command("import_episodes", str(path), "--encoding", "klingon")


def test_a_quoted_line_break_stays_in_its_row(tmp_path: Path) -> None:
    # Excel writes a wrapped cell quoted, with the line break inside: one row, not two. The
    # next row's error is reported on row 4, as the spreadsheet numbers it.
    rows = [
        minimal_row(),
        full_row(hospital="Norrlands\r\nuniversitetssjukhus", ward="Avdelning 4\nmedicin"),
        minimal_row(episode_id="B-2", personnummer=pnr(3), kommun="9999"),
    ]
    path = write(tmp_path / "wrapped.csv", csv_text(rows, delimiter=";", lineterminator="\r\n"))
    assert refused(path) == ["row 4, column kommun: unknown kommunkod '9999'"]
    import_file(
        write(tmp_path / "ok.csv", csv_text(rows[:2], delimiter=";", lineterminator="\r\n"))
    )
    ward = Episode.objects.get(external_id="A-1").ward
    assert (ward.hospital.name, ward.name) == (
        "Norrlands universitetssjukhus",
        "Avdelning 4 medicin",
    )


def test_blank_rows_are_skipped_and_counted(tmp_path: Path) -> None:
    # Excel saves emptied rows as separators only.
    text = csv_text([minimal_row()], delimiter=";", lineterminator="\r\n")
    text += ";" * (len(COLUMNS) - 1) + "\r\n" + "\r\n"
    text += csv_text([minimal_row(episode_id="B-2", care_type="x")], delimiter=";",
                     lineterminator="\r\n").split("\r\n", 1)[1]  # fmt: skip
    assert refused(write(tmp_path / "blank.csv", text)) == [
        "row 5, column care_type: expected somatik or psykiatri"
    ]


# --- Files that cannot be read: one clear error -----------------------------------------------


def long_file(broken_row: int, rows: int) -> str:
    """``rows`` valid rows; row ``broken_row`` opens a quote in its hospital cell and never
    closes it."""
    data = [
        dict(
            stay(f"L-{n}", 0, date(2026, 3, 3), date(2026, 3, 5), hospital="Norrlands sjukhus"),
            personnummer=pnr(n % 1000, date(1940 + n // 1000, 5, 17)),
        )
        for n in range(rows)
    ]
    lines = csv_text(data).splitlines()
    index = broken_row - 1
    lines[index] = lines[index].replace("Norrlands sjukhus", '"Norrlands sjukhus')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("broken_row", "rows"),
    [
        (5, 2000),  # the rest of the file (300 kB) would be one cell: over the csv module's limit
        (1999, 2000),  # near the end: the file ends inside the quote
    ],
)
def test_a_quote_never_closed_is_one_clear_error(
    tmp_path: Path, broken_row: int, rows: int
) -> None:
    path = write(tmp_path / "quote.csv", long_file(broken_row, rows))
    assert refused(path) == [
        f'row {broken_row}, column hospital: a quoted value is never closed: a " opens it '
        'and no " ends it, so the rest of the file would be one cell'
    ]
    assert not Episode.objects.exists()
    assert not Patient.objects.exists()


def test_a_cell_longer_than_the_csv_module_reads_is_one_clear_error(tmp_path: Path) -> None:
    text = csv_text([minimal_row(), minimal_row(episode_id="B-2", hospital="x" * 140_000)])
    assert refused(write(tmp_path / "long.csv", text)) == [
        "row 3, column -: a cell is longer than the 131072 characters a cell may hold"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"PK\x03\x04rest-of-a-zip", "the file is an Excel workbook (.xlsx), not CSV"),
        ("episode_id\tpersonnummer\n".encode("utf-16"), "the file is UTF-16 text"),
    ],
)
def test_a_workbook_or_utf16_text_is_named(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    [line] = refused(path)
    assert line.startswith(f"row 1, column -: {expected}; save it from Excel as «CSV UTF-8»")


def test_a_header_split_by_another_separator_says_which_separators_are_read(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "tabs.csv", csv_text([minimal_row()], delimiter="\t"))
    assert refused(path) == [
        "row 1, column -: the first row names none of the columns (episode_id, personnummer, "
        "kommun, ...); it must be the header, its names separated by , or ;"
    ]


def test_the_header_is_read_whatever_its_case_and_spaces(tmp_path: Path) -> None:
    text = csv_text([minimal_row()], delimiter=";")
    header, rest = text.split("\n", 1)
    header = ";".join(f" {name.upper()} " for name in header.split(";"))
    import_file(write(tmp_path / "upper.csv", f"{header}\n{rest}"))
    assert Episode.objects.filter(external_id="B-1").exists()


def test_a_column_twice_in_the_header_is_named(tmp_path: Path) -> None:
    columns = [*COLUMNS, "kommun"]
    assert refused(write(tmp_path / "twice.csv", csv_text([minimal_row()], columns))) == [
        "row 1, column kommun: appears twice in the header"
    ]


def test_more_cells_than_columns(tmp_path: Path) -> None:
    text = csv_text([minimal_row()]).rstrip("\n") + ",extra\n"
    assert refused(write(tmp_path / "wide.csv", text)) == [
        f"row 2, column {len(COLUMNS) + 1}: more cells than the header's {len(COLUMNS)} "
        'columns (a value holding the separator must be quoted: "...")'
    ]


# --- Dry run, batches --------------------------------------------------------------------------


def test_a_dry_run_reports_what_would_be_stored_and_stores_nothing(tmp_path: Path) -> None:
    path = write(tmp_path / "history.csv", csv_text(history()))
    hospitals, wards = Hospital.objects.count(), Ward.objects.count()
    out = import_file(path, "--dry-run")
    assert out.startswith(
        "history.csv: dry run, nothing stored; the file would give 4 new, 0 updated, "
        "0 unchanged episodes; 17 events, 4 new patients; kept without their message (R5 "
        "reports it missing): 1 preliminary ready dates without an admission notice, 1 ready "
        "dates without a ready notice; new organisations: Skellefteå lasarett, "
    )
    assert not Episode.objects.exists()
    assert not Patient.objects.exists()
    assert (Hospital.objects.count(), Ward.objects.count()) == (hospitals, wards)
    assert import_file(path).startswith(
        "history.csv: 4 new, 0 updated, 0 unchanged episodes; 17 events"
    )


def test_batches_share_what_the_file_has_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of two rows: the patient of row 2 returns in row 5 (a second stay, one patient);
    # row 6 repeats row 3's episode id in a later batch.
    monkeypatch.setattr(running, "BATCH_ROWS", 2)
    first = stay("P-1", 1, date(2026, 3, 3), date(2026, 3, 5))
    again = stay("P-2", 1, date(2026, 3, 20), date(2026, 3, 22))
    rows = [first, minimal_row(), stay("P-3", 3, date(2026, 3, 3), None), again]
    import_file(write(tmp_path / "ok.csv", csv_text(rows)))
    assert Patient.objects.filter(personnummer=pnr(1)).count() == 1
    assert set(Episode.objects.filter(patient__personnummer=pnr(1)).values_list(
        "external_id", flat=True)) == {"P-1", "P-2"}  # fmt: skip
    stay_of = {"kommun": "2480", "care_type": "somatik", "admitted_at": "2026-03-01T08:00"}
    rows = [
        *(row(f"N-{n}", pnr(20 + n), **stay_of) for n in range(4)),
        row("N-1", pnr(30), **stay_of),
    ]
    before = Episode.objects.count()
    assert refused(write(tmp_path / "dup.csv", csv_text(rows))) == [
        "row 6, column episode_id: duplicate of row 3"
    ]
    assert Episode.objects.count() == before


# --- The progress bar --------------------------------------------------------------------------


def test_the_progress_bar_shows_rows_rate_and_time_left_for_large_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.management.base import OutputWrapper

    from discharges.management.commands import import_episodes

    clock = iter([100.0, 110.0, 120.0, 130.0, 150.0])  # start, then one reading per update
    monkeypatch.setattr(import_episodes.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    bar = import_episodes.ProgressBar(OutputWrapper(out))
    bar.update("checking", 20_000, 0.25)  # 10 s for a quarter of about 80,000 rows
    bar.update("checking", 40_000, 0.5)  # (not a terminal: a line each tenth)
    bar.update("checking", 80_000, 1.0)
    bar.update("writing", 40_000, 0.5)  # writing started when checking was last heard from
    assert out.getvalue().splitlines() == [
        "checking  [#######.......................]  25%      20,000 rows     2,000 rows/s  "
        "0:00:30 left",
        "checking  [###############...............]  50%      40,000 rows     2,000 rows/s  "
        "0:00:20 left",
        "checking  [##############################] 100%      80,000 rows     2,667 rows/s  "
        "0:00:00 left",
        "writing   [###############...............]  50%      40,000 rows     2,000 rows/s  "
        "0:00:20 left",
    ]


def test_no_progress_bar_for_a_small_file() -> None:
    from django.core.management.base import OutputWrapper

    from discharges.management.commands import import_episodes

    out = io.StringIO()
    bar = import_episodes.ProgressBar(OutputWrapper(out))
    bar.update("checking", 2_000, 0.4)  # about 5,000 rows
    bar.update("writing", 5_000, 1.0)
    assert out.getvalue() == ""
