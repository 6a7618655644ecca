"""The import refuses ids and names that a spreadsheet would run as formulas (issue 7, point 10).

An ``episode_id`` becomes the episode's reference, shown on pages and written to every CSV;
``hospital``, ``ward`` and ``health_centre`` become organisation names. A cell starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return is refused as ``row N, column X: ...``
and the file stores nothing (all or nothing, as for any error).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from discharges.models import Episode, Hospital, Patient
from tests.csvfiles import full_row, minimal_row, pnr, write_csv

FORMULAS = ["=1+1", "+46-90-123", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
REASON = "starts with =, +, -, @, a tab or a carriage return (a spreadsheet would run it)"


def import_errors(tmp_path: Path, rows: list[dict[str, str]]) -> list[str]:
    err = io.StringIO()
    with pytest.raises(CommandError), translation.override("en"):
        # CRLF line ends, as Excel writes them: a carriage return inside a cell is quoted.
        path = write_csv(tmp_path / "formulas.csv", rows, lineterminator="\r\n")
        call_command("import_episodes", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize("value", FORMULAS, ids=repr)
def test_an_episode_id_that_is_a_formula_is_refused(tmp_path: Path, value: str) -> None:
    rows = [minimal_row(episode_id="B-1"), minimal_row(episode_id=value, personnummer=pnr(3))]
    assert import_errors(tmp_path, rows) == [f"row 3, column episode_id: {REASON}"]
    assert not Episode.objects.exists()
    assert not Patient.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["hospital", "ward", "health_centre"])
def test_an_organisation_name_that_is_a_formula_is_refused(tmp_path: Path, column: str) -> None:
    hospitals = Hospital.objects.count()
    rows = [full_row(**{column: '=HYPERLINK("http://evil.example")'})]
    assert import_errors(tmp_path, rows) == [f"row 2, column {column}: {REASON}"]
    assert not Episode.objects.exists()
    assert Hospital.objects.count() == hospitals


@pytest.mark.django_db
def test_an_id_with_a_hyphen_or_a_plus_inside_is_imported(tmp_path: Path) -> None:
    rows = [minimal_row(episode_id="LC-2024+7"), full_row(episode_id="A-1")]
    path = write_csv(tmp_path / "fine.csv", rows)
    call_command("import_episodes", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert set(Episode.objects.values_list("external_id", flat=True)) == {"LC-2024+7", "A-1"}
