from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from analysis.admin import queue_recompute
from payment.models import Agreement, DailyAmount


class DailyAmountInline(admin.TabularInline):
    model = DailyAmount
    extra = 1


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "region", "model", "first_month", "threshold_days"]
    list_filter = ["model", "region"]
    inlines = [DailyAmountInline]
    actions = ["recompute_statistics"]

    @admin.action(description=_("Recompute the monthly statistics"))
    def recompute_statistics(self, request: HttpRequest, queryset: Any) -> None:
        queue_recompute(request)
