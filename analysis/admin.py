from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from analysis.models import MonthlyStatistic
from analysis.tasks import compute_statistics
from discharges.admin import GuardedAdmin
from discharges.outbox import enqueue
from payment.admin import AgreementAdmin
from payment.models import Agreement


def queue_recompute(request: HttpRequest) -> None:
    """Queue the statistics task through the outbox: sent after the commit, or kept until the
    task queue (Redis) answers again; either way the request succeeds."""
    job = enqueue(compute_statistics.name)
    job.refresh_from_db()  # sent by now unless the request runs in a transaction
    if job.sent_at is None:
        messages.warning(
            request,
            _(
                "The recomputation of the monthly statistics is queued; the task queue does "
                "not answer now, so it starts when the queue is back."
            ),
        )
    else:
        messages.info(request, _("The recomputation of the monthly statistics is queued."))


@admin.register(MonthlyStatistic)
class MonthlyStatisticAdmin(GuardedAdmin):
    list_display = [
        "kommun", "care_type", "month", "episodes", "ready_days", "average", "episodes_3plus",
        "computed_at",
    ]  # fmt: skip
    list_filter = ["care_type", "kommun__region", "month"]
    date_hierarchy = "month"
    actions = ["recompute"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Recompute the monthly statistics"))
    def recompute(self, request: HttpRequest, queryset: Any) -> None:
        queue_recompute(request)


# The agreements' admin belongs to payment, below this app; the recompute action is added here,
# where the statistics task lives, so that payment never imports analysis.
admin.site.unregister(Agreement)


@admin.register(Agreement)
class AgreementWithStatisticsAdmin(AgreementAdmin):
    actions = ["recompute_statistics"]

    @admin.action(description=_("Recompute the monthly statistics"))
    def recompute_statistics(self, request: HttpRequest, queryset: Any) -> None:
        queue_recompute(request)
