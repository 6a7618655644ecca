"""An import uploaded in the admin: the file, and how its import went (run by a Celery task).

Kept in its own module and imported by ``discharges.models`` (last), so that Django registers
it with the app. The services that create and run jobs are in ``discharges.imports.jobs``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Imported")
    CHECKED = "checked", _("Checked (dry run)")
    REFUSED = "refused", _("Refused")
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = (
    ImportStatus.DONE,
    ImportStatus.CHECKED,
    ImportStatus.REFUSED,
    ImportStatus.FAILED,
)


class ImportEncoding(models.TextChoices):
    DETECT = "", _("Recognise (UTF-8 or Windows-1252)")
    UTF8 = "utf-8", "UTF-8"
    WINDOWS_1252 = "cp1252", "Windows-1252 (Latin-1)"


class ImportJob(models.Model):
    """One uploaded CSV file and its import. The file is deleted when the import ends (it holds
    personnummer); what remains is its name, the outcome and the errors (which never repeat a
    personnummer)."""

    file = models.FileField(_("file"), upload_to="imports/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, editable=False)
    encoding = models.CharField(
        _("encoding"), max_length=10, choices=ImportEncoding.choices, blank=True, default=""
    )
    dry_run = models.BooleanField(
        _("dry run"),
        default=False,
        help_text=_("Check the whole file and report what would be stored; store nothing."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    started_at = models.DateTimeField(_("started"), null=True)
    finished_at = models.DateTimeField(_("finished"), null=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    summary = models.TextField(_("result"), blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    errors = models.JSONField(_("error list"), default=list, blank=True)

    class Meta:
        verbose_name = _("episode import")
        verbose_name_plural = _("episode imports")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.uploaded_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES
