"""The analysis as a PDF (WeasyPrint, A4, Swedish): the header, one Bilaga 1 table per patient,
the actions; page numbers and "Utskrivet dokument är en kopia" in the footer.

Small analyses (``INLINE_MAX_PATIENTS`` patients or fewer) are built in the request; larger
ones by a Celery task that records its progress on the ``AnalysisPdf`` row, which the page
polls. Nothing is fetched while rendering: the stylesheet is inlined, the font is DejaVu Sans
from the system (Debian's fonts-dejavu-core, installed by ``make system-deps`` and the
Dockerfile), and the URL fetcher serves only the project's own static files.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone, translation

from analysis.analyses import pdf_parts
from analysis.analyses.access import GROUP, LEAD, AnalysisAccess, analysis_actions
from analysis.analyses.checklist import COLUMNS, MAIN_DETAILS
from analysis.analyses.models import (
    Analysis,
    AnalysisPdf,
    Column,
    PdfStage,
    PdfStatus,
)
from analysis.analyses.sheets import Sheet, build_sheets
from analysis.models import StatCareType
from discharges.outbox import enqueue

INLINE_MAX_PATIENTS = 20
# Patients gathered per step of the progress (two queries each).
CHUNK = 10
STATIC_PREFIX = "svu-static:"

Progress = Callable[[str, int, int], None]


class FetchRefused(ValueError):
    """The PDF asked for a resource that is not one of the project's static files."""


def local_fetcher(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher: ``svu-static:<path>`` from the static files, nothing else
    (no network, no arbitrary file)."""
    if url.startswith(STATIC_PREFIX):
        try:
            path = finders.find(url.removeprefix(STATIC_PREFIX))
        except SuspiciousFileOperation:  # a path out of the static directories
            path = None
        if isinstance(path, str):
            with open(path, "rb") as handle:
                return {"string": handle.read(), "filename": path}
    raise FetchRefused(f"the PDF may not fetch {url[:80]!r}")


_pauses = 0
_reenable = False
_pauses_lock = threading.Lock()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a PDF is built: gathering the checklists,
    the HTML, WeasyPrint's layout and writing.

    A 50-patient PDF makes a few million objects (model rows, sheets, elements, styles, boxes,
    their copies per page), many of them kept to the end: every few thousand allocations the
    collector runs, and its full collections scan the whole heap again, a third of the CPU time
    of the render (bench/analysis_pdf.py); paused over the gathering too, that stage takes
    0.12 s instead of 0.5 s. Reference counting still frees what the render drops; the
    few cycles it leaves are collected once the collector runs again. Nested or concurrent
    renders (threads) restore the collector only when the last one ends, and only if it was
    enabled before the first.
    """
    global _pauses, _reenable
    with _pauses_lock:
        if _pauses == 0:
            _reenable = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pauses_lock:
            _pauses -= 1
            if _pauses == 0 and _reenable:
                gc.enable()


def reader(analysis: Analysis, user: User, *, pseudonymised: bool) -> AnalysisAccess:
    """The access a PDF is built with: the processledare's, or the group's (running numbers)."""
    return AnalysisAccess(user, analysis, GROUP if pseudonymised else LEAD, None, None)


def gather(access: AnalysisAccess, progress: Progress | None = None) -> list[Sheet]:
    patients = list(access.patients())
    sheets: list[Sheet] = []
    for start in range(0, len(patients), CHUNK):
        if progress is not None:
            progress(PdfStage.COLLECTING, start, len(patients))
        sheets.extend(build_sheets(access, patients[start : start + CHUNK]))
    if progress is not None:
        progress(PdfStage.COLLECTING, len(patients), len(patients))
    return sheets


def document_html(
    access: AnalysisAccess,
    sheets: list[Sheet],
    *,
    part: slice | None = None,
    numbered: bool = True,
) -> str:
    """The analysis as HTML for WeasyPrint: the whole, or (``part``) the checklists of that
    slice of ``sheets``, with the header and patient list only in the part from the first and
    the actions only in the part to the end; ``numbered=False`` leaves out "Sida X av Y"."""
    analysis = access.analysis
    part = part or slice(None)
    start, stop, _ = part.indices(len(sheets))
    with translation.override("sv"):
        return render_to_string(
            "pdf/analysis.html",
            {
                "analysis": analysis,
                "care_type": StatCareType(analysis.care_type).label,
                "listed": sheets,
                "sheets": sheets[part],
                "with_header": start == 0,
                "actions": analysis_actions(analysis) if stop == len(sheets) else None,
                "numbered": numbered,
                "columns": [Column(c).label for c in COLUMNS],
                "main_details": MAIN_DETAILS,
                "identified": access.identified,
                "printed_at": timezone.localtime(),
            },
        )


def render_pdf(
    analysis: Analysis, user: User, *, pseudonymised: bool, progress: Progress | None = None
) -> bytes:
    """The PDF's bytes (~3 s for 50 patients on two cores: bench/analysis_pdf.py). From
    ``pdf_parts.MIN_SHEETS`` checklists on, laid out in two processes (``pdf_parts``)."""
    with collector_paused():
        access = reader(analysis, user, pseudonymised=pseudonymised)
        sheets = gather(access, progress)
        writing = None
        if progress is not None:
            progress(PdfStage.LAYOUT, len(sheets), len(sheets))
            writing = lambda: progress(PdfStage.WRITING, len(sheets), len(sheets))  # noqa: E731
        if len(sheets) >= pdf_parts.MIN_SHEETS and pdf_parts.processes() > 1:
            half = slice(0, len(sheets) // 2), slice(len(sheets) // 2, None)
            first, rest = (document_html(access, sheets, part=p, numbered=False) for p in half)
            with translation.override("sv"):
                return pdf_parts.render_in_two(html_to_pdf, first, rest, writing)
        return html_to_pdf(document_html(access, sheets), writing)


def html_to_pdf(html: str, writing: Callable[[], None] | None = None) -> bytes:
    """WeasyPrint's layout of ``html``, then its PDF (``writing`` called between the two)."""
    from weasyprint import HTML  # imported here: it loads Pango, which the pages never need

    document = HTML(string=html, url_fetcher=local_fetcher, base_url=STATIC_PREFIX).render()
    if writing is not None:
        writing()
    pdf: bytes = document.write_pdf()
    return pdf


def filename(analysis: Analysis, *, pseudonymised: bool) -> str:
    suffix = "-utan-personuppgifter" if pseudonymised else ""
    return (
        f"analys-fordrojd-hemgang-{analysis.kommun.code}-{analysis.month:%Y-%m}-"
        f"{analysis.care_type}{suffix}.pdf"
    )


# --- Large PDFs: built by a Celery task, with progress ---------------------------------------


def builds_inline(analysis: Analysis) -> bool:
    return analysis.patients.count() <= INLINE_MAX_PATIENTS


def queue_pdf(analysis: Analysis, user: User, *, pseudonymised: bool) -> AnalysisPdf:
    """A PDF job, queued for the worker after the commit."""
    from analysis.tasks import build_analysis_pdf  # the task calls back into this module

    job = AnalysisPdf.objects.create(
        analysis=analysis,
        pseudonymised=pseudonymised,
        requested_by=user,
        total=analysis.patients.count(),
    )
    enqueue(build_analysis_pdf.name, job.pk)  # kept and sent later when Redis is down
    return job


def _record(job: AnalysisPdf, **fields: Any) -> None:
    """Progress is written at once (its own short transaction): the page polls it."""
    for name, value in fields.items():
        setattr(job, name, value)
    AnalysisPdf.objects.filter(pk=job.pk).update(**fields)


def build_job(job_id: int) -> AnalysisPdf:
    """The task's work: build the job's PDF, store it, drop the older ones of the variant."""
    job = AnalysisPdf.objects.select_related("analysis__kommun", "requested_by").get(pk=job_id)
    if job.status == PdfStatus.DONE:
        return job  # a retried delivery of a finished task
    _record(job, status=PdfStatus.RUNNING)

    def progress(stage: str, done: int, total: int) -> None:
        _record(job, stage=stage, done=done, total=total)

    try:
        content = render_pdf(
            job.analysis, job.requested_by, pseudonymised=job.pseudonymised, progress=progress
        )
    except Exception as exc:
        _record(job, status=PdfStatus.FAILED, error=type(exc).__name__[:300])
        raise
    _record(
        job,
        status=PdfStatus.DONE,
        stage=PdfStage.FINISHED,
        content=content,
        size=len(content),
        finished_at=timezone.now(),
    )
    AnalysisPdf.objects.filter(
        analysis=job.analysis, pseudonymised=job.pseudonymised, status=PdfStatus.DONE
    ).exclude(pk=job.pk).delete()
    return job
