"""The webhooks in the admin: an organisation's subscriptions, managed only by its own admins
(``selectors.manageable_organisations``), and their delivery log, read-only.

A subscription's secret is generated when it is saved first and shown on the page that
follows, once; it is never shown again (not in the form, not in a message kept in a session).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from discharges.admin import AccessLoggedAdmin, GuardedAdmin, ReadOnlyAdmin
from discharges.events import EventKind
from webhooks import selectors, services, signing
from webhooks.models import URL_MAX_LENGTH, Delivery, Subscription


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=URL_MAX_LENGTH, assume_scheme="https")
    kinds = forms.MultipleChoiceField(
        label=_("Event kinds"),
        choices=EventKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of message the receiver is told of."),
    )

    class Meta:
        model = Subscription
        fields = ["organisation", "url", "kinds", "active", "description"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            if "url" in data:
                services.check_url(data["url"])
            if "kinds" in data:
                services.check_kinds(list(data["kinds"]))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field, errors)
        return data


@admin.register(Subscription)
class SubscriptionAdmin(GuardedAdmin):
    form = SubscriptionForm
    list_display = ["organisation", "url", "kind_labels", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "organisation__name", "description"]
    readonly_fields = ["created_at"]

    @admin.display(description=_("event kinds"))
    def kind_labels(self, obj: Subscription) -> str:
        return obj.kind_labels()

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.subscriptions_for(request.user).select_related("organisation")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # An organisation's receiver stays its own: a new one is a new subscription.
        return ["organisation", "created_at"] if obj else ["created_at"]

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.name == "organisation":
            kwargs["queryset"] = selectors.manageable_organisations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_add_permission(request)
            and selectors.manageable_organisations(request.user).exists()
        )

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created, secret = services.create_subscription(
            organisation=obj.organisation,
            url=obj.url,
            kinds=list(obj.kinds),
            active=obj.active,
            description=obj.description,
        )
        obj.pk, obj.secret, obj.created_at = created.pk, secret, created.created_at

    def response_add(
        self, request: HttpRequest, obj: Subscription, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The secret, once: on this page, not after a redirect."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("The subscription's secret"),
            "subscription": obj,
            "secret": obj.secret,
            "opts": self.model._meta,
            "signature_header": signing.SIGNATURE_HEADER,
            "timestamp_header": signing.TIMESTAMP_HEADER,
        }
        return TemplateResponse(request, "admin/webhooks/secret.html", context)


LOG_FIELDS = (
    "subscription",
    "organisation",
    "event_id",
    "kind_label",
    "status",
    "created_at",
    "attempts",
    "last_attempt_at",
    "response_code",
    "next_attempt_at",
    "delivered_at",
    "last_error",
)


@admin.register(Delivery)
class DeliveryAdmin(AccessLoggedAdmin, ReadOnlyAdmin):
    """The delivery log: what was sent where, and how it went (ids and kinds, no patient data;
    that an episode had an event is still a read of it, so the list is access-logged)."""

    list_display = [
        "pk",
        "created_at",
        "organisation",
        "subscription_url",
        "kind_label",
        "event_id",
        "status",
        "attempts",
        "response_code",
        "next_attempt_at",
        "last_error",
    ]
    list_filter = ["status"]
    fields = LOG_FIELDS
    readonly_fields = LOG_FIELDS
    date_hierarchy = "created_at"

    @admin.display(description=_("URL"))
    def subscription_url(self, obj: Delivery) -> str:
        return obj.subscription.url

    @admin.display(description=_("kind"))
    def kind_label(self, obj: Delivery) -> str:
        return obj.kind_label()

    @admin.display(description=_("event"))
    def event_id(self, obj: Delivery) -> int:
        return obj.event_id

    def get_queryset(self, request: HttpRequest) -> Any:
        return Delivery.objects.filter(
            organisation__in=selectors.manageable_organisations(request.user)
        ).select_related("organisation", "subscription", "event__episode")
