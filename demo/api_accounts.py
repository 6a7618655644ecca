"""The demo's system accounts: one per ward, hälsocentral and kommun (the integration role at
that organisation: its journal system), and their API tokens.

Tokens are not part of the demo data (only their hashes are stored, and no secret belongs in
the repository): ``python manage.py demo_api_tokens`` issues a fresh one for each account,
prints them, and revokes the ones it issued before.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.text import slugify

from api import tokens
from api.models import ApiToken
from demo.organisations import DemoOrganisations
from discharges import services
from discharges.models import Membership, Organisation, Role

PREFIX = "system."
TOKEN_NAME = "demo"  # noqa: S105 (the tokens' label, no secret)


@dataclass(frozen=True)
class DemoToken:
    username: str
    organisation: str
    token: str


def username_for(kind: str, key: str) -> str:
    return f"{PREFIX}{kind}.{slugify(key)}"


def ensure_system_accounts(orgs: DemoOrganisations) -> int:
    """Creates the accounts that are missing; returns how many there are."""
    organisations: list[tuple[str, Organisation]] = [
        *((username_for("ward", key), ward) for key, ward in orgs.wards.items()),
        *((username_for("hc", key), hc) for key, hc in orgs.health_centres.items()),
        *((username_for("kommun", code), k) for code, k in orgs.kommuner.items()),
    ]
    user_model = get_user_model()
    for username, organisation in organisations:
        user, created = user_model.objects.get_or_create(
            username=username,
            defaults={"first_name": "System", "last_name": str(organisation)[:150]},
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        services.add_membership(user=user, organisation=organisation, role=Role.INTEGRATION)
    return len(organisations)


def issue_tokens(days: int = 30) -> list[DemoToken]:
    """A new token for every demo system account (earlier demo tokens revoked)."""
    memberships = (
        Membership.objects.filter(user__username__startswith=PREFIX, role=Role.INTEGRATION)
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    tokens.revoke(ApiToken.objects.filter(user__username__startswith=PREFIX, name=TOKEN_NAME))
    issued = []
    for m in memberships:
        _token, secret = tokens.create_token(m.user, days=days, name=TOKEN_NAME)
        issued.append(DemoToken(m.user.username, str(m.organisation.specific), secret))
    return issued
