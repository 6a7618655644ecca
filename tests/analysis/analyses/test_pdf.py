"""The PDF (WeasyPrint), read back with poppler's pdftotext and pdffonts: every Bilaga 1 row
label, each patient's personnummer and dates, the actions, the footer; the group's copy
without names or personnummer; DejaVu Sans embedded (nothing fetched); more than 20 patients
built by the Celery task with its progress, then downloaded (access-logged)."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from analysis.analyses import pdf
from analysis.analyses.checklist import all_labels
from analysis.analyses.models import AnalysisPdf, PdfStage, PdfStatus
from discharges.models import AccessAction, AccessLogEntry
from discharges.personnummer import format_personnummer
from tests.analysis.analyses.conftest import March
from tests.analysis.analyses.pdftools import pdf_text, pdf_tool, squashed
from tests.conftest import Personas, login

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    """Words joined by single spaces (table cells wrap their lines)."""
    return re.sub(r"\s+", " ", text)


def test_the_pdf_holds_every_row_patient_date_and_action(
    filled: March, personas: Personas, tmp_path: Path
) -> None:
    content = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=False)
    assert content.startswith(b"%PDF")
    text = flat(pdf_text(content, tmp_path))
    with translation.override("sv"):
        for label in all_labels():
            assert squashed(label) in squashed(text), label
    for episode in (filled.first, filled.second, filled.psych):
        assert format_personnummer(episode.patient.personnummer) in text
        assert episode.patient.name in text
        assert episode.ready_date.isoformat() in text
        assert episode.discharge_date.isoformat() in text
    assert "2026-03-05" in text and "10:35" in text  # notice date, ready notice's klockslag
    assert "Ingen korttidsplats ledig" in text and "BHL, EC hemtjänst Ersboda" in text
    assert "Korttidsplatser bokas via gemensam lista" in text
    assert "Enhetschef korttidsboende" in text and "Listan införd på två enheter" in text
    assert ("2480 Umeå" in text and "5,00" in text) or "5.00" in text  # the month's average
    pages = int(re.search(r"Pages:\s+(\d+)", pdf_tool("pdfinfo", content, tmp_path))[1])  # type: ignore[index]
    assert pages >= 5  # the header, one page per patient, the actions
    assert "Utskrivet dokument är en kopia" in text
    assert f"Sida 1 av {pages}" in text and f"Sida {pages} av {pages}" in text


def test_the_groups_pdf_has_running_numbers_only(
    filled: March, personas: Personas, tmp_path: Path
) -> None:
    response = login(personas.joint_group).post(
        reverse("analysis:analyses:pdf", kwargs={"pk": filled.analysis.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "utan-personuppgifter" in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    for episode in (filled.first, filled.second, filled.psych):
        number = episode.patient.personnummer
        for form in (number, format_personnummer(number), number[2:], episode.patient.name):
            assert form not in text
    assert "Patient 1" in text and "Patient 3" in text
    logged = AccessLogEntry.objects.filter(user=personas.joint_group, action=AccessAction.EXPORT)
    assert logged.count() == 3


def test_the_font_is_dejavu_sans_embedded(
    filled: March, personas: Personas, tmp_path: Path
) -> None:
    content = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=True)
    fonts = pdf_tool("pdffonts", content, tmp_path)
    rows = [line.split() for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("DejaVu-Sans" in row[0] for row in rows), fonts
    assert all(row[-5] == "yes" for row in rows), fonts  # the "emb" column


def test_the_pdf_fetches_nothing_but_the_projects_static_files() -> None:
    for url in ("https://fonts.example.org/x.css", "file:///etc/passwd", "svu-static:../../x"):
        with pytest.raises(pdf.FetchRefused):
            pdf.local_fetcher(url)
    assert pdf.local_fetcher("svu-static:css/analyses.css")["string"].startswith(b"/*")


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run where they are sent, as on the embedded default, also when REDIS_URL is set
    (CI): a real worker builds the PDF in tests/integration/test_celery_analysis.py."""
    from svu.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


def test_a_large_pdf_is_built_by_the_task_and_offered_when_ready(
    eager: None,
    filled: March,
    personas: Personas,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
    tmp_path: Path,
) -> None:
    assert pdf.INLINE_MAX_PATIENTS == 20
    monkeypatch.setattr(pdf, "INLINE_MAX_PATIENTS", 2)  # three patients: the task builds it
    stages: list[tuple[str, int, int]] = []
    record = pdf._record

    def spy(job: AnalysisPdf, **fields: Any) -> None:
        record(job, **fields)
        if "done" in fields:  # the progress of a stage
            stages.append((fields["stage"], fields["done"], fields["total"]))

    monkeypatch.setattr(pdf, "_record", spy)
    client = login(personas.processledare)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("analysis:analyses:pdf", kwargs={"pk": filled.analysis.pk}))
    job = AnalysisPdf.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "analysis:analyses:pdf_status", kwargs={"pk": filled.analysis.pk, "job_id": job.pk}
    )
    assert stages[0] == (PdfStage.COLLECTING, 0, 3)
    assert (PdfStage.COLLECTING, 3, 3) in stages and stages[-1][0] == PdfStage.WRITING
    assert (job.status, job.percent, job.size) == (PdfStatus.DONE, 100, len(job.content))
    status = client.get(response["Location"]).content.decode()
    assert 'id="pdf-download"' in status and 'http-equiv="refresh"' not in status
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()
    download = client.get(
        reverse(
            "analysis:analyses:pdf_download", kwargs={"pk": filled.analysis.pk, "job_id": job.pk}
        )
    )
    assert download.status_code == 200
    assert format_personnummer(filled.first.patient.personnummer) in pdf_text(
        download.content, tmp_path
    )
    assert (
        AccessLogEntry.objects.filter(
            user=personas.processledare, action=AccessAction.EXPORT
        ).count()
        == 3
    )
    group = login(personas.joint_group)  # the processledare's copy has names: not the group's
    assert group.get(response["Location"]).status_code == 404


def test_a_running_job_shows_its_progress_and_polls(filled: March, personas: Personas) -> None:
    job = AnalysisPdf.objects.create(
        analysis=filled.analysis, pseudonymised=False, requested_by=personas.processledare,
        status=PdfStatus.RUNNING, stage=PdfStage.COLLECTING, done=1, total=3,
    )  # fmt: skip
    page = login(personas.processledare).get(
        reverse("analysis:analyses:pdf_status", kwargs={"pk": filled.analysis.pk, "job_id": job.pk})
    )
    text = page.content.decode()
    assert 'http-equiv="refresh"' in text
    assert "1 av 3 patienter" in text and 'value="16"' in text
    assert 'id="pdf-download"' not in text


def test_the_collector_is_paused_while_weasyprint_works_and_restored_after(
    filled: March, personas: Personas, monkeypatch: Any
) -> None:
    """The cyclic garbage collector is off while the PDF is built: gathering the checklists,
    the HTML template, WeasyPrint's layout and writing (a third of the CPU time otherwise:
    bench/analysis_pdf.py), on again afterwards."""
    from weasyprint import HTML
    from weasyprint.document import Document

    seen: list[tuple[str, bool]] = []
    render, write = HTML.render, Document.write_pdf

    def spied_render(self: HTML, *args: Any, **kwargs: Any) -> Document:
        seen.append(("layout", gc.isenabled()))
        return render(self, *args, **kwargs)

    def spied_write(self: Document, *args: Any, **kwargs: Any) -> Any:
        seen.append(("writing", gc.isenabled()))
        return write(self, *args, **kwargs)

    build_sheets, render_to_string = pdf.build_sheets, pdf.render_to_string

    def spied_sheets(*args: Any, **kwargs: Any) -> Any:
        seen.append(("gathering", gc.isenabled()))
        return build_sheets(*args, **kwargs)

    def spied_template(*args: Any, **kwargs: Any) -> str:
        seen.append(("html", gc.isenabled()))
        return render_to_string(*args, **kwargs)

    monkeypatch.setattr(HTML, "render", spied_render)
    monkeypatch.setattr(Document, "write_pdf", spied_write)
    monkeypatch.setattr(pdf, "build_sheets", spied_sheets)
    monkeypatch.setattr(pdf, "render_to_string", spied_template)
    assert gc.isenabled()
    content = pdf.render_pdf(filled.analysis, personas.processledare, pseudonymised=True)
    assert content.startswith(b"%PDF")
    assert seen == [("gathering", False), ("html", False), ("layout", False), ("writing", False)]
    assert gc.isenabled()


def test_the_collector_comes_back_when_the_render_fails(filled: March, personas: Personas) -> None:
    def fail_when_writing(stage: str, done: int, total: int) -> None:
        if stage == PdfStage.WRITING:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        pdf.render_pdf(
            filled.analysis, personas.processledare, pseudonymised=True,
            progress=fail_when_writing,
        )  # fmt: skip
    assert gc.isenabled()


def test_nested_pauses_restore_the_collector_once_and_only_if_it_was_on() -> None:
    with pdf.collector_paused():
        with pdf.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer render is still working
    assert gc.isenabled()
    gc.disable()  # someone else's choice, kept
    try:
        with pdf.collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
