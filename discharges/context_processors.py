from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from discharges.selectors import may_see_liability, memberships_of


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's memberships, for the header and the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"memberships": []}
    memberships = memberships_of(user)
    return {
        "memberships": memberships,
        "show_follow_up": bool(memberships),
        "show_liability": may_see_liability(user),
    }
