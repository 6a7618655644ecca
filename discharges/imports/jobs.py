"""Imports uploaded in the admin: the same import as ``import_episodes``, run by a Celery task.

``start_job`` stores the upload (under MEDIA_ROOT, which web and worker share) and queues the
task through the outbox (sent after the commit; kept while Redis is down); ``run_job`` is the
task's work, idempotent (a job is taken once). While a job runs, its progress is in the
cache (the import's transaction is open, so the job's row cannot show it until the end); when
it ends, the row holds the outcome and the errors, and the file is deleted (it holds
personnummer).
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import OperationalError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from discharges import outbox
from discharges.import_jobs import ImportJob, ImportStatus
from discharges.imports.report import ImportFailed
from discharges.imports.running import import_file

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 24 * 3600
IMPORT_TASK = "discharges.tasks.import_episodes"
TOO_LONG = gettext_lazy(
    "The import took longer than a task may run (SVU_TASK_VISIBILITY_TIMEOUT); nothing was "
    "stored. Import the file with manage.py import_episodes, or raise the timeout."
)


def progress_key(job_id: int) -> str:
    return f"svu:import-job:{job_id}:progress"


def start_job(*, user: User, upload: UploadedFile, encoding: str, dry_run: bool) -> ImportJob:
    """Store the upload and queue its import (the task is sent after the commit)."""
    job = ImportJob(
        uploaded_by=user,
        file_name=(upload.name or "import.csv")[-255:],
        encoding=encoding,
        dry_run=dry_run,
    )
    # A name of our own: the uploader's may hold anything (a personnummer, a path).
    job.file.save(f"{uuid.uuid4().hex}.csv", upload, save=False)
    job.save()
    outbox.enqueue(IMPORT_TASK, job.pk)
    return job


def progress(job: ImportJob) -> dict[str, Any] | None:
    """The running import's progress: phase, rows, share done, rows/s, seconds left."""
    found: dict[str, Any] | None = cache.get(progress_key(job.pk))
    return found


def run_job(job_id: int) -> str:
    """Import the job's file (the task's work); returns the job's status. A job that is not
    queued (finished, or taken by another delivery of the task) is left as it is."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return str(job.status)
    started = time.monotonic()

    def report(phase: str, rows: int, share: float) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        state = {
            "phase": phase, "rows": rows, "share": share, "rate": rows / elapsed,
            "at": timezone.now(),
        }  # fmt: skip
        cache.set(progress_key(job_id), state, PROGRESS_SECONDS)

    try:
        with job.file.open("rb") as upload:
            result = import_file(
                upload.file, encoding=job.encoding or None, dry_run=job.dry_run, progress=report
            )
    except ImportFailed as exc:
        _finish(job, ImportStatus.REFUSED, errors=exc.errors, error_count=exc.count)
    except SoftTimeLimitExceeded:
        # Rolled back: nothing stored. Tasks end before the broker would hand them to another
        # worker (SVU_TASK_VISIBILITY_TIMEOUT); a larger file needs that raised, or the command.
        _finish(job, ImportStatus.FAILED, summary=str(TOO_LONG))
    except OperationalError:
        # The database went away: queued again for the task's retry; nothing was stored.
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.QUEUED)
        raise
    except Exception as exc:  # a fault of ours, not of the file: logged, the job says so
        logger.exception("import job %s failed", job_id)
        _finish(job, ImportStatus.FAILED, summary=f"{type(exc).__name__}")
    else:
        status = ImportStatus.CHECKED if job.dry_run else ImportStatus.DONE
        _finish(job, status, summary=result.summary(), rows=result.rows)
    return str(job.status)


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    job.status = status
    job.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.file.delete(save=False)
    job.save()
    cache.delete(progress_key(job.pk))
