"""The forms of the API's own inputs: the episode list's filters and the registration (the
page's register form plus the caller's own id of the stay)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from api.messages import schema_field
from discharges import selectors
from discharges.forms import LIST_STATUSES, MAX_ID, RegisterEpisodeForm
from discharges.models import CareType, Episode, Kommun, OrganisationKind, Role, Ward
from discharges.services.ranges import EARLIEST

LATEST = date(2200, 1, 1)


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class EpisodeFilters(forms.Form):
    status = forms.ChoiceField(choices=LIST_STATUSES, required=False)
    care_type = forms.ChoiceField(choices=CareType.choices, required=False)
    kommun = forms.RegexField(regex=r"^[0-9]{4}$", required=False, max_length=4)
    ward = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    admitted_from = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    admitted_to = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def clean_status(self) -> str:
        return self.cleaned_data["status"] or "all"

    def _day(self, name: str) -> datetime | None:
        day = self.cleaned_data[name]
        if day is None:
            return None
        if not EARLIEST <= day < LATEST:
            raise forms.ValidationError(
                _("Give a date from %(first)s to %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return _moment(day)

    def clean_admitted_from(self) -> datetime | None:
        return self._day("admitted_from")

    def clean_admitted_to(self) -> datetime | None:
        """Up to and including the day: the start of the next."""
        moment = self._day("admitted_to")
        return moment + timedelta(days=1) if moment else None

    @staticmethod
    def parameters() -> list[OpenApiParameter]:
        codes = [code for code, _label in LIST_STATUSES]
        return [
            OpenApiParameter("status", str, enum=codes, description="Standard: all"),
            OpenApiParameter("care_type", str, enum=list(CareType.values)),
            OpenApiParameter(
                "kommun", str, pattern="^[0-9]{4}$", description="Kommunkod, t.ex. 2480"
            ),
            OpenApiParameter("ward", int, description="Avdelningens id"),
            OpenApiParameter(
                "admitted_from",
                OpenApiTypes.DATE,
                description="Inskriven från och med (ÅÅÅÅ-MM-DD)",
            ),
            OpenApiParameter(
                "admitted_to", OpenApiTypes.DATE, description="Inskriven till och med (ÅÅÅÅ-MM-DD)"
            ),
        ]


class RegisterForm(RegisterEpisodeForm):
    """The page's register form; a known patient is registered as stored (no confirmation
    round trip: the answer shows the stored name, and the read is logged)."""

    external_id = forms.CharField(
        label=_("The caller's own id of the stay"),
        max_length=Episode._meta.get_field("external_id").max_length,
        required=False,
    )

    kommun_code = forms.RegexField(
        label=_("Municipality of residence by its code (2480), instead of its id"),
        regex=r"^[0-9]{4}$",
        max_length=4,
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("kommun_code")
        if code and not data.get("kommun"):
            data["kommun"] = Kommun.objects.filter(code=code).first()
            if data["kommun"] is None:
                self.add_error("kommun_code", _("No municipality has that code."))
        return data

    @classmethod
    def api_fields(cls) -> dict[str, forms.Field]:
        return {name: f for name, f in cls.base_fields.items() if name != "known_patient"}

    @classmethod
    @cache
    def serializer(cls) -> type[serializers.Serializer[Any]]:
        attrs = {name: schema_field(name, field) for name, field in cls.api_fields().items()}
        attrs["ward"] = serializers.IntegerField(
            required=False,
            min_value=1,
            help_text=_("The ward's id; a ward's own system account may leave it out"),
        )
        attrs["personnummer"] = serializers.CharField(
            max_length=13, help_text=_("Personal identity number")
        )
        return type("RegisterEpisode", (serializers.Serializer,), attrs)


def register_wards(user: User) -> QuerySet[Ward]:
    """The wards the caller registers stays for: its wards (staff or their system account),
    and every ward of a region whose integration account it is."""
    memberships = selectors.memberships_of(user)
    own = [
        m.organisation_id
        for m in memberships
        if m.organisation.kind == OrganisationKind.WARD
        and m.role in (Role.WARD_STAFF, Role.INTEGRATION)
    ]
    regions = selectors.membership_regions(user)
    codes = sorted(
        {
            regions[m.organisation_id]
            for m in memberships
            if m.organisation.kind == OrganisationKind.REGION
            and m.role == Role.INTEGRATION
            and m.organisation_id in regions
        }
    )
    return Ward.objects.filter(Q(pk__in=own) | Q(hospital__region__code__in=codes)).select_related(
        "hospital__region"
    )
