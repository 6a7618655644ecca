"""The task outbox: a task to run is stored in the database first, then sent (issue 13, point 4).

With Redis down, ``task.delay()`` failed after 19 seconds (the result store's reconnection) and
the admin's "recompute statistics" answered 500; the task was lost. ``enqueue`` writes the task
in the caller's transaction (so it exists exactly when the change that asked for it does) and
sends it after the commit; when the broker does not answer it stays here and is sent later by
the next ``enqueue`` or by the ``discharges.send_outbox`` beat task, every minute, once Redis is
back. Sending is at least once: a task must be idempotent.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from celery import current_app
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("svu.outbox")

# A broker that cannot be reached raises one of these (kombu wraps redis' errors).
BROKER_DOWN: tuple[type[BaseException], ...]
try:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_DOWN = (KombuOperationalError, RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - both come with celery[redis]
    BROKER_DOWN = (OSError,)


class OutboxTask(models.Model):
    """A Celery task waiting to be, or already, sent to the broker."""

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        indexes = [
            models.Index(fields=["id"], condition=models.Q(sent_at=None), name="outbox_unsent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


def enqueue(task_name: str, *args: Any) -> OutboxTask:
    """Keep ``task_name(*args)`` in the outbox (in the caller's transaction) and try to send it
    after the commit. Returns the row: ``sent_at`` tells, once committed, whether it went."""
    row = OutboxTask.objects.create(task=task_name, args=list(args))
    transaction.on_commit(send_pending)
    return row


def _task(name: str) -> Any:
    """The registered task (imported by its module when the app has not loaded it yet)."""
    if name not in current_app.tasks:
        module = name.rsplit(".", 1)[0]
        try:
            importlib.import_module(module)
        except ImportError:
            return None
    return current_app.tasks.get(name)


def _send(row: OutboxTask) -> None:
    task = _task(row.task)
    if task is None:  # not importable here: the worker knows it by name
        current_app.send_task(row.task, args=row.args, retry=False, ignore_result=True)
    else:  # honours eager mode (the embedded default runs it here and now)
        task.apply_async(args=row.args, retry=False, ignore_result=True)


def send_pending(limit: int = 200) -> int:
    """Send the oldest unsent tasks; stop at the first the broker refuses. Returns how many
    went. Rows are claimed with SKIP LOCKED, so two senders never send the same one. In eager
    mode (no broker) a task runs here, after its row is marked, outside the transaction: a
    failing task raises as it always did and is not run again."""
    eager = bool(current_app.conf.task_always_eager)
    sent = 0
    while sent < limit:
        with transaction.atomic():
            row = (
                OutboxTask.objects.select_for_update(skip_locked=True)
                .filter(sent_at=None)
                .order_by("id")
                .first()
            )
            if row is None:
                return sent
            row.attempts += 1
            try:
                if not eager:
                    _send(row)
            except BROKER_DOWN as exc:
                row.last_error = f"{type(exc).__name__}: {exc}"[:300]
                row.save(update_fields=["attempts", "last_error"])
                logger.warning("task queue unreachable; %s kept in the outbox", row.task)
                return sent
            row.sent_at = timezone.now()
            row.save(update_fields=["attempts", "sent_at"])
        if eager:
            _send(row)
        sent += 1
    return sent
