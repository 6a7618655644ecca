"""The demo's signed invoice basis and deviations (issue 14), written through the services as
the people of the demo would have done:

- the invoice basis: for the kommun with a demo planner that has the most liable days in an
  ended month, the region's systemförvaltare (``admin``) proposes that month, the kommun
  disputes its longest line, the region accepts and both sign: the month is locked. The month
  after it is proposed too; the kommun disputes a line, the region rejects with a reason and
  signs; the kommun's signature is what is left.
- deviations: on recent episodes of the demo's kommuner, a few between ward, kommun and
  hälsocentral, most of them answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Sum
from django.utils import timezone

from demo.region import REGION_CODE
from deviations.models import Category, Deviation
from deviations.services import answer_deviation, file_deviation
from discharges.models import Episode, Kommun, Membership, Role
from payment import signing
from payment.basis_models import InvoiceBasis, LineKind
from payment.models import Agreement, MonthlyLiability
from payment.rules import month_start

ADMIN = "admin"
PLANNERS = {"2480": "planerare.umea", "2482": "planerare.skelleftea", "2481": "planerare.lycksele"}


def _user(username: str) -> User:
    user: User = get_user_model().objects.get(username=username)
    return user


def _month_to_sign(agreement: Agreement) -> tuple[str, date]:
    """The planner kommun and ended month with the most liable days (the latest such month when
    none has any), leaving a month after it that has ended too."""
    current = month_start(timezone.localdate())
    last = month_start(current - timedelta(days=1))
    newest_possible = month_start(last - timedelta(days=1))
    rows = (
        MonthlyLiability.objects.filter(
            agreement=agreement,
            kommun__code__in=PLANNERS,
            care_type="all",
            month__gte=agreement.first_month,
            month__lte=newest_possible,
        )
        .values("kommun__code", "month")
        .annotate(days=Sum("liable_days"))
        .order_by("-days", "-month", "kommun__code")
    )
    best = rows.first()
    if best is None or not best["days"]:
        return "2480", max(newest_possible, agreement.first_month)
    return best["kommun__code"], best["month"]


@dataclass
class InvoiceResult:
    signed: InvoiceBasis | None
    proposed: InvoiceBasis | None


def _longest_line(basis: InvoiceBasis) -> int | None:
    line = basis.lines.filter(kind=LineKind.MONTH, computed_days__gt=0).order_by(
        "-computed_days", "reference"
    )
    first = line.first()
    return first.pk if first is not None else None


def seed_invoice_basis() -> InvoiceResult:
    agreement = Agreement.objects.filter(region__code=REGION_CODE).order_by("first_month").last()
    if agreement is None:
        return InvoiceResult(None, None)
    admin, code_month = _user(ADMIN), _month_to_sign(agreement)
    code, month = code_month
    kommun = Kommun.objects.get(code=code)
    planner = _user(PLANNERS[code])
    if month < agreement.first_month or month >= month_start(timezone.localdate()):
        return InvoiceResult(None, None)
    basis = signing.propose(admin, agreement, kommun, month)
    line = _longest_line(basis)
    if line is not None:
        days = basis.lines.get(pk=line).days
        item = signing.dispute(
            planner,
            basis.pk,
            line,
            days - 1,
            "Kommunklar dagen före; patienten tackade nej till hemgång den dagen.",
        )
        signing.answer(
            admin, basis.pk, item.pk, accept=True, reason="Stämmer med journalen: en dag mindre."
        )
    signing.sign(admin, basis.pk, signing.REGION)
    signed = signing.sign(planner, basis.pk, signing.KOMMUN)
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    if following >= month_start(timezone.localdate()):
        return InvoiceResult(signed, None)
    proposed = signing.propose(admin, agreement, kommun, following)
    line = _longest_line(proposed)
    if line is not None:
        item = signing.dispute(
            planner, proposed.pk, line, 0, "SIP-kallelsen kom för sent enligt vår dokumentation."
        )
        signing.answer(
            admin,
            proposed.pk,
            item.pk,
            accept=False,
            reason="Kallelsen skickades inom tre dagar efter utskrivningsklar (se händelseloggen).",
        )
    signing.sign(admin, proposed.pk, signing.REGION)
    proposed.refresh_from_db()
    return InvoiceResult(signed, proposed)


# --- Deviations -----------------------------------------------------------------------------------

# (category, who files: "ward" / "kommun" / "hc", whom it concerns, description, answer or "")
DEVIATIONS = (
    (
        Category.MISSING_INFORMATION, "ward", "kommun",
        "Svaret på inskrivningsmeddelandet saknade uppgift om nuvarande hemtjänstinsatser.",
        "Kompletterat dagen efter: hemtjänst två gånger per dag sedan i våras.",
    ),
    (
        Category.MEDICATION_AIDS, "kommun", "ward",
        "Patienten kom hem utan läkemedelslista och utan dosett för kvällen.",
        "Läkemedelslistan faxades samma kväll; rutinen för utskrivningssamtal ses över.",
    ),
    (
        Category.EARLY_DISCHARGE, "kommun", "ward",
        "Hemgång skedde två timmar före överenskommen tid; hemtjänsten var inte på plats.",
        "",
    ),
    (
        Category.LATE_MESSAGE, "hc", "ward",
        "Inskrivningsmeddelandet kom först tre dagar efter inskrivningen.",
        "Meddelandet fördröjdes av en helg med låg bemanning; påminnelse är nu inlagd.",
    ),
)  # fmt: skip


def _member(organisation_id: int, role: str) -> User | None:
    membership = (
        Membership.objects.filter(organisation_id=organisation_id, role=role)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership is not None else None


def _party(episode: Episode, side: str) -> tuple[int | None, User | None]:
    org_id, role = {
        "ward": (episode.ward_id, Role.WARD_STAFF),
        "kommun": (episode.kommun_id, Role.KOMMUN_PLANNER),
        "hc": (episode.health_centre_id, Role.HC_COORDINATOR),
    }[side]
    return org_id, _member(org_id, role) if org_id else None


def seed_deviations() -> int:
    """A few deviations on recent noticed episodes whose parties all have demo users."""
    candidates = (
        Episode.objects.filter(
            kommun__code__in=PLANNERS,
            admission_notice_at__isnull=False,
            health_centre__isnull=False,
        )
        .select_related("ward", "kommun", "health_centre")
        .order_by("-admitted_at")[:200]
    )
    made = 0
    used: set[int] = set()
    for category, by, to, text, answer in DEVIATIONS:
        for episode in candidates:
            if episode.pk in used:
                continue
            _org, author = _party(episode, by)
            concerns, answerer = _party(episode, to)
            if author is None or answerer is None or concerns is None:
                continue
            deviation = file_deviation(
                author, episode, category=category, description=text, concerns_id=concerns
            )
            if answer:
                answer_deviation(answerer, deviation.pk, answer)
            used.add(episode.pk)
            made += 1
            break
    return made


def seed_follow_up_extras() -> None:
    """The invoice basis and the deviations, each unless the demo already has them."""
    if not InvoiceBasis.objects.exists():
        seed_invoice_basis()
    if not Deviation.objects.exists():
        seed_deviations()
