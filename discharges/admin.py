"""Django admin (systemförvaltare): organisations, users and memberships, patients, and
read-only views of the event log and the access log (loggkontroll).

Episodes and events are never edited here: every change is a message through the services.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext_lazy as _

from discharges import admin_labels, services
from discharges.access_log import log_reads
from discharges.forms import beyond_id_range
from discharges.http import signed_in
from discharges.models import (
    ROLES_BY_KIND,
    AccessAction,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    HealthCentre,
    Hospital,
    Kommun,
    Membership,
    Organisation,
    Patient,
    PatientIdentityChange,
    Region,
    Ward,
)

# The admin in Swedish throughout: its title, and names for what has none (admin_labels.py).
admin.site.site_header = admin.site.site_title = admin_labels.SITE_HEADER
admin.site.index_title = admin_labels.INDEX_TITLE
admin_labels.name_in_swedish()

# A query-string value longer than this is no filter or search a person types.
ADMIN_QUERY_LIMIT = 500
_DATE_PARTS = {"__year": re.compile(r"[0-9]{1,4}"), "__month": re.compile(r"[0-9]{1,2}")}
_DATE_PARTS["__day"] = _DATE_PARTS["__month"]


def malformed_admin_query(params: QueryDict) -> bool:
    """Whether the admin's lists would fail (500) on ``params`` instead of refusing them:
    a NUL byte, a value over ADMIN_QUERY_LIMIT characters, an integer beyond 64 bits (SQLite
    raises OverflowError), or a date-hierarchy part out of range (Django computes the next
    year, month or day outside its ValueError guard)."""
    for key, values in params.lists():
        for value in values:
            if "\x00" in key + value or len(value) > ADMIN_QUERY_LIMIT:
                return True
            if beyond_id_range(value):
                return True
            suffix = next((s for s in _DATE_PARTS if key.endswith(s)), None)
            if suffix and not (_DATE_PARTS[suffix].fullmatch(value) and int(value) < 9999):
                return True
    return False


class GuardedAdmin(admin.ModelAdmin):
    """Refuses a malformed query string of a list with 400 (``malformed_admin_query``)."""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if malformed_admin_query(request.GET):
            raise BadRequest("malformed admin query string")
        return super().changelist_view(request, extra_context)


class ReadOnlyAdmin(GuardedAdmin):
    """Lists and shows, never adds, changes or deletes."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def patient_read(obj: Any) -> tuple[int | None, int | None]:
    """(episode id, patient id) of the patient data an admin page shows of ``obj``."""
    if isinstance(obj, Patient):
        return None, obj.pk
    if isinstance(obj, Episode):
        return obj.pk, obj.patient_id
    episode_id = getattr(obj, "episode_id", None)
    patient_id = getattr(obj, "patient_id", None)
    if patient_id is None and isinstance(obj, EpisodeEvent):
        patient_id = obj.episode.patient_id
    event = getattr(obj, "event", None)  # a row about one event (a webhook delivery)
    if episode_id is None and isinstance(event, EpisodeEvent):
        episode_id, patient_id = event.episode_id, event.episode.patient_id
    return episode_id, patient_id


class AccessLoggedAdmin(GuardedAdmin):
    """An admin of patient data (loggkontroll, DOMAIN.md "Privacy"): its list writes an
    access-log row per row shown, its change and history pages one for their object. A
    redirect (a missing object, a wrong filter) shows nothing and writes nothing."""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            reads = [patient_read(obj) for obj in changelist.result_list]
            log_reads(signed_in(request), reads, AccessAction.LIST, detail="admin")
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        self._log_shown(request, response, "original", "admin")
        return response

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        self._log_shown(request, response, "object", "admin history")
        return response

    def _log_shown(self, request: HttpRequest, response: Any, key: str, detail: str) -> None:
        shown = (getattr(response, "context_data", None) or {}).get(key)
        if shown is not None:
            log_reads(signed_in(request), [patient_read(shown)], AccessAction.VIEW, detail)


class OrganisationAdmin(GuardedAdmin):
    search_fields = ["name", "hsa_id"]
    readonly_fields = ["group"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Organisations are referenced by the event log; retire them instead of deleting.
        return False


@admin.register(Organisation)
class AnyOrganisationAdmin(ReadOnlyAdmin):
    """All organisations in one list (and the search behind the membership form)."""

    list_display = ["name", "kind", "hsa_id"]
    list_filter = ["kind"]
    search_fields = ["name", "hsa_id"]


@admin.register(Region)
class RegionAdmin(OrganisationAdmin):
    list_display = ["code", "name", "hsa_id"]
    search_fields = ["code", "name"]


@admin.register(Kommun)
class KommunAdmin(OrganisationAdmin):
    list_display = ["code", "name", "region", "hsa_id"]
    list_filter = ["region"]
    search_fields = ["code", "name"]


@admin.register(Hospital)
class HospitalAdmin(OrganisationAdmin):
    list_display = ["name", "region", "hsa_id"]
    list_filter = ["region"]


@admin.register(Ward)
class WardAdmin(OrganisationAdmin):
    list_display = ["name", "hospital", "care_type", "hsa_id"]
    list_filter = ["care_type", "hospital__region"]


@admin.register(HealthCentre)
class HealthCentreAdmin(OrganisationAdmin):
    list_display = ["name", "region", "hsa_id"]
    list_filter = ["region"]
    filter_horizontal = ["kommuner"]


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation, role = data.get("organisation"), data.get("role")
        if organisation and role and role not in ROLES_BY_KIND.get(organisation.kind, ()):
            self.add_error("role", _("This role does not exist at this kind of organisation."))
        return data


@admin.register(Membership)
class MembershipAdmin(GuardedAdmin):
    form = MembershipForm
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["user", "organisation", "role"] if obj else []

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if not change:
            created = services.add_membership(
                user=obj.user, organisation=obj.organisation, role=obj.role
            )
            obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        services.remove_membership(membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset:
            services.remove_membership(membership=membership)


class IdentityChangeInline(admin.TabularInline):
    """The patient's recorded changes of details (services.change_patient_identity)."""

    model = PatientIdentityChange
    fk_name = "patient"
    fields = (
        "changed_at",
        "organisation",
        "author",
        "old_name",
        "name",
        "old_address",
        "address",
        "old_kommun",
        "kommun",
        "old_health_centre",
        "health_centre",
        "note",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Patient)
class PatientAdmin(AccessLoggedAdmin):
    # The list shows masked numbers; search is by name only, so no personnummer lands in a URL.
    list_display = ["name", "masked_personnummer", "kommun", "health_centre"]
    list_filter = ["kommun__region"]
    search_fields = ["name"]
    autocomplete_fields = ["kommun", "health_centre"]
    inlines = [IdentityChangeInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Who the patient is changes only on record, by a ward caring for them (the episode
        # page): never in place, not even here.
        identity = ["name", "address", "kommun", "health_centre"] if obj else []
        return [*identity, "created_at"]

    @admin.display(description=_("personal identity number"))
    def masked_personnummer(self, obj: Patient) -> str:
        return obj.masked_personnummer

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = EpisodeEvent
    fields = ("seq", "kind", "occurred_at", "recorded_at", "organisation", "author", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Episode)
class EpisodeAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    list_display = ["reference", "status", "ward", "kommun", "admitted_at", "discharge_date"]
    list_filter = ["status", "care_type", "kommun__region"]
    search_fields = ["external_id"]
    date_hierarchy = "admitted_at"
    inlines = [EventInline]
    list_select_related = ["ward", "ward__hospital", "kommun"]


@admin.register(EpisodeEvent)
class EpisodeEventAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    list_display = [
        "episode",
        "seq",
        "kind",
        "occurred_at",
        "recorded_at",
        "organisation",
        "author",
    ]
    list_filter = ["kind"]
    date_hierarchy = "recorded_at"
    list_select_related = ["episode", "organisation", "author"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    list_display = ["episode", "patient", "action", "occurred_at", "recorded_by", "organisation"]
    list_filter = ["action"]
    list_select_related = ["episode", "patient", "recorded_by", "organisation"]


@admin.register(PatientIdentityChange)
class PatientIdentityChangeAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    list_display = ["changed_at", "patient", "organisation", "author"]
    list_select_related = ["patient", "organisation", "author"]
    date_hierarchy = "changed_at"


# Loggkontroll (the access log, its search, its chain checks and alert) has its own module.
from discharges import access_admin as access_admin  # noqa: E402

# The upload of historical episodes (an import run by a Celery task) has its own module.
from discharges import import_admin as import_admin  # noqa: E402

# The population aged 65+ (reference data about kommuner) has its admin in its own module.
from discharges import population_admin as population_admin  # noqa: E402
