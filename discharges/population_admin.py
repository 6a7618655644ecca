"""The admin of the population aged 65+: the figures per kommun and year, and an upload of
SCB's CSV (the same import as ``manage.py import_population``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.admin import GuardedAdmin
from discharges.population import KommunPopulation, PopulationImportFailed, import_population

MAX_UPLOAD_BYTES = 2_000_000  # 290 kommuner x 50 years is about 600 kB


class PopulationUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns kommun, year, inhabitants_65plus (SCB's table exported as CSV); comma or "
            "semicolon separated, UTF-8."
        ),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc


@admin.register(KommunPopulation)
class KommunPopulationAdmin(GuardedAdmin):
    list_display = ["kommun", "year", "inhabitants_65plus", "updated_at"]
    list_filter = ["year", "kommun__region"]
    search_fields = ["kommun__code", "kommun__name"]
    autocomplete_fields = ["kommun"]
    ordering = ["kommun__code", "year"]

    def get_urls(self) -> list[URLPattern]:
        upload = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="discharges_kommunpopulation_import",
        )
        return [upload, *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        form = PopulationUploadForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            try:
                result = import_population(form.cleaned_data["file"])
            except PopulationImportFailed as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("%(created)s new, %(updated)s updated, %(unchanged)s unchanged figures.")
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                    },
                )
                return HttpResponseRedirect(reverse("admin:discharges_kommunpopulation_changelist"))
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import population aged 65+"),
            "form": form,
            "errors": errors,
        }
        status = 400 if errors or form.errors else 200
        return TemplateResponse(
            request, "admin/discharges/kommunpopulation/import.html", context, status=status
        )
