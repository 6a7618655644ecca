"""Celery tasks of the webhooks app: thin, calling one service."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from webhooks import services


@shared_task(
    name="webhooks.tasks.deliver",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    ignore_result=True,
)
def deliver(delivery_id: int) -> str:
    """One attempt at a webhook delivery (``services.deliver``); a failed POST is recorded,
    never raised: its next attempt is queued by ``deliver_due`` when it falls due."""
    return services.deliver(delivery_id)


@shared_task(name="webhooks.tasks.deliver_due", ignore_result=True)
def deliver_due() -> int:
    """Queue the deliveries whose next attempt is due (Celery beat, every 30 s)."""
    return services.queue_due()
