"""What an invoice basis holds, computed from the payment report: each episode's liable days
falling in the month (R9), and the adjustments of earlier, signed months whose days changed
since they were signed (a corrected episode, or a stay with days in that month discharged
after the signing). Reads only; ``payment.signing`` writes.

An adjustment is the difference between what the rules give now for a signed month and what
they gave when it was signed plus the adjustments already made for it. Corrections the region
accepted in a dispute are part of the signed agreement and are not undone by an adjustment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Sum
from django.utils import timezone

from payment import rules
from payment.basis_models import InvoiceBasis, InvoiceLine, LineKind
from payment.models import Agreement
from payment.reports import ALL, CARE_TYPES, build_month_report


@dataclass(frozen=True)
class Computed:
    """One line as the rules give it now."""

    episode_pk: int
    reference: str
    care_type: str
    ready_date: date
    discharge_date: date
    days: int
    amount_sek: int
    kind: str = LineKind.MONTH
    adjusts_month: date | None = None


def month_lines(agreement: Agreement, kommun_code: str, month: date) -> dict[int, Computed]:
    """The episodes with liable days falling in ``month`` for the kommun, by episode pk.

    Reads only the episodes that can have a day in the month (``build_month_report``, pinned
    against the whole report by tests/payment/test_month_report.py). Raises ``ReportError``
    (e.g. a year without a daily amount)."""
    last = max(month, rules.month_start(timezone.localdate()))
    report = build_month_report(agreement, kommun_code, month, last)
    amounts = report.agreement.terms().daily_amounts
    out: dict[int, Computed] = {}
    for line in report.episodes:
        dates = [d for d in line.liable_dates if rules.month_start(d) == month]
        if not dates:
            continue
        out[line.pk] = Computed(
            episode_pk=line.pk,
            reference=line.episode_id,
            care_type=line.care_type,
            ready_date=line.ready_date,
            discharge_date=line.discharge_date,
            days=len(dates),
            amount_sek=rules.amount_sek(dates, amounts),
        )
    return out


def _already_adjusted(signed: InvoiceBasis, exclude: InvoiceBasis | None) -> dict[int, list[int]]:
    """Days and amounts of the adjustments of ``signed``'s month made in other bases."""
    lines = InvoiceLine.objects.filter(
        basis__agreement=signed.agreement,
        basis__kommun=signed.kommun,
        kind=LineKind.ADJUSTMENT,
        adjusts_month=signed.month,
    )
    if exclude is not None and exclude.pk is not None:
        lines = lines.exclude(basis=exclude)
    sums = lines.values("episode").annotate(d=Sum("computed_days"), a=Sum("computed_amount"))
    return {row["episode"]: [row["d"] or 0, row["a"] or 0] for row in sums}


def adjustments(
    agreement: Agreement, kommun_code: str, month: date, basis: InvoiceBasis | None
) -> list[Computed]:
    """Adjustments for every signed month before ``month`` (``basis``: the one being
    proposed, whose own adjustment lines are being replaced)."""
    signed_months = InvoiceBasis.objects.filter(
        agreement=agreement,
        kommun__code=kommun_code,
        month__lt=month,
        locked_at__isnull=False,
    ).order_by("month")
    out: list[Computed] = []
    for signed in signed_months:
        now = month_lines(agreement, kommun_code, signed.month)
        then = {line.episode_id: line for line in signed.lines.filter(kind=LineKind.MONTH)}
        done = _already_adjusted(signed, basis)
        for pk in sorted(set(now) | set(then) | set(done)):
            current = now.get(pk)
            old = then.get(pk)
            before_days = (old.computed_days if old else 0) + done.get(pk, [0, 0])[0]
            before_amount = (old.computed_amount if old else 0) + done.get(pk, [0, 0])[1]
            days = (current.days if current else 0) - before_days
            amount = (current.amount_sek if current else 0) - before_amount
            if not days and not amount:
                continue
            source = current or old
            assert source is not None  # noqa: S101 (pk comes from one of them or done)
            out.append(_adjustment(source, signed.month, days, amount))
    return out


def _adjustment(source: Computed | InvoiceLine, adjusts: date, days: int, amount: int) -> Computed:
    if isinstance(source, InvoiceLine):
        return Computed(
            source.episode_id, source.reference, source.care_type, source.ready_date,
            source.discharge_date, days, amount, LineKind.ADJUSTMENT, adjusts,
        )  # fmt: skip
    return Computed(
        source.episode_pk, source.reference, source.care_type, source.ready_date,
        source.discharge_date, days, amount, LineKind.ADJUSTMENT, adjusts,
    )  # fmt: skip


def totals(lines: Iterable[InvoiceLine]) -> tuple[int, int]:
    """Days and amount of the lines as they stand (agreed corrections included)."""
    days = amount = 0
    for line in lines:
        days += line.days
        amount += line.amount_sek
    return days, amount


def signed_month_totals(agreement: Agreement) -> dict[tuple[int, str, date], tuple[int, int]]:
    """(kommun id, care type or "all", month) -> the signed liable days and amount falling in
    the month (adjustment lines belong to the month they adjust, not counted here)."""
    out: dict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0])
    lines = InvoiceLine.objects.filter(
        basis__agreement=agreement, basis__locked_at__isnull=False, kind=LineKind.MONTH
    ).select_related("basis")
    locked = set(
        InvoiceBasis.objects.filter(agreement=agreement, locked_at__isnull=False).values_list(
            "kommun_id", "month"
        )
    )
    for kommun_id, month in locked:
        for care_type in (ALL, *CARE_TYPES):
            out.setdefault((kommun_id, care_type, month), [0, 0])  # signed with no days: 0
    for line in lines:
        for care_type in (ALL, line.care_type):
            bucket = out[(line.basis.kommun_id, care_type, line.basis.month)]
            bucket[0] += line.days
            bucket[1] += line.amount_sek
    return {key: (v[0], v[1]) for key, v in out.items()}
