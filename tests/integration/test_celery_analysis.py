"""The analyses through a real Celery worker on Redis, against PostgreSQL: the statistics task
opens the analysis of a month over the threshold, and the PDF task builds a queued PDF with
its progress recorded (laid out in two processes, the worker forking the second). Skipped
without the engines on a developer's machine, a failure in CI (see test_celery_statistics.py,
whose broker and worker fixtures these tests share)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.analyses.pdftools import pdf_text
from tests.csvfiles import import_rows, load_shipped, stay
from tests.integration.test_celery_statistics import (  # noqa: F401 - fixtures used by name
    IN_CI,
    PROBLEM,
    real_broker,
    worker_closes_its_connections,
)


@pytest.mark.integration
@pytest.mark.skipif(PROBLEM is not None and not IN_CI, reason=str(PROBLEM))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_opens_the_analysis_and_builds_its_pdf(
    real_broker: Any,  # noqa: F811
    worker_closes_its_connections: None,  # noqa: F811
    tmp_path: Path,
    monkeypatch: Any,
) -> None:
    from celery.contrib.testing.worker import start_worker
    from django.contrib.auth import get_user_model

    from analysis import tasks
    from analysis.analyses import pdf, pdf_parts
    from analysis.analyses.models import Analysis, AnalysisPdf, PdfStage, PdfStatus

    load_shipped("vasterbotten")
    # Umeå, March 2026: 4 and 5 ready days (average 4.50 > 3.00); April: 1 day.
    import_rows(
        tmp_path,
        [
            stay("A1", 11, date(2026, 3, 10), date(2026, 3, 14)),
            stay("A2", 12, date(2026, 3, 16), date(2026, 3, 21)),
            stay("A3", 13, date(2026, 4, 1), date(2026, 4, 2)),
        ],
    )
    user = get_user_model().objects.create_user(username="lead")
    # Two patients laid out in two processes: the worker forks a child for the second.
    monkeypatch.setattr(pdf_parts, "MIN_SHEETS", 2)
    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        assert tasks.compute_statistics.delay().get(timeout=60) > 0
        analysis = Analysis.objects.get()
        assert (analysis.kommun.code, analysis.month) == ("2480", date(2026, 3, 1))
        assert analysis.patients.count() == 2
        job = pdf.queue_pdf(analysis, user, pseudonymised=True)  # autocommit: queued at once
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (PdfStatus.DONE, PdfStatus.FAILED):
                break
            time.sleep(0.2)
    assert (job.status, job.stage, job.done, job.total) == (
        PdfStatus.DONE, PdfStage.FINISHED, 2, 2
    )  # fmt: skip
    assert bytes(job.content).startswith(b"%PDF") and job.size == len(bytes(job.content))
    assert AnalysisPdf.objects.count() == 1
    text = pdf_text(bytes(job.content), tmp_path)
    pages = text.count("\f")
    assert pages >= 3 and all(f"Sida {n} av {pages}" in text for n in range(1, pages + 1))
    assert "Patient 1" in text and "Patient 2" in text
