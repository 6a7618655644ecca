"""The trigger: after the monthly statistics, every ended kommun-month over its agreement's
threshold gets exactly one analysis of its episodes with 3 or more ready days.

A year of history (2025) is imported as a region moves it in, then the trigger runs as on
2025-12-15. Ready days per discharged episode (R1), somatik unless said:

| kommun | month | ready days | average | over 3.0? |
|---|---|---|---|---|
| 2480 Umeå | Jan | 3, 3 | 3.00 | no (not above) |
| 2480 Umeå | Feb | 4, 3 | 3.50 | yes: 2 patients |
| 2480 Umeå | Mar | 5, 0, 2 | 2.33 | no |
| 2480 Umeå | Apr | 6, 1 | 3.50 | yes: 1 patient |
| 2480 Umeå | Jul | psykiatri 5, somatik 2 | 3.50 (all) | yes: 1 patient (5 psykiatri) |
| 2480 Umeå | Dec | 6 | 6.00 | the month has not ended |
| 2482 Skellefteå | Nov | 3, 3, 4 | 3.33 | yes: 3 patients |
| 2380 Östersund | Jun | 5 | 5.00 | no agreement in force in Jämtland |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail

from analysis.analyses.models import Analysis, AnalysisNotice, AnalysisPatient, Trigger
from analysis.analyses.services import close_analysis
from analysis.analyses.trigger import open_triggered_analyses
from analysis.statistics import compute_statistics
from discharges.imports import import_csv
from discharges.personnummer import format_personnummer
from payment.models import Agreement
from tests.conftest import Personas
from tests.csvfiles import csv_text, stay

pytestmark = pytest.mark.django_db

TODAY = date(2025, 12, 15)
SERIALS = iter(range(300, 999))


def stays(kommun: str, month: int, days: list[int], care_type: str = "somatik") -> list[dict]:
    rows = []
    for n, ready_days in enumerate(days):
        ready = date(2025, month, 5 + n)
        serial = next(SERIALS)
        rows.append(
            stay(f"T-{serial}", serial, ready, ready + timedelta(days=ready_days),
                 kommun=kommun, care_type=care_type)
        )  # fmt: skip
    return rows


YEAR = [
    *stays("2480", 1, [3, 3]),
    *stays("2480", 2, [4, 3]),
    *stays("2480", 3, [5, 0, 2]),
    *stays("2480", 4, [6, 1]),
    *stays("2480", 7, [5], "psykiatri"),
    *stays("2480", 7, [2]),
    *stays("2480", 12, [6]),
    *stays("2482", 11, [3, 3, 4]),
    *stays("2380", 6, [5]),
]


def keys(analyses: Any) -> set[tuple[str, str, str]]:
    return {(a.kommun.code, a.care_type, f"{a.month:%Y-%m}") for a in analyses}


def patients(analysis: Analysis) -> list[tuple[int, int]]:
    return list(analysis.patients.order_by("number").values_list("number", "ready_days"))


@pytest.fixture
def year(agreement: Agreement, personas: Personas) -> Callable[[], list[Analysis]]:
    assert import_csv(csv_text(YEAR)).created == len(YEAR)

    def run() -> list[Analysis]:
        compute_statistics()
        return open_triggered_analyses(today=TODAY)

    return run


EXPECTED = {
    ("2480", "all", "2025-02"),
    ("2480", "all", "2025-04"),
    ("2480", "all", "2025-07"),
    ("2482", "all", "2025-11"),
}


def test_it_opens_exactly_the_months_over_the_threshold(year: Callable[[], list[Analysis]]) -> None:
    new = year()
    assert keys(new) == EXPECTED
    assert keys(Analysis.objects.all()) == EXPECTED
    by_key = {(a.kommun.code, f"{a.month:%Y-%m}"): a for a in Analysis.objects.all()}
    assert patients(by_key[("2480", "2025-02")]) == [(1, 4), (2, 3)]
    assert patients(by_key[("2480", "2025-04")]) == [(1, 6)]
    july = by_key[("2480", "2025-07")]
    assert patients(july) == [(1, 5)]
    assert july.patients.get().episode.care_type == "psykiatri"
    assert patients(by_key[("2482", "2025-11")]) == [(1, 3), (2, 3), (3, 4)]
    feb = by_key[("2480", "2025-02")]
    assert (feb.episodes, feb.ready_days, str(feb.average), str(feb.threshold)) == (
        2, 7, "3.50", "3.00"
    )  # fmt: skip
    assert all(a.trigger == Trigger.AUTOMATIC and a.started_by is None for a in new)


def test_a_recompute_opens_none_twice_and_adds_late_history_to_open_ones(
    year: Callable[[], list[Analysis]], personas: Personas
) -> None:
    first = year()
    notices = AnalysisNotice.objects.count()
    assert year() == []
    assert Analysis.objects.count() == len(first) == 4
    assert AnalysisNotice.objects.count() == notices
    april = Analysis.objects.get(kommun__code="2480", month=date(2025, 4, 1))
    close_analysis(user=personas.processledare, analysis=april, summary="Klar.")
    late = [
        stay("L-1", 901, date(2025, 2, 20), date(2025, 2, 25)),
        stay("L-2", 902, date(2025, 4, 20), date(2025, 4, 27)),
    ]
    assert import_csv(csv_text(late)).created == 2
    assert year() == []
    feb = Analysis.objects.get(kommun__code="2480", month=date(2025, 2, 1))
    assert patients(feb) == [(1, 4), (2, 3), (3, 5)]
    assert (feb.episodes, feb.ready_days) == (3, 12)
    april.refresh_from_db()
    assert patients(april) == [(1, 6)]  # closed: as it was closed
    assert (april.episodes, april.ready_days) == (2, 7)


def test_care_types_apart_where_the_agreement_keeps_them_apart(
    year: Callable[[], list[Analysis]], agreement: Agreement
) -> None:
    agreement.separate_care_types = True
    agreement.save()
    assert keys(year()) == {
        ("2480", "somatik", "2025-02"),
        ("2480", "somatik", "2025-04"),
        ("2480", "psykiatri", "2025-07"),
        ("2482", "somatik", "2025-11"),
    }


def test_a_month_is_analysed_once_it_has_ended(year: Callable[[], list[Analysis]]) -> None:
    year()
    assert not Analysis.objects.filter(month=date(2025, 12, 1)).exists()
    compute_statistics()
    new = open_triggered_analyses(today=date(2026, 1, 2))
    assert keys(new) == {("2480", "all", "2025-12")}


def test_the_region_is_told_in_the_app_and_by_mail_when_mail_is_configured(
    year: Callable[[], list[Analysis]],
    personas: Personas,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SVU_ANALYSIS_EMAIL = True
    for user in (personas.processledare, personas.joint_group, personas.kommun_planner):
        user.email = f"{user.username}@region.invalid"
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        year()
    told = set(AnalysisNotice.objects.values_list("user__username", flat=True))
    assert told == {"processledare", "joint_group"}
    assert AnalysisNotice.objects.filter(user=personas.processledare).count() == 4
    [message] = mail.outbox
    assert sorted(message.to) == ["joint_group@region.invalid", "processledare@region.invalid"]
    assert "2480 Umeå, 2025-02" in message.body and "2482 Skellefteå, 2025-11" in message.body
    for row in YEAR:
        number = row["personnummer"]
        assert number not in message.body and format_personnummer(number) not in message.body


def test_no_mail_without_a_mail_server(
    year: Callable[[], list[Analysis]], personas: Personas, settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    settings.SVU_ANALYSIS_EMAIL = False
    personas.processledare.email = "processledare@region.invalid"
    personas.processledare.save()
    with django_capture_on_commit_callbacks(execute=True):
        year()
    assert mail.outbox == []
    assert AnalysisNotice.objects.filter(user=personas.processledare).count() == 4


def test_the_patients_are_the_months_episodes_with_three_or_more_ready_days(
    year: Callable[[], list[Analysis]],
) -> None:
    year()
    for analysis in Analysis.objects.all():
        episodes = AnalysisPatient.objects.filter(analysis=analysis).values_list(
            "episode__ready_days", "episode__discharge_date", "episode__kommun__code"
        )
        for days, discharged, kommun in episodes:
            assert days >= 3 and kommun == analysis.kommun.code
            assert discharged.replace(day=1) == analysis.month
