"""An admin upload imported by a real Celery worker on Redis, against PostgreSQL (issue 8,
point 6): the job is queued after its commit, the worker imports the stored file in one
transaction, records the outcome on the job and deletes the file. Skipped without PostgreSQL
and Redis on a developer's machine; CI must run it (see test_celery_statistics.py)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.csvfiles import csv_text, minimal_row, pnr, stay

# The real broker and the worker's connection handling, shared with the statistics test
# (fixtures: imported into this module so that pytest finds them).
from tests.integration.test_celery_statistics import (  # noqa: F401
    IN_CI,
    PROBLEM,
    real_broker,
    worker_closes_its_connections,
)


def wait_until_finished(job_id: int, timeout: float = 60) -> Any:
    from discharges.import_jobs import ImportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status} after {timeout} s")


@pytest.mark.integration
@pytest.mark.skipif(PROBLEM is not None and not IN_CI, reason=str(PROBLEM))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_upload_is_imported_by_a_real_worker(
    real_broker: Any,  # noqa: F811 (the imported fixture)
    worker_closes_its_connections: None,  # noqa: F811
    settings: Any,
    tmp_path: Path,
) -> None:
    from celery.contrib.testing.worker import start_worker

    from discharges.import_jobs import ImportStatus
    from discharges.imports import jobs
    from discharges.models import Episode
    from tests.conftest import make_user

    settings.MEDIA_ROOT = tmp_path / "media"
    user = make_user("systemforvaltare", is_staff=True, is_superuser=True)
    good = csv_text(
        [stay("W-1", 1, date(2026, 3, 3), date(2026, 3, 5)), minimal_row()],
        delimiter=";",
        lineterminator="\r\n",
    ).encode("cp1252")
    bad = csv_text([minimal_row(episode_id="W-9", personnummer=pnr(9), kommun="9999")])

    with start_worker(real_broker, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        done = jobs.start_job(
            user=user, upload=SimpleUploadedFile("ok.csv", good), encoding="", dry_run=False
        )
        refused = jobs.start_job(
            user=user, upload=SimpleUploadedFile("bad.csv", bad.encode()), encoding="",
            dry_run=False,
        )  # fmt: skip
        done, refused = wait_until_finished(done.pk), wait_until_finished(refused.pk)

    assert done.status == ImportStatus.DONE, (done.status, done.summary)
    assert done.rows == 2
    assert set(Episode.objects.values_list("external_id", flat=True)) == {"W-1", "B-1"}
    assert refused.status == ImportStatus.REFUSED
    assert refused.error_count == 1
    assert refused.errors[0].endswith("kommun: okänd kommunkod '9999'")
    assert not Episode.objects.filter(external_id="W-9").exists()
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []
