"""The signed invoice basis (issue 14, point 3), through payment.signing: the region proposes,
the kommun disputes, the region accepts or rejects, both sign and the month is locked; a
recompute never changes a signed month and later days of it come as an adjustment line in the
next open month.

History: a per-episode agreement for region 24 (noon cut-off, liable from day 3, 9 300 kr a
day in 2026), Umeå (2480) stays imported as a region would:
- U-1 ready 2026-03-02 (notice 09:00), discharged 03-05: liable 03-04, 03-05 = 2 days;
- U-2 ready 2026-03-10, discharged 03-16: liable 03-12..03-16 = 5 days;
- S-1 in Skellefteå (2482), ready 03-10, discharged 03-13: 2 days (another kommun's basis).
March for Umeå: 7 days, 65 100 kr.
"""

# ruff: noqa: F401, F811 (fixtures imported from tests.payment.signing_data are parameters)
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.contrib.auth.models import AbstractUser

from discharges import services
from discharges.models import Kommun, Role
from payment.basis_models import (
    BasisEventKind,
    BasisStatus,
    DisputeStatus,
    InvoiceBasis,
    InvoiceBasisEvent,
    LineKind,
)
from payment.models import Agreement, MonthlyLiability
from payment.monthly import store_monthly_liability
from payment.signing import (
    KOMMUN,
    REGION,
    NotAllowed,
    SigningError,
    answer,
    dispute,
    propose,
    sign,
)
from tests.conftest import OrgTree, Personas, make_user
from tests.csvfiles import stay
from tests.payment.signing_data import (  # fixtures: agreement, admin, add_stays
    APRIL,
    MARCH,
    add_stays,
    admin,
    agreement,
    lines,
    sign_both,
)


def test_the_proposal_is_a_snapshot_of_the_months_liable_days(
    agreement: Agreement, admin: AbstractUser, org_tree: OrgTree
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    assert basis.status == BasisStatus.PROPOSED
    assert lines(basis) == {
        ("U-1", LineKind.MONTH): (2, 18600),
        ("U-2", LineKind.MONTH): (5, 46500),
    }
    [event] = InvoiceBasisEvent.objects.filter(basis=basis)
    assert (event.kind, event.days, event.amount_sek) == (BasisEventKind.PROPOSED, 7, 65100)


def test_a_signed_month_is_unchanged_by_new_episodes_and_a_recompute(
    agreement: Agreement,
    admin: AbstractUser,
    personas: Personas,
    org_tree: OrgTree,
    add_stays: Callable[..., None],
) -> None:
    march = sign_both(
        admin, personas.kommun_planner, propose(admin, agreement, org_tree.umea, MARCH)
    )
    assert march.status == BasisStatus.SIGNED and march.locked_at is not None

    # Later: a stay with days in March discharged in April (R9: 03-30, 03-31 in March, 04-01
    # .. 04-03 in April), and one wholly in April.
    add_stays(
        stay("U-3", 4, date(2026, 3, 28), date(2026, 4, 3)),
        stay("U-4", 5, date(2026, 4, 6), date(2026, 4, 9)),
    )
    store_monthly_liability()

    march.refresh_from_db()
    assert lines(march) == {
        ("U-1", LineKind.MONTH): (2, 18600),
        ("U-2", LineKind.MONTH): (5, 46500),
    }
    stored = MonthlyLiability.objects.get(kommun=org_tree.umea, care_type="all", month=MARCH)
    assert (stored.liable_days, stored.amount_sek) == (7, 65100)  # the rules now say 9 days
    somatic = MonthlyLiability.objects.get(kommun=org_tree.umea, care_type="somatik", month=MARCH)
    assert (somatic.liable_days, somatic.amount_sek) == (7, 65100)
    with pytest.raises(SigningError) as refused:
        propose(admin, agreement, org_tree.umea, MARCH)
    assert refused.value.field == "basis"

    april = propose(admin, agreement, org_tree.umea, APRIL)
    assert lines(april) == {
        ("U-3", LineKind.MONTH): (3, 27900),  # 04-01..04-03
        ("U-4", LineKind.MONTH): (2, 18600),  # 04-08, 04-09
        ("U-3", LineKind.ADJUSTMENT): (2, 18600),  # March's 03-30, 03-31
    }
    adjustment = april.lines.get(kind=LineKind.ADJUSTMENT)
    assert adjustment.adjusts_month == MARCH
    # Proposing April again does not count the adjustment twice.
    april = propose(admin, agreement, org_tree.umea, APRIL)
    assert april.lines.filter(kind=LineKind.ADJUSTMENT).count() == 1
    assert april.version == 2


def test_an_adjustment_signed_in_one_month_is_not_repeated_in_the_next(
    agreement: Agreement,
    admin: AbstractUser,
    personas: Personas,
    org_tree: OrgTree,
    add_stays: Callable[..., None],
) -> None:
    sign_both(admin, personas.kommun_planner, propose(admin, agreement, org_tree.umea, MARCH))
    add_stays(stay("U-3", 4, date(2026, 3, 28), date(2026, 4, 3)))
    sign_both(admin, personas.kommun_planner, propose(admin, agreement, org_tree.umea, APRIL))
    may = propose(admin, agreement, org_tree.umea, date(2026, 5, 1))
    assert lines(may) == {}


def test_a_dispute_accepted_enters_the_basis(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    u2 = basis.lines.get(reference="U-2")
    item = dispute(personas.kommun_planner, basis.pk, u2.pk, 3, "Kommunklar 03-14, hemgång nekad")
    basis.refresh_from_db()
    assert basis.status == BasisStatus.DISPUTED
    with pytest.raises(SigningError):
        sign(admin, basis.pk, REGION)  # open disputes first

    answer(admin, basis.pk, item.pk, accept=True, reason="")
    basis.refresh_from_db()
    assert basis.status == BasisStatus.PROPOSED
    assert lines(basis)[("U-2", LineKind.MONTH)] == (3, 27900)
    item.refresh_from_db()
    assert item.status == DisputeStatus.ACCEPTED
    signed = sign_both(admin, personas.kommun_planner, basis)
    assert signed.status == BasisStatus.SIGNED
    kinds = list(InvoiceBasisEvent.objects.filter(basis=basis).values_list("kind", flat=True))
    assert kinds == [
        BasisEventKind.PROPOSED,
        BasisEventKind.DISPUTED,
        BasisEventKind.ACCEPTED,
        BasisEventKind.SIGNED_REGION,
        BasisEventKind.SIGNED_KOMMUN,
        BasisEventKind.LOCKED,
    ]
    locked = InvoiceBasisEvent.objects.get(basis=basis, kind=BasisEventKind.LOCKED)
    assert (locked.days, locked.amount_sek) == (5, 46500)
    # The accepted correction is part of the signed month: a recompute keeps it, and the next
    # month brings no adjustment that would undo it.
    store_monthly_liability()
    stored = MonthlyLiability.objects.get(kommun=org_tree.umea, care_type="all", month=MARCH)
    assert (stored.liable_days, stored.amount_sek) == (5, 46500)
    assert lines(propose(admin, agreement, org_tree.umea, APRIL)) == {}


def test_a_dispute_rejected_leaves_the_days_and_keeps_the_reason(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    u1 = basis.lines.get(reference="U-1")
    item = dispute(personas.kommun_planner, basis.pk, u1.pk, 0, "Ingen SIP-kallelse")
    with pytest.raises(SigningError) as no_reason:
        answer(admin, basis.pk, item.pk, accept=False, reason="  ")
    assert no_reason.value.field == "reason"
    answer(admin, basis.pk, item.pk, accept=False, reason="Kallelsen skickades 03-03")
    item.refresh_from_db()
    assert (item.status, item.answer) == (DisputeStatus.REJECTED, "Kallelsen skickades 03-03")
    assert lines(basis)[("U-1", LineKind.MONTH)] == (2, 18600)
    rejected = InvoiceBasisEvent.objects.get(basis=basis, kind=BasisEventKind.REJECTED)
    assert rejected.text == "Kallelsen skickades 03-03"
    assert rejected.reference == "U-1"


def test_a_dispute_after_the_regions_signature_withdraws_it(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    sign(admin, basis.pk, REGION)
    dispute(personas.kommun_planner, basis.pk, basis.lines.get(reference="U-2").pk, 4, "Fel")
    basis.refresh_from_db()
    assert basis.region_signed_at is None
    assert basis.status == BasisStatus.DISPUTED


@pytest.mark.parametrize(
    ("days", "reason", "field"),
    [(5, "Fel", "days"), (-1, "Fel", "days"), (2, "", "reason"), (2, "x" * 1001, "reason")],
)
def test_a_bad_dispute_names_its_field_and_changes_nothing(
    agreement: Agreement,
    admin: AbstractUser,
    personas: Personas,
    org_tree: OrgTree,
    days: int,
    reason: str,
    field: str,
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    u2 = basis.lines.get(reference="U-2")
    with pytest.raises(SigningError) as refused:
        dispute(personas.kommun_planner, basis.pk, u2.pk, days, reason)
    assert refused.value.field == field
    assert not u2.disputes.exists()
    assert InvoiceBasisEvent.objects.filter(basis=basis).count() == 1


def test_who_may_propose_dispute_answer_and_sign(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    for user in (personas.processledare, personas.joint_group, personas.kommun_planner):
        with pytest.raises(NotAllowed):
            propose(user, agreement, org_tree.umea, MARCH)
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    u2 = basis.lines.get(reference="U-2").pk
    for user in (personas.other_kommun_planner, admin, personas.processledare):
        with pytest.raises(NotAllowed):
            dispute(user, basis.pk, u2, 3, "Fel")
    item = dispute(personas.kommun_planner, basis.pk, u2, 3, "Fel")
    with pytest.raises(NotAllowed):
        answer(personas.kommun_planner, basis.pk, item.pk, accept=True, reason="")
    answer(admin, basis.pk, item.pk, accept=False, reason="Nej")
    with pytest.raises(NotAllowed):
        sign(personas.kommun_planner, basis.pk, REGION)
    with pytest.raises(NotAllowed):
        sign(personas.other_kommun_planner, basis.pk, KOMMUN)
    with pytest.raises(NotAllowed):
        sign(admin, basis.pk, KOMMUN)
    # Another region's systemförvaltare.
    other = make_user("other_admin")
    services.add_membership(
        user=other, organisation=Kommun.objects.get(code="0180").region, role=Role.ADMIN
    )
    with pytest.raises(NotAllowed):
        sign(other, basis.pk, REGION)


def test_months_that_cannot_be_proposed(
    agreement: Agreement, admin: AbstractUser, org_tree: OrgTree
) -> None:
    with pytest.raises(SigningError) as before:
        propose(admin, agreement, org_tree.umea, date(2025, 12, 1))
    assert before.value.field == "month"
    with pytest.raises(SigningError) as other_region:
        propose(admin, agreement, Kommun.objects.get(code="0180"), MARCH)
    assert other_region.value.field == "kommun"
    assert not InvoiceBasis.objects.exists()


def test_the_history_is_append_only_in_the_database_too(
    agreement: Agreement, admin: AbstractUser, org_tree: OrgTree
) -> None:
    from django.db import DatabaseError, connection, transaction

    from discharges.models import AppendOnlyError

    basis = propose(admin, agreement, org_tree.umea, MARCH)
    event = InvoiceBasisEvent.objects.get(basis=basis)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        InvoiceBasisEvent.objects.filter(pk=event.pk).update(text="changed")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE payment_invoicebasisevent SET text = 'changed'")
    event.refresh_from_db()
    assert event.text == "Version 1"
