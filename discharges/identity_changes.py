"""A ward's recorded change of a patient's details (kept apart from models.py for its size)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges.append_only import AppendOnlyModel
from discharges.models import HealthCentre, Kommun, Organisation, Patient


class PatientIdentityChange(AppendOnlyModel):
    """A ward changes the patient's name, address, folkbokföringskommun or listing: who, for
    which organisation, when, and the values before and after. ``Patient`` holds the current
    values; only ``services.change_patient_identity`` writes them after the creation."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="identity_changes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    changed_at = models.DateTimeField(_("time"), default=timezone.now)
    old_name = models.CharField(_("previous name"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    old_address = models.CharField(_("previous address"), max_length=300, blank=True)
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    old_kommun = models.ForeignKey(
        Kommun, on_delete=models.PROTECT, related_name="+", verbose_name=_("previous municipality")
    )
    kommun = models.ForeignKey(
        Kommun, on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    old_health_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("previously listed at"),
    )
    health_centre = models.ForeignKey(
        HealthCentre,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("listed at health centre"),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("change of patient details")
        verbose_name_plural = _("changes of patient details")
        ordering = ["patient", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.organisation}"
