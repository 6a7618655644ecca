from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from discharges.selectors import may_see_liability, memberships_of, party_memberships


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's memberships, for the header, and the menu by role: the worklist
    and the episodes only for the parties of episodes (ward, health centre, kommun staff),
    never for the follow-up roles, who see aggregates and would find them always empty."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"memberships": []}
    memberships = memberships_of(user)
    return {
        "memberships": memberships,
        "show_episodes": bool(party_memberships(user)),
        "show_follow_up": bool(memberships),
        "show_liability": may_see_liability(user),
    }
