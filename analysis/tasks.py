"""Celery tasks: thin, retried on database hiccups, calling one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from analysis import statistics


@shared_task(
    name="analysis.tasks.compute_statistics",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_statistics() -> int:
    """Recompute the monthly statistics (nightly, on the 1st of each month, on demand)."""
    return statistics.compute_statistics()
