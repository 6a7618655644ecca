from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from analysis.selectors import REGION_FOLLOW_UP_ROLES
from discharges.models import OrganisationKind
from discharges.selectors import memberships_of


def memberships(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's memberships, for the header and the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"memberships": []}
    memberships = memberships_of(user)
    kinds_roles = {(m.organisation.kind, m.role) for m in memberships}
    return {
        "memberships": memberships,
        "show_follow_up": bool(memberships),
        "show_liability": any(
            kind == OrganisationKind.KOMMUN
            or (kind == OrganisationKind.REGION and role in REGION_FOLLOW_UP_ROLES)
            for kind, role in kinds_roles
        ),
    }
