"""The signed invoice basis (issue 14, point 3): per agreement, kommun and month, the region
proposes a snapshot of the month's liability lines, the kommun may dispute an episode's liable
days, the region accepts or rejects, and when both have signed the month is locked.

Written only by ``payment.signing`` (one transaction per action). ``InvoiceBasisEvent`` is the
history both sides see: append-only, like the episode's event log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from discharges.append_only import AppendOnlyModel

REASON_MAX_LENGTH = 1000


class BasisStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed by the region")
    DISPUTED = "disputed", _("Disputed by the municipality")
    SIGNED_BY_REGION = "signed_region", _("Signed by the region")
    SIGNED_BY_KOMMUN = "signed_kommun", _("Signed by the municipality")
    SIGNED = "signed", _("Signed by both: locked")


class InvoiceBasis(models.Model):
    """One kommun's invoice basis for one month under one agreement."""

    agreement = models.ForeignKey(
        "payment.Agreement", on_delete=models.PROTECT, related_name="bases"
    )
    kommun = models.ForeignKey(
        "discharges.Kommun", on_delete=models.PROTECT, related_name="invoice_bases"
    )
    month = models.DateField(_("month"))
    status = models.CharField(_("status"), max_length=16, choices=BasisStatus.choices)
    version = models.PositiveIntegerField(_("version"), default=1)
    proposed_at = models.DateTimeField(_("proposed"))
    region_signed_at = models.DateTimeField(_("signed by the region"), null=True, blank=True)
    region_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kommun_signed_at = models.DateTimeField(_("signed by the municipality"), null=True, blank=True)
    kommun_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice basis")
        verbose_name_plural = _("invoice bases")
        ordering = ["agreement", "kommun", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kommun", "month"], name="invoice_basis_unique_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kommun_id} {self.month:%Y-%m}: {self.status}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None


class LineKind(models.TextChoices):
    MONTH = "month", _("Liable days of the month")
    ADJUSTMENT = "adjustment", _("Adjustment of a signed month")


class InvoiceLine(models.Model):
    """One episode's liable days in the basis's month (R9), or an adjustment of an earlier,
    signed month (``adjusts_month``; days and amount may then be negative).

    ``computed_days``/``computed_amount`` are what the rules gave at the last proposal;
    ``agreed_days``/``agreed_amount`` replace them once a dispute about the line is accepted."""

    basis = models.ForeignKey(InvoiceBasis, on_delete=models.CASCADE, related_name="lines")
    episode = models.ForeignKey(
        "discharges.Episode", on_delete=models.PROTECT, related_name="invoice_lines"
    )
    reference = models.CharField(_("episode"), max_length=80)
    kind = models.CharField(_("kind"), max_length=12, choices=LineKind.choices)
    adjusts_month = models.DateField(_("adjusts month"), null=True, blank=True)
    care_type = models.CharField(_("care type"), max_length=10)
    ready_date = models.DateField(_("ready date"))
    discharge_date = models.DateField(_("discharge date"))
    computed_days = models.IntegerField(_("computed liable days"))
    computed_amount = models.BigIntegerField(_("computed amount (SEK)"))
    agreed_days = models.IntegerField(_("agreed liable days"), null=True, blank=True)
    agreed_amount = models.BigIntegerField(_("agreed amount (SEK)"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice basis line")
        verbose_name_plural = _("invoice basis lines")
        ordering = ["basis", "kind", "adjusts_month", "reference"]
        constraints = [
            # Partial constraints, as SQLite has no NULLS NOT DISTINCT: one month line per
            # episode, one adjustment per episode and adjusted month.
            models.UniqueConstraint(
                fields=["basis", "episode"],
                condition=models.Q(kind="month"),
                name="invoice_line_unique_month",
            ),
            models.UniqueConstraint(
                fields=["basis", "episode", "adjusts_month"],
                condition=models.Q(kind="adjustment"),
                name="invoice_line_unique_adjustment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.days}"

    @property
    def days(self) -> int:
        return self.computed_days if self.agreed_days is None else self.agreed_days

    @property
    def amount_sek(self) -> int:
        return self.computed_amount if self.agreed_amount is None else self.agreed_amount


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting answer")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class InvoiceDispute(models.Model):
    """The kommun's objection to a line's liable days, and the region's answer."""

    line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="disputes")
    claimed_days = models.PositiveIntegerField(_("liable days according to the municipality"))
    reason = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"))
    status = models.CharField(
        _("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    answer = models.TextField(_("answer"), max_length=REASON_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["filed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.claimed_days} ({self.status})"


class BasisEventKind(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DISPUTED = "disputed", _("Disputed")
    ACCEPTED = "accepted", _("Dispute accepted")
    REJECTED = "rejected", _("Dispute rejected")
    SIGNED_REGION = "signed_region", _("Signed by the region")
    SIGNED_KOMMUN = "signed_kommun", _("Signed by the municipality")
    SIGNATURES_CLEARED = "signatures_cleared", _("Signatures withdrawn (the basis changed)")
    LOCKED = "locked", _("Locked")


class InvoiceBasisEvent(AppendOnlyModel):
    """The history of a basis: proposals, disputes, answers and signatures, never changed."""

    basis = models.ForeignKey(InvoiceBasis, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=BasisEventKind.choices)
    occurred_at = models.DateTimeField(_("time"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "discharges.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("episode"), max_length=80, blank=True)
    days = models.IntegerField(_("days"), null=True, blank=True)
    amount_sek = models.BigIntegerField(_("amount (SEK)"), null=True, blank=True)
    text = models.TextField(_("reason"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("invoice basis event")
        verbose_name_plural = _("invoice basis events")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.basis_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"
