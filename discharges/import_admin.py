"""The admin's upload of historical episodes: the same import as ``manage.py import_episodes``,
run by a Celery task; the job's page shows its progress, then what was stored or every error."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.admin import GuardedAdmin
from discharges.import_jobs import ImportEncoding, ImportJob
from discharges.imports import jobs
from discharges.imports.parsing import OPTIONAL_COLUMNS, REQUIRED_COLUMNS


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "A header row and one row per episode; separated by , or ; (as Excel saves it), "
            "UTF-8 or Windows-1252."
        ),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Encoding"), choices=ImportEncoding.choices, required=False
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and report what would be stored"),
        required=False,
    )


# What a job's page shows (all read only: a job is never edited).
JOB_FIELDS = (
    "file_name", "status", "dry_run", "encoding", "uploaded_by", "uploaded_at", "started_at",
    "finished_at", "rows", "summary", "error_count",
)  # fmt: skip


@admin.register(ImportJob)
class ImportJobAdmin(GuardedAdmin):
    list_display = ["file_name", "uploaded_at", "uploaded_by", "status", "rows", "error_count"]
    list_filter = ["status", "dry_run"]
    list_select_related = ["uploaded_by"]
    fields = JOB_FIELDS
    readonly_fields = JOB_FIELDS

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a job is shown, never edited; a new file is a new job

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = jobs.start_job(
                user=request.user,  # type: ignore[arg-type]
                upload=form.cleaned_data["file"],
                encoding=form.cleaned_data["encoding"],
                dry_run=form.cleaned_data["dry_run"],
            )
            return HttpResponseRedirect(reverse("admin:discharges_importjob_change", args=[job.pk]))
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import episodes"),
            "form": form,
            "required_columns": REQUIRED_COLUMNS,
            "optional_columns": OPTIONAL_COLUMNS,
        }
        return TemplateResponse(request, "admin/discharges/importjob/upload.html", context)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        job = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if job is not None:
            extra.update({"job": job, "progress": jobs.progress(job)})
        return super().change_view(request, object_id, form_url, extra)
