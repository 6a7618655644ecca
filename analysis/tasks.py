"""Celery tasks: thin, retried on database hiccups, calling one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from analysis import statistics
from analysis.analyses import pdf, trigger


@shared_task(
    name="analysis.tasks.compute_statistics",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_statistics() -> int:
    """Recompute the monthly statistics (nightly, on the 1st of each month, on demand), then
    open the analyses of delayed discharge they call for."""
    rows = statistics.compute_statistics()
    trigger.open_triggered_analyses()
    return rows


@shared_task(
    name="analysis.tasks.build_analysis_pdf",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def build_analysis_pdf(job_id: int) -> int:
    """Build a large analysis PDF (``analysis.analyses.pdf.build_job``); returns its size."""
    return pdf.build_job(job_id).size
