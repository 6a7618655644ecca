"""``list_analyses --format json`` and ``export_analysis_pdf``, on the embedded default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management.base import CommandError

from analysis.analyses.models import Analysis
from analysis.analyses.services import start_analysis
from discharges.models import AccessAction, AccessLogEntry, Kommun
from tests.analysis.analyses.conftest import March
from tests.analysis.analyses.pdftools import pdf_text
from tests.conftest import Personas
from tests.csvfiles import run_command

pytestmark = pytest.mark.django_db


def test_list_analyses_prints_one_object_per_analysis(march: March, personas: Personas) -> None:
    start_analysis(
        user=personas.processledare,
        kommun=Kommun.objects.get(code="2482"),
        care_type="all",
        month=march.analysis.month,
    )
    out, _err = run_command("list_analyses", "--format", "json")
    assert json.loads(out) == [
        {"kommun": "2480", "care_type": "all", "month": "2026-03", "average": 5.0, "patients": 3},
        {"kommun": "2482", "care_type": "all", "month": "2026-03", "average": None, "patients": 0},
    ]
    out, _err = run_command("list_analyses", "--kommun", "2480")
    assert out.strip() == ("2480 2026-03 all       average 5.00 (threshold 3.00), 3 patients, open")


def test_export_analysis_pdf_writes_the_pdf_and_logs_the_export(
    march: March, personas: Personas, tmp_path: Path
) -> None:
    out_file = tmp_path / "analys.pdf"
    out, _err = run_command(
        "export_analysis_pdf", "--kommun", "2480", "--month", "2026-03", str(out_file)
    )
    assert out_file.read_bytes().startswith(b"%PDF")
    assert out.startswith(f"{out_file}: 3 patients, ")
    logged = AccessLogEntry.objects.filter(action=AccessAction.EXPORT)
    assert set(logged.values_list("user__username", flat=True)) == {"integration"}
    assert logged.count() == 3
    run_command(
        "export_analysis_pdf", "--kommun", "2480", "--month", "2026-03", "--user",
        "processledare", str(tmp_path / "b.pdf"),
    )  # fmt: skip
    assert logged.filter(user=personas.processledare).count() == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kommun", "2480", "--month", "2026-13"], "--month:"),
        (["--kommun", "2482", "--month", "2026-03"], "no analysis of kommun '2482'"),
        (["--kommun", "2480", "--month", "2026-03", "--user", "joint_group"], "not the region"),
        (["--kommun", "2480", "--month", "2026-03", "--user", "nobody"], "no user 'nobody'"),
    ],
)
def test_export_analysis_pdf_refuses_bad_arguments(
    march: March, tmp_path: Path, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run_command("export_analysis_pdf", *args, str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()
    assert Analysis.objects.count() == 1


def test_the_group_exports_only_without_names(march: March, tmp_path: Path) -> None:
    out_file = tmp_path / "grupp.pdf"
    run_command(
        "export_analysis_pdf", "--kommun", "2480", "--month", "2026-03", "--pseudonymised",
        "--user", "joint_group", str(out_file),
    )  # fmt: skip
    text = pdf_text(out_file.read_bytes(), tmp_path)
    assert march.first.patient.name not in text and "Patient 1" in text
