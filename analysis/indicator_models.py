"""The indicators of seed 003 (Region Halland, fixed 2019-06-14) that the discharge process
itself yields and the monthly statistics did not hold: 1, 2, 5, 6, 7, 8, 11 and 12.

One row per kommun, health centre (none for episodes without one), care type and month of
discharge, holding counts; the shares are taken when shown, so that the rows of a kommun's
health centres and care types add up. Recomputed with the monthly statistics by
``analysis.indicators.compute_indicators``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from discharges.models import CareType, HealthCentre, Kommun

# The counts of a row, in the order the page shows them.
INDICATOR_COUNTS: tuple[str, ...] = (
    "episodes",
    "admission_notice",
    "sip",
    "aged_65plus",
    "readmitted_65plus",
    "needs_known",
    "needs_unchanged",
    "needs_new_social",
    "needs_none",
    "sip_place_known",
    "sip_home",
    "sip_video",
    "sip_hospital",
    "sip_phone",
    "follow_up_planned",
    "follow_up_done",
    "follow_up_as_planned",
)

# The base of each count (what its share is taken of); a count is hidden with its base by the
# small-number rule. "episodes" is its own base.
INDICATOR_BASES: dict[str, str] = {
    "episodes": "episodes",
    "admission_notice": "episodes",
    "sip": "episodes",
    "aged_65plus": "episodes",
    "readmitted_65plus": "aged_65plus",
    "needs_known": "episodes",
    "needs_unchanged": "needs_known",
    "needs_new_social": "needs_known",
    "needs_none": "needs_known",
    "sip_place_known": "episodes",
    "sip_home": "sip_place_known",
    "sip_video": "sip_place_known",
    "sip_hospital": "sip_place_known",
    "sip_phone": "sip_place_known",
    "follow_up_planned": "episodes",
    "follow_up_done": "follow_up_planned",
    "follow_up_as_planned": "follow_up_planned",
}


class MonthlyIndicators(models.Model):
    """Counts over the episodes discharged in the month (any, with or without a ready date)."""

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="+")
    health_centre = models.ForeignKey(
        HealthCentre, on_delete=models.PROTECT, null=True, related_name="+"
    )
    care_type = models.CharField(_("care type"), max_length=10, choices=CareType.choices)
    month = models.DateField(_("month"))
    episodes = models.PositiveIntegerField(_("discharged episodes"))
    # 1, 2
    admission_notice = models.PositiveIntegerField(_("with an admission notice"))
    sip = models.PositiveIntegerField(_("leading to a SIP"))
    # 5: patients aged 65+ at the discharge, and those readmitted as akut within 30 days
    aged_65plus = models.PositiveIntegerField(_("patients aged 65 or more"))
    readmitted_65plus = models.PositiveIntegerField(_("readmitted unplanned within 30 days"))
    # 6, 7 (and the third outcome)
    needs_known = models.PositiveIntegerField(_("with an outcome of needs"))
    needs_unchanged = models.PositiveIntegerField(_("unchanged needs, earlier services"))
    needs_new_social = models.PositiveIntegerField(_("new needs from social services"))
    needs_none = models.PositiveIntegerField(_("no need of municipal services"))
    # 8, 11
    sip_place_known = models.PositiveIntegerField(_("SIP with a known place"))
    sip_home = models.PositiveIntegerField(_("SIP in the home"))
    sip_video = models.PositiveIntegerField(_("SIP by video"))
    sip_hospital = models.PositiveIntegerField(_("SIP at the hospital"))
    sip_phone = models.PositiveIntegerField(_("SIP by phone"))
    # 12
    follow_up_planned = models.PositiveIntegerField(_("SIP follow-up planned"))
    follow_up_done = models.PositiveIntegerField(_("SIP follow-up done"))
    follow_up_as_planned = models.PositiveIntegerField(_("SIP follow-up done as planned"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("monthly indicators")
        verbose_name_plural = _("monthly indicators")
        ordering = ["kommun__code", "month", "care_type", "health_centre"]
        indexes = [models.Index(fields=["kommun", "month"], name="indicators_kommun_month_idx")]

    def __str__(self) -> str:
        return f"{self.kommun} {self.care_type} {self.month:%Y-%m}"
