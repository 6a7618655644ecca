"""Hostile input to the invoice basis pages (issue 14): NUL bytes, numbers beyond a 64-bit
integer, 10 MB of text, months out of range. Each is a 4xx naming the field or a 404, never a
500, and nothing changes."""

# ruff: noqa: F401, F811 (fixtures imported from tests.payment.signing_data are parameters)
from __future__ import annotations

import pytest
from django.contrib.auth.models import AbstractUser

from payment.basis_models import InvoiceBasis, InvoiceBasisEvent, InvoiceDispute
from payment.models import Agreement
from payment.signing import propose
from tests.conftest import OrgTree, Personas, login
from tests.payment.signing_data import MARCH, admin, agreement

NUL = "a\x00b"
HUGE = "99999999999999999999"

LONG = "x" * 100_000  # in a form (10 MB is over DATA_UPLOAD_MAX_MEMORY_SIZE: a 400 before the view)
BASE = "/liability/basis/vb-per-episode"


@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}/2480/99999999999999999999-01/",
        f"{BASE}/2480/9999-12/",
        f"{BASE}/2480/0001-01/",
        f"{BASE}/{HUGE}/2026-03/",
        f"{BASE}/24%0080/2026-03/",
        f"{BASE}/2480/2026-03/basis.pdf",  # nothing proposed yet
        "/liability/basis/no-such-agreement/2480/2026-03/",
    ],
)
def test_a_hostile_address_is_a_404(agreement: Agreement, admin: AbstractUser, path: str) -> None:
    assert login(admin).get(path).status_code == 404


@pytest.mark.parametrize(
    ("action", "who", "data", "field"),
    [
        ("dispute", "kommun_planner", {"line": HUGE, "days": "1", "reason": "x"}, "line"),
        ("dispute", "kommun_planner", {"line": NUL, "days": "1", "reason": "x"}, "line"),
        ("dispute", "kommun_planner", {"line": "²", "days": "1", "reason": "x"}, "line"),
        ("dispute", "kommun_planner", {"line": "LINE", "days": HUGE, "reason": "x"}, "days"),
        ("dispute", "kommun_planner", {"line": "LINE", "days": "-1", "reason": "x"}, "days"),
        ("dispute", "kommun_planner", {"line": "LINE", "days": "1", "reason": NUL}, "reason"),
        ("dispute", "kommun_planner", {"line": "LINE", "days": "1", "reason": LONG}, "reason"),
        ("answer", "admin", {"dispute": HUGE, "decision": "accept"}, "dispute"),
        ("answer", "admin", {"dispute": "1", "decision": NUL}, "decision"),
        ("sign", "admin", {"side": NUL}, "side"),
        ("sign", "admin", {"side": LONG}, "side"),
    ],
)
def test_a_hostile_form_is_refused_with_its_field_and_changes_nothing(
    agreement: Agreement,
    admin: AbstractUser,
    personas: Personas,
    org_tree: OrgTree,
    action: str,
    who: str,
    data: dict[str, str],
    field: str,
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    line = str(basis.lines.order_by("pk").first().pk)  # type: ignore[union-attr]
    post = {k: line if v == "LINE" else v for k, v in data.items()}
    user = admin if who == "admin" else getattr(personas, who)
    events = InvoiceBasisEvent.objects.count()
    response = login(user).post(f"{BASE}/2480/2026-03/{action}/", post)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert InvoiceBasisEvent.objects.count() == events
    assert not InvoiceDispute.objects.exists()
    basis.refresh_from_db()
    assert basis.region_signed_at is None
