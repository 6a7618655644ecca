"""The one write path of the signed invoice basis (issue 14, point 3).

- ``propose``: the region's systemförvaltare (admin at the agreement's region) proposes the
  basis of a kommun's month: a snapshot of its liability lines, plus adjustments of earlier
  signed months. Proposing again (before the month is locked) refreshes the snapshot.
- ``dispute``: a member of the kommun disputes a line's liable days, with a reason.
- ``answer``: the region accepts (the days claimed enter the basis) or rejects, with a reason.
- ``sign``: each side signs; when both have, the month is locked and never changes again.

Every action is one transaction on the locked basis row and appends to its history. Bad input
raises ``SigningError`` naming the field; the wrong person raises ``NotAllowed`` (a 403).
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.models import Kommun, Organisation, OrganisationKind, Role
from discharges.selectors import memberships_of
from payment import rules
from payment.basis_lines import Computed, adjustments, month_lines, totals
from payment.basis_models import (
    REASON_MAX_LENGTH,
    BasisEventKind,
    BasisStatus,
    DisputeStatus,
    InvoiceBasis,
    InvoiceBasisEvent,
    InvoiceDispute,
    InvoiceLine,
    LineKind,
)
from payment.models import Agreement
from payment.reports import ReportError

REGION, KOMMUN = "region", "kommun"


class SigningError(Exception):
    """Bad input or a step out of order; ``field`` names the field, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotAllowed(Exception):
    """The user may not take this step for this organisation."""


# --- Who acts ---------------------------------------------------------------------------------


def region_admin(user: User, agreement: Agreement) -> Organisation | None:
    """The user's membership as systemförvaltare of the agreement's region, if any."""
    for m in memberships_of(user):
        if (
            m.role == Role.ADMIN
            and m.organisation.kind == OrganisationKind.REGION
            and m.organisation_id == agreement.region_id
        ):
            return m.organisation
    return None


def kommun_member(user: User, kommun: Kommun) -> Organisation | None:
    for m in memberships_of(user):
        if m.organisation_id == kommun.pk and m.organisation.kind == OrganisationKind.KOMMUN:
            return m.organisation
    return None


def side_of(user: User, basis_agreement: Agreement, kommun: Kommun) -> set[str]:
    """The sides the user may act for: "region", "kommun" or both."""
    sides = set()
    if region_admin(user, basis_agreement) is not None:
        sides.add(REGION)
    if kommun_member(user, kommun) is not None:
        sides.add(KOMMUN)
    return sides


def _actor(user: User, basis: InvoiceBasis, side: str) -> Organisation:
    org = (
        region_admin(user, basis.agreement) if side == REGION else kommun_member(user, basis.kommun)
    )
    if org is None:
        raise NotAllowed
    return org


# --- Helpers ----------------------------------------------------------------------------------


def _event(
    basis: InvoiceBasis,
    kind: str,
    user: User,
    organisation: Organisation,
    *,
    line: InvoiceLine | None = None,
    days: int | None = None,
    amount: int | None = None,
    text: str = "",
) -> None:
    InvoiceBasisEvent.objects.create(
        basis=basis,
        kind=kind,
        occurred_at=timezone.now(),
        user=user,
        organisation=organisation,
        reference=line.reference if line is not None else "",
        days=days,
        amount_sek=amount,
        text=text,
    )


def _reason(value: str, field: str, *, required: bool = True) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise SigningError(field, _("The text holds a character that is not allowed (NUL)."))
    if required and not text:
        raise SigningError(field, _("Give a reason."))
    if len(text) > REASON_MAX_LENGTH:
        raise SigningError(
            field, _("The reason may be at most %(n)s characters.") % {"n": REASON_MAX_LENGTH}
        )
    return text


def _status(basis: InvoiceBasis) -> str:
    if basis.locked_at is not None:
        return BasisStatus.SIGNED
    if InvoiceDispute.objects.filter(line__basis=basis, status=DisputeStatus.OPEN).exists():
        return BasisStatus.DISPUTED
    if basis.region_signed_at is not None:
        return BasisStatus.SIGNED_BY_REGION
    if basis.kommun_signed_at is not None:
        return BasisStatus.SIGNED_BY_KOMMUN
    return BasisStatus.PROPOSED


def _save(basis: InvoiceBasis) -> None:
    basis.status = _status(basis)
    basis.save()


def _locked_basis(pk: int) -> InvoiceBasis:
    basis = (
        InvoiceBasis.objects.select_for_update(of=("self",))
        .select_related("agreement__region", "kommun")
        .get(pk=pk)
    )
    if basis.locked_at is not None:
        raise SigningError("basis", _("The month is signed by both and locked."))
    return basis


def _clear_signatures(basis: InvoiceBasis, user: User, org: Organisation) -> None:
    if basis.region_signed_at is None and basis.kommun_signed_at is None:
        return
    basis.region_signed_at = basis.kommun_signed_at = None
    basis.region_signed_by = basis.kommun_signed_by = None
    _event(basis, BasisEventKind.SIGNATURES_CLEARED, user, org)


# --- Propose ----------------------------------------------------------------------------------


def check_month(agreement: Agreement, kommun: Kommun, month: date) -> None:
    if not agreement.covers(kommun.code):
        raise SigningError("kommun", _("The agreement does not cover this municipality."))
    if month.day != 1 or month < agreement.first_month:
        raise SigningError("month", _("The month is before the agreement's first month."))
    if month >= rules.month_start(timezone.localdate()):
        raise SigningError("month", _("A month can be proposed only after it has ended."))


def propose(user: User, agreement: Agreement, kommun: Kommun, month: date) -> InvoiceBasis:
    """Propose (or propose again) the basis of ``kommun``'s ``month``."""
    org = region_admin(user, agreement)
    if org is None:
        raise NotAllowed
    check_month(agreement, kommun, month)
    with transaction.atomic():
        basis, created = InvoiceBasis.objects.get_or_create(
            agreement=agreement,
            kommun=kommun,
            month=month,
            defaults={"status": BasisStatus.PROPOSED, "proposed_at": timezone.now()},
        )
        basis = _locked_basis(basis.pk)
        if InvoiceDispute.objects.filter(line__basis=basis, status=DisputeStatus.OPEN).exists():
            raise SigningError("basis", _("Answer the open disputes before proposing again."))
        try:
            computed = list(month_lines(agreement, kommun.code, month).values())
            computed += adjustments(agreement, kommun.code, month, basis)
        except ReportError as exc:
            raise SigningError("month", str(exc)) from exc
        _replace_lines(basis, computed)
        if not created:
            basis.version += 1
            basis.proposed_at = timezone.now()
            _clear_signatures(basis, user, org)
        _save(basis)
        days, amount = totals(basis.lines.all())
        _event(basis, BasisEventKind.PROPOSED, user, org, days=days, amount=amount,
               text=_("Version %(v)s") % {"v": basis.version})  # fmt: skip
    return basis


def _replace_lines(basis: InvoiceBasis, computed: list[Computed]) -> None:
    """The lines as computed now; a line with disputes is kept (at 0 days when gone), and an
    accepted correction stays only while the computed days it corrected are unchanged."""
    existing = {
        (line.episode_id, line.kind, line.adjusts_month): line for line in basis.lines.all()
    }
    seen = set()
    for item in computed:
        key = (item.episode_pk, item.kind, item.adjusts_month)
        seen.add(key)
        line = existing.get(key) or InvoiceLine(
            basis=basis,
            episode_id=item.episode_pk,
            kind=item.kind,
            adjusts_month=item.adjusts_month,
        )
        if line.pk is not None and line.computed_days != item.days:
            line.agreed_days = line.agreed_amount = None
        line.reference = item.reference[:80]
        line.care_type = item.care_type
        line.ready_date, line.discharge_date = item.ready_date, item.discharge_date
        line.computed_days, line.computed_amount = item.days, item.amount_sek
        line.save()
    for key, line in existing.items():
        if key in seen:
            continue
        if line.disputes.exists():
            line.computed_days = line.computed_amount = 0
            line.agreed_days = line.agreed_amount = None
            line.save()
        else:
            line.delete()


# --- Dispute and answer -----------------------------------------------------------------------


def dispute(
    user: User, basis_pk: int, line_pk: int, claimed_days: int, reason: str
) -> InvoiceDispute:
    """The kommun holds that the line's liable days are ``claimed_days``."""
    with transaction.atomic():
        basis = _locked_basis(basis_pk)
        org = _actor(user, basis, KOMMUN)
        if basis.kommun_signed_at is not None:
            raise SigningError("basis", _("The municipality has already signed this basis."))
        line = basis.lines.filter(pk=line_pk, kind=LineKind.MONTH).first()
        if line is None:
            raise SigningError("line", _("Choose a line of this basis."))
        if line.disputes.filter(status=DisputeStatus.OPEN).exists():
            raise SigningError("line", _("The line already has an open dispute."))
        if not 0 <= claimed_days < line.days:
            raise SigningError(
                "days",
                _("The liable days claimed must be from 0 to %(n)s (fewer than the line's).")
                % {"n": max(line.days - 1, 0)},
            )
        text = _reason(reason, "reason")
        item = InvoiceDispute.objects.create(
            line=line,
            claimed_days=claimed_days,
            reason=text,
            filed_by=user,
            filed_at=timezone.now(),
        )
        _clear_signatures(basis, user, org)
        _save(basis)
        _event(basis, BasisEventKind.DISPUTED, user, org, line=line, days=claimed_days, text=text)
    return item


def answer(
    user: User, basis_pk: int, dispute_pk: int, *, accept: bool, reason: str
) -> InvoiceDispute:
    """The region accepts the dispute (its days enter the basis) or rejects it."""
    with transaction.atomic():
        basis = _locked_basis(basis_pk)
        org = _actor(user, basis, REGION)
        item = (
            InvoiceDispute.objects.select_for_update()
            .select_related("line")
            .filter(pk=dispute_pk, line__basis=basis, status=DisputeStatus.OPEN)
            .first()
        )
        if item is None:
            raise SigningError("dispute", _("Choose an open dispute of this basis."))
        text = _reason(reason, "reason", required=not accept)
        item.status = DisputeStatus.ACCEPTED if accept else DisputeStatus.REJECTED
        item.answer, item.answered_by, item.answered_at = text, user, timezone.now()
        item.save()
        line = item.line
        if accept:
            daily = basis.agreement.terms().daily_amounts
            try:
                per_day = daily[basis.month.year]
            except KeyError as exc:
                missing = rules.MissingDailyAmount(basis.month.year)
                raise SigningError("month", str(missing)) from exc
            line.agreed_days, line.agreed_amount = item.claimed_days, item.claimed_days * per_day
            line.save()
        _save(basis)
        kind = BasisEventKind.ACCEPTED if accept else BasisEventKind.REJECTED
        _event(basis, kind, user, org, line=line, days=line.days, amount=line.amount_sek, text=text)
    return item


# --- Sign -------------------------------------------------------------------------------------


def sign(user: User, basis_pk: int, side: str) -> InvoiceBasis:
    """``side`` ("region" or "kommun") signs; the second signature locks the month."""
    if side not in (REGION, KOMMUN):
        raise SigningError("side", _("Sign for the region or for the municipality."))
    with transaction.atomic():
        basis = _locked_basis(basis_pk)
        org = _actor(user, basis, side)
        if InvoiceDispute.objects.filter(line__basis=basis, status=DisputeStatus.OPEN).exists():
            raise SigningError("basis", _("Answer the open disputes before signing."))
        now = timezone.now()
        if side == REGION:
            if basis.region_signed_at is not None:
                raise SigningError("side", _("The region has already signed."))
            basis.region_signed_at, basis.region_signed_by = now, user
            kind = BasisEventKind.SIGNED_REGION
        else:
            if basis.kommun_signed_at is not None:
                raise SigningError("side", _("The municipality has already signed."))
            basis.kommun_signed_at, basis.kommun_signed_by = now, user
            kind = BasisEventKind.SIGNED_KOMMUN
        days, amount = totals(basis.lines.all())
        _event(basis, kind, user, org, days=days, amount=amount)
        if basis.region_signed_at is not None and basis.kommun_signed_at is not None:
            basis.locked_at = now
            _event(basis, BasisEventKind.LOCKED, user, org, days=days, amount=amount)
        _save(basis)
    return basis
