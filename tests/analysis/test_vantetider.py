"""The national export (analysis.vantetider): ``export_vantetider`` and the processledare's
download, against a hand count.

Region 24, March and April 2026 (ready days = discharge date - ready date):

- Umeå, somatic: ready days 0 (not counted nationally), 1, 2, 3, 3, 4, 4, 5, 7: 8 episodes,
  29 days, 29 / 8 = 3.625 -> 3.63 (halves up; rounding half to even would give 3.62); beds
  29 / 31 = 0.935... -> 0.94. A stay discharged without a ready date and one still in
  hospital do not count; nor does a Stockholm resident at the same ward. April: one same-day
  discharge: 0 episodes, no average, 0.00 beds.
- Skellefteå: somatic 1 and 2, psychiatric 4: 3 episodes (care types together), 7 / 3 = 2.33;
  beds 7 / 31 = 0.2258 -> 0.23.
- Every other kommun of the region: a row of zeros for each month.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, load_command_class
from django.urls import reverse

from analysis.vantetider import BadExport, parse_period
from discharges.models import Kommun
from tests.analysis.indicator_data import Builder, at
from tests.conftest import OrgTree, Personas, login
from tests.csvfiles import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def stays(personas: Personas, org_tree: OrgTree) -> None:
    b = Builder(personas, org_tree)

    def stay(days: int | None, ready: date, **kwargs: object) -> None:
        kommun = kwargs.pop("kommun", org_tree.umea)
        patient = b.patient(kommun=kommun)  # type: ignore[arg-type]
        discharged = at(ready + timedelta(days=days), 12) if days is not None else None
        b.stay(patient, at(ready - timedelta(days=2), 8), ready=ready, discharged=discharged,
               **kwargs)  # type: ignore[arg-type]  # fmt: skip

    march = date(2026, 3, 10)
    for days in (0, 1, 2, 3, 3, 4, 4, 5, 7):
        stay(days, march)
    stay(None, march)  # still in hospital
    b.stay(b.patient(), at(march, 8), discharged=at(march, 15))  # no ready date
    stay(9, march, kommun=Kommun.objects.get(code="0180"))  # Stockholm: another region
    stay(0, date(2026, 4, 12))
    stay(1, march, kommun=org_tree.skelleftea)
    stay(2, march, kommun=org_tree.skelleftea)
    stay(4, march, kommun=org_tree.skelleftea, ward=org_tree.psych_ward)
    stay(6, date(2026, 2, 10))  # February: before the period


def test_the_command_writes_the_hand_count(stays: None) -> None:
    out, _err = run_command("export_vantetider", "--region", "24", "--from", "2026-03",
                            "--to", "2026-04")  # fmt: skip
    lines = out.splitlines()
    assert lines[0] == "kommun,month,episodes,average_ready_days,beds_occupied"
    assert "2480,2026-03,8,3.63,0.94" in lines
    assert "2480,2026-04,0,,0.00" in lines
    assert "2482,2026-03,3,2.33,0.23" in lines
    assert "2482,2026-04,0,,0.00" in lines
    region_kommuner = Kommun.objects.filter(code__startswith="24").count()
    assert len(lines) == 1 + 2 * region_kommuner
    others = [line for line in lines[1:] if not line.startswith(("2480,", "2482,"))]
    assert others and all(line.endswith(",0,,0.00") for line in others)
    assert not any(line.startswith("0180,") for line in lines)


def test_the_command_writes_a_file(stays: None, tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "vantetider.csv"
    run_command("export_vantetider", "--region", "24", "--from", "2026-03", "--to", "2026-03",
                "--output", str(target))  # fmt: skip
    assert "2480,2026-03,8,3.63,0.94" in target.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--region", "24", "--from", "2026-13", "--to", "2026-04"], "--from"),
        (["--region", "24", "--from", "2026-03", "--to", "march"], "--to"),
        (["--region", "24", "--from", "2026-05", "--to", "2026-03"], "--to"),
        (["--region", "24", "--from", "1899-01", "--to", "2026-03"], "--from"),
        (["--region", "99", "--from", "2026-01", "--to", "2026-03"], "--region"),
        (["--region", "Västerbotten", "--from", "2026-01", "--to", "2026-03"], "--region"),
    ],
)
def test_bad_input_is_an_error_naming_the_option(
    db: None, args: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError) as info:
        run_command("export_vantetider", *args)
    assert str(info.value).startswith(named)
    # From the command line: one line on standard error, exit status 1, no traceback.
    with pytest.raises(SystemExit) as exit_info:
        # run_from_argv, not ManagementUtility: that calls django.setup() again, which points
        # the logging handlers at this test's captured (then closed) standard error.
        command = load_command_class("analysis", "export_vantetider")
        command.run_from_argv(["manage.py", "export_vantetider", *args])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("CommandError: ") and named in err
    assert "Traceback" not in err


def test_a_period_over_the_limit_is_refused() -> None:
    with pytest.raises(BadExport):
        parse_period("2000-01", "2026-01")


URL = reverse("analysis:vantetider", args=["24"])


def test_the_processledare_downloads_it_in_swedish(stays: None, personas: Personas) -> None:
    response = login(personas.processledare).get(URL, {"from": "2026-03", "to": "2026-04"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="vantetider-24-2026-03-2026-04.csv"'
    )
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffkommun;month;episodes;average_ready_days;beds_occupied\r\n")
    lines = body.lstrip("\ufeff").split("\r\n")
    assert "2480;2026-03;8;3,63;0,94" in lines
    assert "2482;2026-03;3;2,33;0,23" in lines


def test_a_bad_period_in_the_download_is_a_400(personas: Personas, db: None) -> None:
    response = login(personas.processledare).get(URL, {"from": "2026-13", "to": "2026-04"})
    assert response.status_code == 400
    assert response.content.decode().startswith("Från: ange en månad som ÅÅÅÅ-MM")
    assert "2026-13" in response.content.decode()


@pytest.mark.parametrize("name", ["ward_nurse", "kommun_planner", "hc_coordinator"])
def test_others_do_not_get_the_download(personas: Personas, name: str) -> None:
    response = login(getattr(personas, name)).get(URL, {"from": "2026-03", "to": "2026-04"})
    assert response.status_code == 404
