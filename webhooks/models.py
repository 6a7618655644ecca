"""Webhook subscriptions of an organisation and the log of their deliveries.

A subscription's secret signs every delivery (HMAC-SHA256, ``webhooks.signing``); it is kept
as it is because signing needs it, and it is shown once, when the subscription is created.
A delivery is one event sent to one subscription: unique per (subscription, event), so an
event is never queued twice for the same receiver, however often the hook or a task runs.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges.events import EventKind
from discharges.models import EpisodeEvent, Organisation

URL_MAX_LENGTH = 500


class Subscription(models.Model):
    """An organisation's receiver of events: a URL and the event kinds it wants."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="webhook_subscriptions",
        verbose_name=_("organisation"),
    )
    url = models.URLField(_("URL"), max_length=URL_MAX_LENGTH)
    kinds = models.JSONField(
        _("event kinds"),
        default=list,
        help_text=_("The kinds of message the receiver is told of."),
    )
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["organisation", "pk"]
        indexes = [
            models.Index(
                fields=["organisation"],
                condition=models.Q(active=True),
                name="webhook_sub_active_org_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.url}"

    def kind_labels(self) -> str:
        return ", ".join(str(EventKind(kind).label) for kind in self.kinds if kind in EventKind)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Given up")


class Delivery(models.Model):
    """One event sent, or being sent, to one subscription."""

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscription"),
    )
    event = models.ForeignKey(
        EpisodeEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("event")
    )
    # Kept apart from the event: the subscription's organisation the event was addressed to.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    # An EventKind (no choices here: a new kind in discharges needs no migration of this app).
    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True)
    response_code = models.PositiveIntegerField(_("response code"), null=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event"], name="webhook_delivery_unique_event"
            ),
        ]
        indexes = [
            # The periodic task's question: which waiting deliveries are due?
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.kind_label()} → {self.organisation_id}"

    def kind_label(self) -> str:
        return str(EventKind(self.kind).label) if self.kind in EventKind else self.kind
