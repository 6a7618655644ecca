"""Deviations (avvikelser) between the organisations of a discharge (issue 14, point 4): one
party files a deviation about an episode, in a category, concerning another party; the
concerned organisation answers once. Written only by ``deviations.services``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DESCRIPTION_MAX_LENGTH = 2000


class Category(models.TextChoices):
    """The categories regions use for deviations in the discharge process (seeds 000, 002)."""

    MISSING_INFORMATION = "missing_information", _("Information missing in a message")
    LATE_MESSAGE = "late_message", _("Message sent late or not at all")
    SIP_NOT_HELD = "sip_not_held", _("SIP not held")
    EARLY_DISCHARGE = "early_discharge", _("Discharge before the agreed time")
    MEDICATION_AIDS = "medication_aids", _("Medication or aids missing at homecoming")
    NOT_REACHABLE = "not_reachable", _("Could not reach the other party")
    OTHER = "other", _("Other")


class Deviation(models.Model):
    episode = models.ForeignKey(
        "discharges.Episode", on_delete=models.PROTECT, related_name="deviations"
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_by_organisation = models.ForeignKey(
        "discharges.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    concerns = models.ForeignKey(
        "discharges.Organisation",
        on_delete=models.PROTECT,
        related_name="deviations_concerning",
        verbose_name=_("concerns"),
    )
    filed_at = models.DateTimeField(_("filed"), db_index=True)
    answer = models.TextField(_("answer"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("deviation")
        verbose_name_plural = _("deviations")
        ordering = ["-filed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.episode_id} {self.category} {self.filed_at:%Y-%m-%d}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
