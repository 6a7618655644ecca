"""payment.monthly: the liability per kommun, care type and month that the statistics run
stores for the dashboards equals what the payment report computes (states, liable days and
amounts, R3-R9), split by care type; a year without a daily amount stops the rows before it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from analysis.queries import add_months
from analysis.statistics import compute_statistics
from discharges import services
from discharges.models import Destination, Episode, Patient, Ward
from discharges.services import Actor
from payment.loader import load_agreement
from payment.models import Agreement, DailyAmount, MonthlyLiability
from payment.monthly import agreement_periods, store_monthly_liability
from payment.reports import build_report
from tests.analysis.dashboard_data import AGREEMENT
from tests.conftest import OrgTree, Personas

STOCKHOLM = ZoneInfo("Europe/Stockholm")

THIS_MONTH = timezone.localdate().replace(day=1)


@pytest.fixture
def agreement(db: None) -> Agreement:
    agreement, _ = load_agreement(AGREEMENT)
    DailyAmount.objects.get_or_create(
        agreement=agreement, year=THIS_MONTH.year, defaults={"amount_sek": 9300}
    )
    return agreement


def discharged(
    make_episode: Callable[..., Episode],
    actor: Callable[[Ward], Actor],
    patient: Patient,
    ward: Ward,
    ready: date,
    days: int,
) -> Episode:
    """A stay noticed, ready on ``ready`` and discharged ``days`` later (integration account,
    so that the messages may lie months back)."""
    admitted = datetime.combine(ready - timedelta(days=2), time(8), tzinfo=STOCKHOLM)
    episode = make_episode(patient, ward=ward, admitted_at=admitted)
    sender = actor(ward)
    services.send_admission_notice(
        actor=sender,
        episode=episode,
        preliminary_ready_date=ready,
        occurred_at=admitted + timedelta(hours=1),
    )
    services.send_ready_notice(
        actor=sender,
        episode=episode,
        ready_date=ready,
        occurred_at=datetime.combine(ready, time(10), tzinfo=STOCKHOLM),
    )
    services.register_discharge(
        actor=sender,
        episode=episode,
        destination=Destination.HOME,
        occurred_at=datetime.combine(ready + timedelta(days=days), time(11), tzinfo=STOCKHOLM),
    )
    return episode


@pytest.fixture
def history(
    org_tree: OrgTree,
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
    agreement: Agreement,
) -> None:
    """Umeå: four months of three somatic stays with 4 ready days (over 3,0: liable in the
    fourth month), and in the fourth month a psychiatric stay with 5 days; Skellefteå one
    somatic stay with 1 day."""

    def actor(ward: Ward) -> Actor:
        return Actor(personas.integration, ward)

    first = add_months(THIS_MONTH, -4)
    for n in range(4):
        month = add_months(first, n)
        for day in (3, 10, 17):
            discharged(
                make_episode, actor, make_patient(), org_tree.ward, month.replace(day=day), 4
            )
    last = add_months(first, 3)
    discharged(make_episode, actor, make_patient(), org_tree.psych_ward, last.replace(day=20), 5)
    skelleftea = make_patient(kommun=org_tree.skelleftea, health_centre=org_tree.hc_skelleftea)
    discharged(make_episode, actor, skelleftea, org_tree.ward, first.replace(day=5), 1)
    compute_statistics()


def stored(kommun: str, care_type: str = "all") -> dict[date, tuple[str, int, int]]:
    return {
        row.month: (row.state, row.liable_days, row.amount_sek)
        for row in MonthlyLiability.objects.filter(kommun__code=kommun, care_type=care_type)
    }


def test_the_stored_rows_equal_the_report(agreement: Agreement, history: None) -> None:
    report = build_report(agreement, agreement.first_month, THIS_MONTH)
    for row in report.rows:
        assert stored(row.kommun)[row.month] == (row.state, row.liable_days, row.amount_sek)
    umea = stored("2480")
    liable_month = add_months(THIS_MONTH, -1)
    assert umea[liable_month] == ("liable", 17, 17 * 9300)  # 3 stays x 4 days, 1 x 5 days
    assert stored("2480", "psykiatri")[liable_month] == ("liable", 5, 5 * 9300)
    assert umea[add_months(THIS_MONTH, -2)][0] == "free"


def test_the_care_types_share_the_kommuns_state_and_sum_to_all(
    agreement: Agreement, history: None
) -> None:
    somatic, psychiatric, both = (
        stored("2480", "somatik"),
        stored("2480", "psykiatri"),
        stored("2480"),
    )
    for month, (state, days, amount) in both.items():
        assert somatic[month][0] == psychiatric[month][0] == state
        assert somatic[month][1] + psychiatric[month][1] == days
        assert somatic[month][2] + psychiatric[month][2] == amount


def test_with_the_care_types_apart_the_kommun_is_liable_for_one(
    agreement: Agreement, history: None
) -> None:
    Agreement.objects.filter(pk=agreement.pk).update(separate_care_types=True)
    store_monthly_liability()
    month = add_months(THIS_MONTH, -1)
    assert stored("2480", "somatik")[month] == ("liable", 12, 12 * 9300)
    assert stored("2480", "psykiatri")[month] == ("free", 0, 0)  # its first month over
    assert stored("2480")[month] == ("partly", 12, 12 * 9300)


def test_a_year_without_a_daily_amount_ends_the_rows_before_it(
    agreement: Agreement, history: None
) -> None:
    DailyAmount.objects.filter(agreement=agreement, year=THIS_MONTH.year).delete()
    store_monthly_liability()
    months = set(stored("2480"))
    assert max(months) == date(THIS_MONTH.year - 1, 12, 1)
    assert min(months) == agreement.first_month


def test_each_agreement_governs_its_months_until_the_next_one(agreement: Agreement) -> None:
    later = Agreement(
        name="ny",
        title="Ny",
        region=agreement.region,
        first_month=date(2025, 7, 1),
        model=agreement.model,
    )
    periods = agreement_periods([later, agreement], date(2026, 11, 1))
    assert [(a.name, first, last) for a, first, last in periods] == [
        ("vasterbotten", date(2022, 1, 1), date(2025, 6, 1)),
        ("ny", date(2025, 7, 1), date(2026, 11, 1)),
    ]
