"""Agreements (överenskommelser) between a region and its kommuner, and their daily amounts."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from discharges.models import Region
from payment import rules


class LiabilityModel(models.TextChoices):
    KOMMUN_AVERAGE = "kommun_average", _("Municipal average (3 months in, 3 months out)")
    PER_EPISODE = "per_episode", _("Per episode (from a day after the ready notice)")


class Agreement(models.Model):
    name = models.SlugField(_("name"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agreements")
    first_month = models.DateField(_("first month"), help_text=_("First day of a month."))
    model = models.CharField(_("liability model"), max_length=20, choices=LiabilityModel.choices)
    threshold_days = models.DecimalField(
        _("threshold (days)"), max_digits=5, decimal_places=2, default=Decimal("3.00")
    )
    months_to_enter = models.PositiveSmallIntegerField(
        _("months over to become liable"), default=3, validators=[MinValueValidator(1)]
    )
    months_to_exit = models.PositiveSmallIntegerField(
        _("months not over to become free"), default=3, validators=[MinValueValidator(1)]
    )
    separate_care_types = models.BooleanField(
        _("somatic and psychiatric care apart"), default=False
    )
    sip_invitation_required = models.BooleanField(
        _("SIP invitation is a prerequisite"), default=True
    )
    sip_invitation_days = models.PositiveSmallIntegerField(
        _("SIP invitation within days"), default=3
    )
    notice_cutoff = models.TimeField(_("ready notice cut-off"), null=True, blank=True)
    liability_from_day = models.PositiveSmallIntegerField(
        _("liable from day"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title

    def terms(self) -> rules.Terms:
        """The plain-value terms the rule functions take."""
        per_episode = self.model == LiabilityModel.PER_EPISODE
        cutoff: time | None = self.notice_cutoff if per_episode else None
        return rules.Terms(
            model=self.model,
            first_month=self.first_month,
            threshold_days=Decimal(self.threshold_days),
            months_to_enter=self.months_to_enter,
            months_to_exit=self.months_to_exit,
            sip_invitation_required=self.sip_invitation_required,
            sip_invitation_days=self.sip_invitation_days,
            notice_cutoff=cutoff,
            liability_from_day=self.liability_from_day if per_episode else None,
            daily_amounts={a.year: a.amount_sek for a in self.daily_amounts.all()},
        )

    def covers(self, kommun_code: str) -> bool:
        return kommun_code.startswith(self.region.code)


class DailyAmount(models.Model):
    """Socialstyrelsen's amount per calendar day for a year, as the agreement applies it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="daily_amounts")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1900)])
    amount_sek = models.PositiveIntegerField(_("amount (SEK per day)"))

    class Meta:
        verbose_name = _("daily amount")
        verbose_name_plural = _("daily amounts")
        ordering = ["agreement", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="daily_amount_unique_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount_sek} kr"


class LiabilityState(models.TextChoices):
    FREE = "free", _("Not liable")
    LIABLE = "liable", _("Liable")
    PARTLY = "partly", _("Liable for one care type")
    PER_EPISODE = "per_episode", _("Per episode")


class MonthlyLiability(models.Model):
    """A kommun's liability in a month as the statistics run last computed it from the report
    (``payment.monthly``): the dashboards read these rows instead of computing the report.

    ``care_type`` is "all", "somatik" or "psykiatri"; under an agreement that keeps the care
    types apart each has its own state ("all" is then ``partly`` when only one is liable).
    Liable days and amounts are the days falling in the month (R9)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="+")
    kommun = models.ForeignKey(
        "discharges.Kommun", on_delete=models.PROTECT, related_name="liabilities"
    )
    care_type = models.CharField(_("care type"), max_length=10)
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=12, choices=LiabilityState.choices)
    liable_days = models.PositiveIntegerField(_("liable days"))
    amount_sek = models.PositiveBigIntegerField(_("amount (SEK)"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("monthly liability")
        verbose_name_plural = _("monthly liabilities")
        ordering = ["kommun", "care_type", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "care_type", "month"], name="liability_unique_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommun_id} {self.care_type} {self.month:%Y-%m}: {self.state}"


# The signed invoice basis (issue 14) lives in its own module; imported here for Django.
from payment.basis_models import (  # noqa: E402, F401
    BasisEventKind,
    BasisStatus,
    DisputeStatus,
    InvoiceBasis,
    InvoiceBasisEvent,
    InvoiceDispute,
    InvoiceLine,
    LineKind,
)
