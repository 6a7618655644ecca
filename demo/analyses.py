"""The demo's analyses of delayed discharge: what the processledare and the group find.

After the statistics, the trigger opens an analysis for every ended month over the threshold
(Lycksele's strained months at least). Then, as the people of the demo would have done:

- in the newest analysis, each patient's ward, hälsocentral and kommun fill their columns
  (where the demo has a user for the organisation), through ``analysis.analyses.answers``;
- the processledare adds three improvement actions (one overdue, one followed up);
- the analysis before it is filled in too and closed with a summary, its action done;
- with fewer than two analyses, the processledare starts one by hand for the month with the
  highest average that has none.

Deterministic for a seed (``random.Random``); every write goes through the analysis services.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from analysis.analyses import answers, services
from analysis.analyses.answers import AnswerInput
from analysis.analyses.models import Analysis, AnalysisPatient, Column
from analysis.analyses.services import ActionInput
from analysis.analyses.trigger import open_triggered_analyses
from analysis.models import MonthlyStatistic, StatCareType
from demo.region import REGION_CODE
from discharges.choices import SENDING_ROLE_BY_KIND
from discharges.clock import local_date
from discharges.models import Membership, Organisation, Role
from payment.rules import month_start

PROCESS_LEAD = "processledare"

# What the organisations wrote in Bilaga 1 (comments, per column).
COMMENTS: dict[str, tuple[str, ...]] = {
    Column.WARD: (
        "Utskrivningsklar på fredag eftermiddag; ingen planering över helgen.",
        "Prel. datum flyttades två gånger efter nya prover.",
        "SBAR muntligt till hemsjukvården, ej dokumenterat.",
    ),
    Column.HEALTH_CENTRE: (
        "Fast vårdkontakt på semester; ersättare utsågs sent.",
        "SIP hölls på avdelningen dagen före hemgång.",
        "Kallelsen gick ut först när påminnelsen kom.",
    ),
    Column.KOMMUN: (
        "Väntade på ledig korttidsplats.",
        "Hemtjänsten behövde utökas till fyra besök per dag.",
        "Hjälpmedel (säng och lyft) levererades först efter tre dagar.",
    ),
}
UNITS = ("BHL, EC hemtjänst Centrum", "BHL, SSK hemsjukvård", "EC hemtjänst, AT, FT")
COMPLEX_NEEDS = (
    "Trappor till entrén och ingen hiss; bostadsanpassning behövdes.",
    "Anhörig som vårdar orkar inte längre; behov av växelvård.",
)
ACTIONS = (
    (
        "Planeringen av SoL-insatser startar samma dag som inskrivningsmeddelandet kommer, "
        "även fredagar.",
        "kommun",
        "Enhetschef biståndshandläggning",
    ),
    (
        "Avdelningen skickar SBAR till hemsjukvården före utskrivningsklart i alla gula och "
        "röda spår.",
        "ward",
        "Vårdenhetschef",
    ),
    (
        "En gemensam lista över lediga korttidsplatser uppdateras varje morgon.",
        "region",
        "Processledare SVU",
    ),
)


def sender(organisation_id: int | None) -> User | None:
    """The demo user who sends the organisation's messages, if the demo has one."""
    if organisation_id is None:
        return None
    membership = (
        Membership.objects.filter(organisation_id=organisation_id)
        .select_related("organisation", "user")
        .order_by("pk")
    )
    for m in membership:
        if SENDING_ROLE_BY_KIND.get(m.organisation.kind) == m.role:
            return m.user
    return None


def seed_analyses(*, seed: int = 1) -> list[Analysis]:
    """Open, fill, follow up and close the demo's analyses; returns the region's analyses."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    lead = Membership.objects.get(user__username=PROCESS_LEAD, role=Role.PROCESS_LEAD).user
    open_triggered_analyses()
    region = Analysis.objects.filter(kommun__code__startswith=REGION_CODE)
    if region.count() < 2:
        start_by_hand(lead, exclude=set(region.values_list("kommun_id", "month")))
    analyses = list(region.order_by("-month", "kommun__code"))
    # The newest with a few patients is worked on first (a one-patient analysis shows little).
    worked = sorted(
        (a for a in analyses if a.patients.exists()),
        key=lambda a: (a.patients.count() < 3, -a.month.toordinal()),
    )
    if worked:
        fill(worked[0], rng)
        add_actions(worked[0], lead, rng)
    if len(worked) > 1:
        fill(worked[1], rng)
        close(worked[1], lead)
    return analyses


def start_by_hand(lead: User, exclude: set[tuple[int, date]]) -> None:
    """The processledare starts one for the ended month with the highest average."""
    current = month_start(timezone.localdate())
    stats = MonthlyStatistic.objects.filter(
        kommun__code__startswith=REGION_CODE,
        care_type=StatCareType.ALL,
        month__lt=current,
        episodes_3plus__gt=0,
    ).select_related("kommun")
    ranked = sorted(stats, key=lambda s: (s.ready_days / s.episodes, s.month), reverse=True)
    for stat in ranked:
        if (stat.kommun_id, stat.month) not in exclude:
            services.start_analysis(
                user=lead, kommun=stat.kommun, care_type=StatCareType.ALL, month=stat.month
            )
            return


def fill(analysis: Analysis, rng: random.Random) -> None:
    """Each party with a demo user answers its column for up to eight patients."""
    patients = analysis.patients.select_related("episode").order_by("number")[:8]
    for patient in patients:
        episode = patient.episode
        parties = {
            Column.WARD: episode.ward_id,
            Column.HEALTH_CENTRE: episode.health_centre_id,
            Column.KOMMUN: episode.kommun_id,
        }
        for column, organisation_id in parties.items():
            user = sender(organisation_id)
            if user is not None:
                answers.save_column(
                    user=user,
                    patient=patient,
                    column=column,
                    entries=column_answers(patient, column, rng),
                )


def column_answers(
    patient: AnalysisPatient, column: str, rng: random.Random
) -> dict[str, AnswerInput]:
    episode = patient.episode
    admitted = local_date(episode.admitted_at)
    ready = episode.ready_date or admitted
    shared = min(ready + timedelta(days=rng.randint(0, 2)), episode.discharge_date or ready)
    yes_no = lambda p: "yes" if rng.random() < p else "no"  # noqa: E731
    capacity = yes_no(0.5 if column == Column.KOMMUN else 0.2)
    complex_needs = yes_no(0.3)
    entries = {
        "discharge_report_started": AnswerInput(date=max(admitted, ready - timedelta(days=1))),
        "sbar": AnswerInput(yes_no(0.6)),
        "home_health_care": AnswerInput(yes_no(0.4)),
        "initiative_cancelled": AnswerInput("no"),
        "planned_services_shared": AnswerInput("yes", shared),
        "delay_capacity": AnswerInput(
            capacity, comment=rng.choice(COMMENTS[column]) if capacity == "yes" else ""
        ),
        "delay_complex_needs": AnswerInput(
            complex_needs,
            comment=rng.choice(COMPLEX_NEEDS) if complex_needs == "yes" else "",
        ),
    }
    if column == Column.KOMMUN:
        entries["kommun_units"] = AnswerInput(comment=rng.choice(UNITS))
    if rng.random() < 0.5:
        entries["ready_date"] = AnswerInput(comment=rng.choice(COMMENTS[column]))
    return entries


def _responsible(analysis: Analysis, kind: str) -> Organisation:
    choices = services.responsible_choices(analysis)
    return next((o for o in choices if o.kind == kind), choices[0])


def add_actions(analysis: Analysis, lead: User, rng: random.Random) -> None:
    today = timezone.localdate()
    dues = (today - timedelta(days=6), today + timedelta(days=25), today + timedelta(days=60))
    for (text, kind, owner), due in zip(ACTIONS, dues, strict=True):
        data = ActionInput(text, _responsible(analysis, kind), owner, max(due, analysis.month))
        action = services.add_action(user=lead, analysis=analysis, data=data)
        if kind == "kommun":
            services.follow_up_action(
                user=lead,
                action=action,
                day=today - timedelta(days=rng.randint(1, 5)),
                note="Rutinen är beslutad; bemanningen på fredagar är inte löst ännu.",
                status="in_progress",
            )


def close(analysis: Analysis, lead: User) -> None:
    today = timezone.localdate()
    data = ActionInput(
        "Kommunen och avdelningarna går igenom veckans utskrivningsklara varje måndag.",
        analysis.kommun,
        "Enhetschef hemtjänst",
        max(today - timedelta(days=20), analysis.month),
    )
    action = services.add_action(user=lead, analysis=analysis, data=data)
    services.follow_up_action(
        user=lead,
        action=action,
        day=today - timedelta(days=2),
        note="Genomgången hålls sedan fyra veckor.",
        status="done",
    )
    services.close_analysis(
        user=lead,
        analysis=analysis,
        summary=(
            "Fördröjningarna berodde främst på platsbrist inom korttidsvården och på att "
            "planeringen inte startade förrän efter helgen. Veckovis genomgång är införd."
        ),
    )
