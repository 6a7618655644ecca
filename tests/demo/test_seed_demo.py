"""``manage.py seed_demo``: organisations, users, the four cases of seed 001, replayable
projections, idempotency and the skewed ready days.

The command runs once for the module (three months of history, which keeps it to seconds) inside
a transaction that is rolled back at the end, so the other test modules never see the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from demo import seed as demo
from discharges.models import (
    ClosureReason,
    ConsentRecord,
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    HealthCentre,
    Hospital,
    Kommun,
    Membership,
    Organisation,
    Patient,
    Receipt,
    Role,
    TrackColour,
    Ward,
)
from discharges.personnummer import normalise_personnummer
from discharges.projection import projection_of, replay

MONTHS = 3


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "patients": Patient.objects.count(),
        "episodes": Episode.objects.count(),
        "events": EpisodeEvent.objects.count(),
        "receipts": Receipt.objects.count(),
        "consents": ConsentRecord.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """Runs the command once; yields its output. Everything is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():  # type: ignore[attr-defined]
        out = StringIO()
        call_command("seed_demo", months=MONTHS, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def _case(first_name: str) -> Episode:
    return Episode.objects.select_related("patient", "ward__hospital", "kommun").get(
        patient__name__startswith=f"{first_name} "
    )


def _kinds(episode: Episode) -> list[str]:
    return list(episode.events.order_by("seq").values_list("kind", flat=True))


# --- Organisations and users ------------------------------------------------------------------


def test_region_hospitals_wards_and_health_centres(seeded: str) -> None:
    kommuner = Kommun.objects.filter(region__code="24")
    assert kommuner.count() == 15
    hospitals = set(Hospital.objects.filter(region__code="24").values_list("name", flat=True))
    assert {"Norrlands universitetssjukhus", "Skellefteå lasarett", "Lycksele lasarett"} <= (
        hospitals
    )
    wards = Ward.objects.filter(hospital__region__code="24")
    assert {w.care_type for w in wards} == {"somatik", "psykiatri"}
    assert wards.filter(name="Avdelning 1 medicin", hospital__name__startswith="Norrlands").exists()
    for kommun in kommuner:
        assert kommun.health_centres.exists(), f"{kommun} has no hälsocentral"
    names = set(HealthCentre.objects.values_list("name", flat=True))
    assert {"Ersboda hälsocentral", "Ålidhem hälsocentral", "Lycksele hälsocentral"} <= names


def test_one_user_per_role_with_printed_logins(seeded: str) -> None:
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    # A nurse for every ward, planners for Umeå and Skellefteå at least.
    for ward in Ward.objects.filter(hospital__region__code="24"):
        assert Membership.objects.filter(organisation=ward, role=Role.WARD_STAFF).exists()
    for code in ("2480", "2482"):
        assert Membership.objects.filter(
            organisation__as_kommun__code=code, role=Role.KOMMUN_PLANNER
        ).exists()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password(demo.DEMO_PASSWORD)
    assert Membership.objects.filter(user=admin, role=Role.ADMIN).exists()
    for login in demo.demo_logins():
        assert login.username in seeded
    assert "sjukskoterska.avd1-nus" in seeded and demo.DEMO_PASSWORD in seeded
    assert "Patients:" in seeded and "Episodes:" in seeded and "Events:" in seeded


def test_patients_are_valid_and_listed_in_their_kommun(seeded: str) -> None:
    patients = list(Patient.objects.select_related("health_centre"))
    assert patients
    serving = {
        hc.pk: set(hc.kommuner.values_list("pk", flat=True)) for hc in HealthCentre.objects.all()
    }
    for patient in patients:
        assert normalise_personnummer(patient.personnummer) == patient.personnummer
        assert patient.health_centre_id is not None
        assert patient.kommun_id in serving[patient.health_centre_id]
        assert patient.name and patient.address
    older = sum(1 for p in patients if p.personnummer[:4] <= "1960")
    assert older > len(patients) / 2
    assert ConsentRecord.objects.exists()


# --- The four cases of seed 001 ---------------------------------------------------------------


def test_pontus_is_not_covered_and_gets_no_admission_notice(seeded: str) -> None:
    pontus = _case("Pontus")
    assert pontus.status == EpisodeStatus.CLOSED
    assert pontus.closure_reason == ClosureReason.NOT_COVERED
    assert pontus.admission_notice_at is None and not pontus.named_contact
    assert _kinds(pontus) == [EventKind.REGISTERED, EventKind.CLOSED]


def test_mikael_has_a_current_sip_so_no_new_invitation(seeded: str) -> None:
    mikael = _case("Mikael")
    assert mikael.status == EpisodeStatus.DISCHARGED
    assert mikael.admission_notice_at is not None
    assert mikael.admission_notice_at - mikael.admitted_at <= timedelta(hours=24)
    assert mikael.named_contact
    assert mikael.sip_needed is False and mikael.sip_invitation_at is None


def test_anna_gets_a_sip_invitation_and_the_sip_after_discharge(seeded: str) -> None:
    anna = _case("Anna")
    assert anna.status == EpisodeStatus.DISCHARGED
    assert anna.admission_notice_at is not None and anna.named_contact
    assert anna.sip_needed is True and anna.sip_invitation_at is not None
    assert anna.sip_held_date is not None and anna.sip_held_date > anna.discharge_date


def test_olle_is_red_with_a_sip_in_hospital_before_discharge(seeded: str) -> None:
    olle = _case("Olle")
    assert olle.status == EpisodeStatus.DISCHARGED
    assert olle.track_colour == TrackColour.RED and olle.sip_needed is True
    assert olle.sip_held_date is not None and olle.sip_held_date < olle.discharge_date


def test_the_cases_are_recent_at_umea_wards_and_of_the_right_age(seeded: str) -> None:
    ages = {"Pontus": 27, "Mikael": 65, "Anna": 81, "Olle": 45}
    for first_name, age in ages.items():
        episode = _case(first_name)
        assert episode.ward.hospital.name == "Norrlands universitetssjukhus"
        assert episode.kommun.code == "2480"
        assert episode.admitted_at > timezone.now() - timedelta(weeks=6)
        admitted = timezone.localdate(episode.admitted_at)
        born = episode.patient.personnummer[:8]
        years = (
            admitted.year
            - int(born[:4])
            - (
                (admitted.month, admitted.day)
                < (
                    int(born[4:6]),
                    int(born[6:8]),
                )
            )
        )
        assert years == age, first_name


# --- Events, projections, worklists -----------------------------------------------------------


def test_every_projection_equals_the_replay_of_its_events(seeded: str) -> None:
    episodes = list(Episode.objects.prefetch_related("events"))
    assert len(episodes) > 50
    for episode in episodes:
        events = sorted(episode.events.all(), key=lambda e: e.seq)
        assert projection_of(replay(events)) == projection_of(episode), episode.pk


def test_messages_are_in_order_and_in_the_past(seeded: str) -> None:
    now = timezone.now()
    last_seen: dict[int, object] = {}
    for episode_id, occurred_at in EpisodeEvent.objects.order_by("episode_id", "seq").values_list(
        "episode_id", "occurred_at"
    ):
        assert occurred_at <= now
        if episode_id in last_seen:
            assert occurred_at >= last_seen[episode_id], episode_id
        last_seen[episode_id] = occurred_at
    integration = get_user_model().objects.get(username=demo.INTEGRATION_USERNAME)
    assert not EpisodeEvent.objects.exclude(author=integration).exists()


def test_the_history_uses_the_messages_of_every_party(seeded: str) -> None:
    kinds = set(EpisodeEvent.objects.values_list("kind", flat=True).distinct())
    # Rare ones (recipients changed, ready notice withdrawn, SIP cancelled) come a few times in
    # 18 months, so a three-month run need not have them.
    assert {
        EventKind.REGISTERED,
        EventKind.ADMISSION_NOTICE,
        EventKind.PRELIMINARY_DATE_CHANGED,
        EventKind.ADMISSION_ANSWER,
        EventKind.NAMED_CARE_CONTACT,
        EventKind.TRACK_COLOUR,
        EventKind.READY_NOTICE,
        EventKind.SIP_INITIATIVE,
        EventKind.SIP_INVITATION,
        EventKind.SIP_HELD,
        EventKind.SOL_PLANNING_DONE,
        EventKind.HSL_PLANNING_DONE,
        EventKind.KOMMUN_READY,
        EventKind.HOMECOMING_ACKNOWLEDGED,
        EventKind.DISCHARGE,
        EventKind.CLOSED,
    } <= kinds
    closures = set(Episode.objects.values_list("closure_reason", flat=True).distinct())
    assert ClosureReason.NOT_COVERED in closures
    assert Receipt.objects.exists()


def test_worklists_have_active_and_overdue_items(seeded: str) -> None:
    now = timezone.now()
    active = Episode.objects.active()
    assert active.exists()
    overdue_notices = active.filter(
        status=EpisodeStatus.REGISTERED, admitted_at__lt=now - timedelta(hours=24)
    )
    assert overdue_notices.count() >= 2
    overdue_sips = (
        Episode.objects.filter(
            sip_needed=True,
            sip_invitation_at__isnull=True,
            ready_date__lt=timezone.localdate() - timedelta(days=3),
        )
        .exclude(status=EpisodeStatus.CLOSED)
        .count()
    )
    assert overdue_sips >= 1


def test_some_kommun_has_a_month_above_three_ready_days(seeded: str) -> None:
    over = demo.months_over(3.0)
    assert over, demo.monthly_figures()
    # Lycksele is strained up to last month, which a three-month run always includes.
    assert any(kommun.startswith("2481") for kommun in over)
    umea = [
        (n, total) for (code, _m), (n, total) in demo.monthly_figures().items() if code == "2480"
    ]
    assert sum(total for _n, total in umea) / sum(n for n, _t in umea) < 3.0


def test_the_follow_up_has_the_population_and_the_stored_liability(seeded: str) -> None:
    """The example file's SCB figures (2018-2023) and the liability beside the statistics."""
    from discharges.models import KommunPopulation
    from payment.models import MonthlyLiability

    assert KommunPopulation.objects.filter(kommun__code__startswith="24").count() == 60
    assert KommunPopulation.objects.get(kommun__code="2480", year=2023).inhabitants_65plus == 23410
    # A state for every month since the agreement's first (2022-01), computed with the figures.
    lycksele = MonthlyLiability.objects.filter(kommun__code="2481", care_type="all")
    assert lycksele.filter(month="2022-01-01").exists()
    assert lycksele.count() >= 48


# --- Idempotency and determinism --------------------------------------------------------------


def test_a_second_run_changes_nothing_and_prints_the_logins(seeded: str) -> None:
    before = _counts()
    out = StringIO()
    call_command("seed_demo", months=MONTHS, stdout=out)
    assert _counts() == before
    assert "already loaded" in out.getvalue()
    assert "planerare.umea" in out.getvalue() and demo.DEMO_PASSWORD in out.getvalue()


def test_the_plan_is_deterministic_for_a_seed() -> None:
    now = timezone.now()

    def fingerprint(seed: int) -> list[tuple[object, ...]]:
        _planner, plan = demo.build_plan(seed=seed, months=2, per_month=40, now=now)
        return [
            (p.patient, p.ward, p.admitted_at, [(s.at, s.party, s.service) for s in p.steps])
            for p in plan.episodes
        ]

    assert fingerprint(7) == fingerprint(7)
    assert fingerprint(7) != fingerprint(8)


# --- Analyses of delayed discharge (demo.analyses) ---------------------------------------------


def test_the_demo_has_analyses_one_worked_on_and_one_closed(seeded: str) -> None:
    from analysis.analyses.models import (
        OPEN_ACTION_STATUSES,
        ActionStatus,
        Analysis,
        AnalysisNotice,
        AnalysisStatus,
        ChecklistAnswer,
        Trigger,
    )

    analyses = Analysis.objects.all()
    assert analyses.count() >= 2
    assert "Analyses of delayed discharge:" in seeded
    worked = Analysis.objects.get(actions__status=ActionStatus.IN_PROGRESS)
    assert worked.status == AnalysisStatus.OPEN
    assert worked.actions.count() == 3
    today = timezone.localdate()
    assert worked.actions.filter(due_date__lt=today, status__in=OPEN_ACTION_STATUSES).exists()
    columns = set(
        ChecklistAnswer.objects.filter(patient__analysis=worked).values_list("column", flat=True)
    )
    assert {"ward", "kommun"} <= columns
    for answer in ChecklistAnswer.objects.select_related("patient__episode"):
        episode = answer.patient.episode
        party = {"ward": episode.ward_id, "health_centre": episode.health_centre_id,
                 "kommun": episode.kommun_id}[answer.column]  # fmt: skip
        assert answer.organisation_id == party
    closed = Analysis.objects.get(status=AnalysisStatus.CLOSED)
    assert closed.summary and closed.actions.get().status == ActionStatus.DONE
    for username in ("processledare", "partssammansatt"):
        told = AnalysisNotice.objects.filter(user__username=username)
        assert told.count() == analyses.filter(trigger=Trigger.AUTOMATIC).count()


def test_the_demo_has_a_signed_month_a_disputed_one_and_deviations(seeded: str) -> None:
    """Issue 14: one month signed by both (locked), the next proposed with a dispute rejected,
    and deviations between the parties, most of them answered."""
    from deviations.models import Deviation
    from payment.basis_models import BasisStatus, DisputeStatus, InvoiceBasis, InvoiceDispute

    signed = InvoiceBasis.objects.get(status=BasisStatus.SIGNED)
    assert signed.locked_at is not None
    following = InvoiceBasis.objects.exclude(pk=signed.pk).get()
    assert following.month > signed.month
    assert following.status == BasisStatus.SIGNED_BY_REGION
    disputes = {d.status for d in InvoiceDispute.objects.all()}
    if signed.lines.filter(computed_days__gt=0).exists():
        assert DisputeStatus.ACCEPTED in disputes
    if following.lines.filter(computed_days__gt=0).exists():
        assert DisputeStatus.REJECTED in disputes
    deviations = Deviation.objects.all()
    assert deviations.count() == 4
    assert deviations.filter(answered_at__isnull=False).count() == 3


def test_the_demo_shows_every_indicator_of_issue_14(seeded: str) -> None:
    from django.db.models import Sum

    from analysis.indicator_models import INDICATOR_COUNTS, MonthlyIndicators

    totals = MonthlyIndicators.objects.aggregate(**{n: Sum(n) for n in INDICATOR_COUNTS})
    assert all(totals[name] for name in INDICATOR_COUNTS), totals
    assert set(Episode.objects.values_list("admission_type", flat=True)) >= {"akut", "planerad"}
    assert EpisodeEvent.objects.filter(kind=EventKind.SIP_FOLLOW_UP_DONE).exists()
