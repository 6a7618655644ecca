from __future__ import annotations

from django.contrib import admin

from discharges.admin import GuardedAdmin
from payment.models import Agreement, DailyAmount


class DailyAmountInline(admin.TabularInline):
    model = DailyAmount
    extra = 1


@admin.register(Agreement)
class AgreementAdmin(GuardedAdmin):
    """Agreements; the statistics app above this one adds the "recompute statistics" action."""

    list_display = ["name", "title", "region", "model", "first_month", "threshold_days"]
    list_filter = ["model", "region"]
    inlines = [DailyAmountInline]
