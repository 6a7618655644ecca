"""Celery tasks of the base app: thin, calling one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from discharges.imports import jobs


@shared_task(
    name="discharges.tasks.import_episodes",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def import_episodes(job_id: int) -> str:
    """Import an uploaded CSV file (``discharges.imports.jobs.run_job``); returns its status."""
    return jobs.run_job(job_id)
