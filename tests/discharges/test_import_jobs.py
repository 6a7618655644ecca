"""The admin's upload of historical episodes (issue 8, point 6): the same import as the command,
run by a Celery task (eager here, as on the embedded default; a real worker in
tests/integration/test_celery_import.py); the job's page shows the progress while it runs,
then what was stored or every error; the uploaded file (it holds personnummer) is deleted when
the import ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from discharges.import_jobs import ImportJob, ImportStatus
from discharges.imports import jobs, running
from discharges.models import Episode
from tests.conftest import make_user
from tests.csvfiles import csv_text, full_row, minimal_row, pnr, stay

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:discharges_importjob_add")
Callbacks = Callable[..., Any]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """Uploads under tmp_path; tasks run where they are sent, as on the embedded default, also
    when REDIS_URL is set (CI)."""
    from svu.celery import app

    settings.MEDIA_ROOT = tmp_path / "media"
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield Path(settings.MEDIA_ROOT)
    finally:
        app.conf.task_always_eager = saved


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    return client


def excel_file(rows: list[dict[str, str]]) -> bytes:
    """As Swedish Excel saves «CSV (semikolonavgränsad)»: ;, CRLF, Windows-1252."""
    return csv_text(rows, delimiter=";", lineterminator="\r\n").encode("cp1252")


def upload(
    client: Client, callbacks: Callbacks, content: bytes, **fields: str
) -> tuple[ImportJob, str]:
    """Upload ``content``; the task runs when the request's transaction commits. Returns the
    job and its page."""
    with callbacks(execute=True):
        response = client.post(
            ADD_URL,
            {"file": SimpleUploadedFile("historik.csv", content, "text/csv"), **fields},
        )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("admin:discharges_importjob_change", args=[job.pk])
    return job, client.get(response["Location"]).content.decode()


def uploaded_files(media: Path) -> list[Path]:
    return [path for path in media.rglob("*") if path.is_file()]


def test_the_upload_page_names_the_columns(admin_client: Client) -> None:
    page = admin_client.get(ADD_URL).content.decode()
    assert 'id="import-upload"' in page
    assert "episode_id, personnummer, kommun" in page
    assert (
        reverse("admin:discharges_importjob_add")
        in admin_client.get(reverse("admin:discharges_importjob_changelist")).content.decode()
    )


def test_an_uploaded_file_is_imported_by_the_task(
    admin_client: Client, media: Path, django_capture_on_commit_callbacks: Callbacks
) -> None:
    content = excel_file([full_row(hospital="Skellefteå lasarett"), minimal_row()])
    job, page = upload(admin_client, django_capture_on_commit_callbacks, content)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.file_name, job.rows, job.error_count) == ("historik.csv", 2, 0)
    assert job.summary.startswith("2 nya, 0 uppdaterade, 0 oförändrade vårdtillfällen; 9 händelser")
    assert job.summary in page
    assert "Importerad" in page
    assert set(Episode.objects.values_list("external_id", flat=True)) == {"A-1", "B-1"}
    assert Episode.objects.get(external_id="A-1").ward.hospital.name == "Skellefteå lasarett"
    assert uploaded_files(media) == []  # the personnummer do not stay on disk
    assert job.finished_at is not None and job.started_at is not None


def test_a_refused_file_lists_every_error_on_the_job_page(
    admin_client: Client, media: Path, django_capture_on_commit_callbacks: Callbacks
) -> None:
    rows = [
        minimal_row(),
        minimal_row(episode_id="B-2", personnummer=pnr(3), kommun="9999"),
        full_row(ready_notice_at="2026-03-10 12.30"),
    ]
    job, page = upload(admin_client, django_capture_on_commit_callbacks, excel_file(rows))
    job.refresh_from_db()
    assert job.status == ImportStatus.REFUSED
    assert job.error_count == 2
    assert job.errors[0] == "rad 3, kolumn kommun: okänd kommunkod '9999'"
    assert job.errors[1].startswith("rad 4, kolumn ready_notice_at: väntade datum och tid")
    assert 'id="import-errors"' in page
    assert "Ingenting importerades: 2 fel." in page
    assert "rad 3, kolumn kommun: okänd kommunkod &#x27;9999&#x27;" in page
    assert not Episode.objects.exists()
    assert uploaded_files(media) == []


def test_a_dry_run_upload_stores_nothing(
    admin_client: Client, media: Path, django_capture_on_commit_callbacks: Callbacks
) -> None:
    content = excel_file([stay("S-1", 6, date(2026, 3, 3), date(2026, 3, 5))])
    job, _page = upload(admin_client, django_capture_on_commit_callbacks, content, dry_run="on")
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert job.summary.startswith("provkörning, ingenting sparat; filen skulle ge 1 nya")
    assert not Episode.objects.exists()


def test_the_job_page_shows_the_progress_while_the_import_runs(admin_client: Client) -> None:
    job = ImportJob.objects.create(
        uploaded_by=make_user("someone"), file_name="tio-ar.csv", status=ImportStatus.RUNNING
    )
    at = datetime(2026, 11, 29, 13, 5, 7, tzinfo=UTC)  # 14:05:07 in Stockholm
    progress = {"phase": "writing", "rows": 40000, "share": 0.4, "rate": 8000.0, "at": at}
    jobs.cache.set(jobs.progress_key(job.pk), progress)
    page = admin_client.get(reverse("admin:discharges_importjob_change", args=[job.pk])).content
    text = page.decode()
    assert 'id="import-progress"' in text
    assert "Sparar" in text and 'value="40"' in text
    assert "40000 rader, 8000 rader/s" in text
    assert "senaste tecken kl. 14:05:07" in text
    assert '<meta http-equiv="refresh" content="3">' in text
    job.status = ImportStatus.DONE
    job.save()
    finished = admin_client.get(reverse("admin:discharges_importjob_change", args=[job.pk]))
    assert 'http-equiv="refresh"' not in finished.content.decode()


def test_the_task_reports_its_progress_and_runs_a_job_once(
    media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(running, "BATCH_ROWS", 2)
    monkeypatch.setattr(running, "PROGRESS_EVERY", 0)
    reported: list[dict[str, Any]] = []
    monkeypatch.setattr(jobs.cache, "set", lambda key, value, timeout: reported.append(value))
    rows = [stay(f"S-{n}", n, date(2026, 3, 3), date(2026, 3, 5)) for n in range(5)]
    job = jobs.start_job(
        user=make_user("someone"),  # type: ignore[arg-type]
        upload=SimpleUploadedFile("h.csv", csv_text(rows).encode()),
        encoding="",
        dry_run=False,
    )
    assert jobs.run_job(job.pk) == ImportStatus.DONE
    phases = [(r["phase"], r["rows"]) for r in reported]
    assert phases == [("checking", 2), ("checking", 4), ("checking", 5),
                      ("writing", 2), ("writing", 4), ("writing", 5)]  # fmt: skip
    assert reported[-1]["share"] == 1.0
    # A second delivery of the task finds the job done and leaves it.
    assert jobs.run_job(job.pk) == ImportStatus.DONE
    assert Episode.objects.count() == 5


def test_an_import_longer_than_a_task_may_run_says_so_and_stores_nothing(
    media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    def too_long(*args: Any, **kwargs: Any) -> None:
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(jobs, "import_file", too_long)
    job = jobs.start_job(
        user=make_user("someone"),  # type: ignore[arg-type]
        upload=SimpleUploadedFile("big.csv", csv_text([minimal_row()]).encode()),
        encoding="",
        dry_run=False,
    )
    assert jobs.run_job(job.pk) == ImportStatus.FAILED
    job.refresh_from_db()
    assert "SVU_TASK_VISIBILITY_TIMEOUT" in job.summary
    assert "manage.py import_episodes" in job.summary
    assert uploaded_files(media) == []


def test_only_the_systemforvaltare_reaches_the_upload(db: None) -> None:
    staff = Client()
    staff.force_login(make_user("planner_staff", is_staff=True))  # staff without permissions
    assert staff.get(ADD_URL).status_code == 403
    anonymous = Client().get(ADD_URL)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]
