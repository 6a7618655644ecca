"""Periodic tasks of the base app (Celery beat, svu/settings.py): thin, calling one service.

Kept apart from ``discharges.tasks`` (the import's); the worker loads this module through
CELERY_IMPORTS.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from discharges import outbox
from discharges.access_check import record_check, verify_chain


@shared_task(
    name="discharges.verify_access_log",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def verify_access_log() -> bool:
    """Check the access log's chain and store the outcome (the admin alerts on a broken one)."""
    report = verify_chain()
    record_check(report)
    return report.ok


@shared_task(name="discharges.send_outbox", ignore_result=True)
def send_outbox() -> int:
    """Send the tasks kept while the broker was down (``discharges.outbox``); every minute."""
    return outbox.send_pending()
