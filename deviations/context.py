"""Template context for every page: whether the menu offers the deviations (the parties of
episodes, and the processledare, who see the region's)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from deviations.selectors import lead_regions
from discharges.selectors import party_memberships


def deviations_menu(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"show_deviations": bool(party_memberships(user)) or bool(lead_regions(user))}
