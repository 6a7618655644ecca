"""Template context for every page: whether the menu offers the analyses, and on the start
pages the unread notices of new analyses (processledare and the group)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from analysis.analyses.access import may_use_analyses
from analysis.analyses.models import AnalysisNotice

# Where people land (svu.views.start): the follow-up roles, whom the notices are for, on the
# dashboard; the parties on their worklist.
START_PAGES = frozenset({"analysis:dashboard", "discharges:worklist"})
SHOWN_NOTICES = 10


def analyses(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    show = may_use_analyses(user)
    context: dict[str, Any] = {"show_analyses": show}
    match = getattr(request, "resolver_match", None)
    if show and match is not None and match.view_name in START_PAGES:
        unread = AnalysisNotice.objects.filter(user=user, read_at__isnull=True)
        context["analysis_notices"] = list(
            unread.select_related("analysis__kommun").order_by("-created_at", "-id")[:SHOWN_NOTICES]
        )
        context["analysis_notices_count"] = unread.count()
    return context
