"""Loggkontroll in the admin: the access log, a search that answers "who read this patient?"
and "what did this user read?" (by personnummer through POST, episode, user, organisation,
period), the record of the chain checks, and an alert on the admin's start page and the log's
list when the latest check found the log changed (issue 13, point 3). Also the task outbox's
list (point 4)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.access_chain import AccessLogCheck
from discharges.access_check import alert
from discharges.admin import AccessLoggedAdmin, ReadOnlyAdmin
from discharges.models import AccessLogEntry, Episode, Organisation, Patient
from discharges.outbox import OutboxTask
from discharges.personnummer import normalise_personnummer

_REFERENCE = "SVU-"


def _episode_id(reference: str) -> int | None:
    """The episode a reference names (SVU-<number> or the imported id), None when none."""
    reference = reference.strip()
    found = Episode.objects.filter(external_id=reference).values_list("pk", flat=True).first()
    if found is None and reference.upper().startswith(_REFERENCE):
        number = reference[len(_REFERENCE) :]
        if number.isdigit() and len(number) < 19:
            found = Episode.objects.filter(pk=int(number)).values_list("pk", flat=True).first()
    return found


def _local_midnight(day: date) -> str:
    return timezone.make_aware(datetime.combine(day, time.min)).isoformat()


class AccessLogSearchForm(forms.Form):
    personnummer = forms.CharField(
        label=gettext_lazy("Personal identity number"), required=False, max_length=20
    )
    episode = forms.CharField(label=gettext_lazy("Episode"), required=False, max_length=100)
    username = forms.CharField(label=gettext_lazy("user"), required=False, max_length=150)
    organisation = forms.ModelChoiceField(
        Organisation.objects.order_by("name"), label=gettext_lazy("organisation"), required=False
    )
    date_from = forms.DateField(label=gettext_lazy("From (date)"), required=False)
    date_to = forms.DateField(label=gettext_lazy("To (date, inclusive)"), required=False)

    def clean_personnummer(self) -> int | None:
        value = self.cleaned_data["personnummer"]
        if not value:
            return None
        try:
            number = normalise_personnummer(value)
        except ValidationError as exc:
            raise ValidationError(_("Not a personal identity number.")) from exc
        patient = Patient.objects.filter(personnummer=number).values_list("pk", flat=True).first()
        if patient is None:
            raise ValidationError(_("No patient has this personal identity number."))
        return int(patient)

    def clean_episode(self) -> int | None:
        value = self.cleaned_data["episode"]
        if not value:
            return None
        found = _episode_id(value)
        if found is None:
            raise ValidationError(_("No episode has this reference."))
        return found

    def clean_username(self) -> int | None:
        value = self.cleaned_data["username"]
        if not value:
            return None
        users = get_user_model().objects.filter(username=value)
        found = users.values_list("pk", flat=True).first()
        if found is None:
            raise ValidationError(_("No user has this user name."))
        return int(found)

    def query(self) -> dict[str, Any]:
        """The log list's filters: ids only, never the personnummer."""
        data = self.cleaned_data
        params: dict[str, Any] = {
            "patient__id__exact": data["personnummer"],
            "episode__id__exact": data["episode"],
            "user__id__exact": data["username"],
            "organisation__id__exact": data["organisation"].pk if data["organisation"] else None,
        }
        if data["date_from"]:
            params["at__gte"] = _local_midnight(data["date_from"])
        if data["date_to"]:
            params["at__lt"] = _local_midnight(data["date_to"] + timedelta(days=1))
        return {key: value for key, value in params.items() if value is not None}


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """Loggkontroll: who read which patient's data, as which organisation, when."""

    list_display = ["at", "user", "organisation", "episode", "patient", "action", "detail"]
    list_filter = ["action", "at", "organisation__kind"]
    search_fields = ["user__username", "episode__external_id"]
    date_hierarchy = "at"
    list_select_related = ["user", "organisation", "episode", "patient"]
    change_list_template = "admin/discharges/accesslogentry/change_list.html"
    # The search's filters (AccessLogSearchForm.query): ids and the period.
    SEARCH_LOOKUPS = frozenset(
        ["patient__id__exact", "episode__id__exact", "user__id__exact", "organisation__id__exact"]
    )

    def lookup_allowed(self, lookup: str, value: str, request: Any = None) -> bool:
        return lookup in self.SEARCH_LOOKUPS or super().lookup_allowed(lookup, value, request)

    def get_urls(self) -> list[URLPattern]:
        search = path(
            "search/",
            self.admin_site.admin_view(self.search_view),
            name="discharges_accesslogentry_search",
        )
        return [search, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        warn_if_broken(request)
        return super().changelist_view(request, extra_context)

    def search_view(self, request: HttpRequest) -> HttpResponse:
        """Search form; a POST (the personnummer never goes in a URL) redirects to the list
        filtered by ids."""
        form = AccessLogSearchForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            changelist = reverse("admin:discharges_accesslogentry_changelist")
            return HttpResponseRedirect(f"{changelist}?{urlencode(form.query())}")
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Search the access log"),
            "form": form,
        }
        return TemplateResponse(request, "admin/discharges/accesslogentry/search.html", context)


@admin.register(AccessLogCheck)
class AccessLogCheckAdmin(ReadOnlyAdmin):
    list_display = ["at", "ok", "rows", "seq", "problem"]
    list_filter = ["ok"]
    date_hierarchy = "at"


@admin.register(OutboxTask)
class OutboxTaskAdmin(ReadOnlyAdmin):
    """The task outbox (discharges/outbox.py): what waits for the task queue, what went."""

    list_display = ["id", "task", "created_at", "sent_at", "attempts", "last_error"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "created_at"


def warn_if_broken(request: HttpRequest) -> None:
    message = alert()
    if message:
        messages.error(request, message)


_index = admin.site.index


def index_with_alert(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    """The admin's start page, with the access log's alert when its latest check failed."""
    warn_if_broken(request)
    return _index(request, extra_context)


admin.site.index = index_with_alert  # type: ignore[method-assign]
