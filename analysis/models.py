"""Monthly statistics per kommun, care type and month: one row per group, recomputed
idempotently from the episodes by ``analysis.statistics.compute_statistics``."""

from __future__ import annotations

import calendar
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from discharges.models import Kommun


class StatCareType(models.TextChoices):
    ALL = "all", _("All care")
    SOMATIC = "somatik", _("Somatic care")
    PSYCHIATRIC = "psykiatri", _("Psychiatric care")


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.001"), ROUND_HALF_UP)


def _ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


class MonthlyStatistic(models.Model):
    """R2's figures plus the follow-up indicators, for episodes discharged in the month."""

    kommun = models.ForeignKey(Kommun, on_delete=models.PROTECT, related_name="statistics")
    care_type = models.CharField(_("care type"), max_length=10, choices=StatCareType.choices)
    month = models.DateField(_("month"))
    # R2
    episodes = models.PositiveIntegerField(_("discharged episodes with a ready date"))
    ready_days = models.PositiveIntegerField(_("ready days"))
    episodes_3plus = models.PositiveIntegerField(_("episodes with 3 or more ready days"))
    # National indicators (Väntetider i vården)
    same_day = models.PositiveIntegerField(_("discharged on the ready day"))
    episodes_1plus = models.PositiveIntegerField(_("episodes with at least 1 ready day"))
    # Regional indicators
    named_contact = models.PositiveIntegerField(_("with a named care contact"))
    sip_needed = models.PositiveIntegerField(_("needing a SIP"))
    sip_invited_in_time = models.PositiveIntegerField(_("SIP invited within 3 days"))
    sip_held = models.PositiveIntegerField(_("SIP held"))
    sip_days_median = models.DecimalField(
        _("median days from SIP invitation to meeting"),
        max_digits=6,
        decimal_places=1,
        null=True,
    )
    preliminary_known = models.PositiveIntegerField(_("with a preliminary ready date"))
    preliminary_accurate = models.PositiveIntegerField(_("preliminary date within one day"))
    preliminary_changes = models.PositiveIntegerField(_("changes of the preliminary date"))
    admission_notice_late = models.PositiveIntegerField(_("admission notice later than 24 h"))
    track_green = models.PositiveIntegerField(_("green track"))
    track_yellow = models.PositiveIntegerField(_("yellow track"))
    track_red = models.PositiveIntegerField(_("red track"))
    track_blue = models.PositiveIntegerField(_("blue track"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("monthly statistic")
        verbose_name_plural = _("monthly statistics")
        ordering = ["kommun__code", "care_type", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "care_type", "month"], name="statistic_unique_group"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommun} {self.care_type} {self.month:%Y-%m}"

    @property
    def average(self) -> Decimal | None:
        """R2: ready days / episodes, same-day discharges included (2 decimals)."""
        return _ratio(self.ready_days, self.episodes)

    @property
    def national_average(self) -> Decimal | None:
        """Väntetider i vården: only episodes with at least 1 ready day."""
        return _ratio(self.ready_days, self.episodes_1plus)

    @property
    def same_day_share(self) -> Decimal | None:
        return _share(self.same_day, self.episodes)

    @property
    def beds_occupied(self) -> Decimal:
        """Beds occupied by ready patients on average: ready days / days in the month."""
        days = calendar.monthrange(self.month.year, self.month.month)[1]
        return (Decimal(self.ready_days) / days).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def named_contact_share(self) -> Decimal | None:
        return _share(self.named_contact, self.episodes)

    @property
    def sip_in_time_share(self) -> Decimal | None:
        return _share(self.sip_invited_in_time, self.sip_needed)

    @property
    def sip_share(self) -> Decimal | None:
        return _share(self.sip_held, self.episodes)

    @property
    def preliminary_accuracy(self) -> Decimal | None:
        return _share(self.preliminary_accurate, self.preliminary_known)

    @property
    def preliminary_changes_average(self) -> Decimal | None:
        return _ratio(self.preliminary_changes, self.episodes)


class FiguresGeneration(models.Model):
    """One row: a number bumped, in the writing transaction, by every write to what the
    follow-up overview reads (statistics, liability, population, agreements, kommuner and
    regions: ``analysis.overview_cache``). The cached figures are keyed on it."""

    number = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.number)


# The analyses of delayed discharge keep their tables in their own package; imported here, last,
# so that Django registers them with this app.
from analysis.analyses import models as analyses_models  # noqa: E402, F401
from analysis.indicator_models import MonthlyIndicators as MonthlyIndicators  # noqa: E402
