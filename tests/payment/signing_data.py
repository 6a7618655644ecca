"""The history of the signed invoice basis tests (tests/payment/test_signing*.py): a
per-episode agreement for region 24 (noon cut-off, liable from day 3, 9 300 kr a day in 2026)
and Umeå (2480) stays imported as a region would:
- U-1 ready 2026-03-02 (notice 09:00), discharged 03-05: liable 03-04, 03-05 = 2 days;
- U-2 ready 2026-03-10, discharged 03-16: liable 03-12..03-16 = 5 days;
- S-1 in Skellefteå (2482), ready 03-10, discharged 03-13: 2 days (another kommun's basis).
March for Umeå: 7 days, 65 100 kr. ``admin`` is the region's systemförvaltare.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser

from discharges import services
from discharges.models import Role
from payment.basis_models import InvoiceBasis
from payment.models import Agreement
from payment.signing import KOMMUN, REGION, sign
from tests.conftest import OrgTree, Personas, make_user
from tests.csvfiles import import_rows, load_agreement, stay

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)

AGREEMENT_TOML = """
name = "vb-per-episode"
title = "Test: per episode in region 24"
region = "24"
first_month = "2026-01"
model = "per_episode"
separate_care_types = false
sip_invitation_required = true
sip_invitation_days = 3
notice_cutoff = "12:00"
liability_from_day = 3

[daily_amounts]
2026 = 9300
"""


@pytest.fixture
def agreement(personas: Personas, tmp_path: Path) -> Agreement:
    path = tmp_path / "agreement.toml"
    path.write_text(AGREEMENT_TOML, encoding="utf-8")
    load_agreement(path)
    import_rows(
        tmp_path,
        [
            stay("U-1", 1, date(2026, 3, 2), date(2026, 3, 5)),
            stay("U-2", 2, date(2026, 3, 10), date(2026, 3, 16)),
            stay("S-1", 3, date(2026, 3, 10), date(2026, 3, 13), kommun="2482"),
        ],
    )
    return Agreement.objects.get(name="vb-per-episode")


@pytest.fixture
def admin(org_tree: OrgTree) -> AbstractUser:
    """The region's systemförvaltare."""
    user = make_user("systemforvaltare")
    services.add_membership(user=user, organisation=org_tree.region, role=Role.ADMIN)
    return user


@pytest.fixture
def add_stays(tmp_path: Path) -> Callable[..., None]:
    def add(*rows: dict[str, str]) -> None:
        import_rows(tmp_path, list(rows), name="later.csv")

    return add


def lines(basis: InvoiceBasis) -> dict[tuple[str, str], tuple[int, int]]:
    return {(line.reference, line.kind): (line.days, line.amount_sek) for line in basis.lines.all()}


def sign_both(admin: AbstractUser, planner: AbstractUser, basis: InvoiceBasis) -> InvoiceBasis:
    sign(admin, basis.pk, REGION)
    return sign(planner, basis.pk, KOMMUN)
