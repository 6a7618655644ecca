"""The demo's system accounts: one per ward, hälsocentral and kommun, each with a token that
acts for its organisation alone; reissuing revokes the earlier tokens."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from demo import api_accounts
from demo.organisations import ensure_organisations
from tests.api.conftest import ApiClient


def test_one_system_account_with_a_token_per_ward_health_centre_and_kommun(db: None) -> None:
    orgs = ensure_organisations()
    count = api_accounts.ensure_system_accounts(orgs)
    assert count == len(orgs.wards) + len(orgs.health_centres) + len(orgs.kommuner)
    assert api_accounts.ensure_system_accounts(orgs) == count  # again: nothing doubled
    users = get_user_model().objects.filter(username__startswith=api_accounts.PREFIX)
    assert users.count() == count
    assert not any(user.has_usable_password() for user in users)

    first = api_accounts.issue_tokens(days=1)
    assert len(first) == count
    assert len({row.token for row in first}) == count
    umea = next(row for row in first if row.username == "system.kommun.2480")
    assert ApiClient(umea.token).get("/api/v1/worklist/").status_code == 200

    second = api_accounts.issue_tokens(days=1)
    assert ApiClient(umea.token).get("/api/v1/worklist/").status_code == 401
    renewed = next(row for row in second if row.username == "system.kommun.2480")
    assert ApiClient(renewed.token).get("/api/v1/worklist/").status_code == 200
