"""The month page's report (``build_month_report``, issue 15) gives the money of the whole
report, key for key.

The month page used to build the whole report from the month to today and filter its lines;
it now reads only the episodes ready by the month's end and discharged from its first day on.
For seeded stays (every kommun, care type and month; both liability models; care types apart
and together; stays straddling months and discharged months later, so that R9 puts days of a
month on an episode discharged after it; ready notices around the noon cut-off; missing
prerequisites), the lines, rows and states of the month report equal those of
``build_report`` as the page filtered them. The rows-only report (``detail=False``, the
liability page and the invoice-basis CSV) equals the full report's rows.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from payment.models import Agreement
from payment.reports import build_month_report, build_report
from payment.rules import iter_months, month_start
from payment.views import month_lines
from tests.csvfiles import import_rows, load_agreement, load_shipped, stay

pytestmark = pytest.mark.django_db

KOMMUNER = ("2480", "2482", "2401", "2380")  # Umeå, Skellefteå, Nordmaling; Östersund (23)
FIRST = date(2026, 1, 1)
MONTHS = list(iter_months(date(2025, 12, 1), date(2026, 9, 1)))

SEPARATE = """
name = "prov-separat"
title = "Prov, vårdformer var för sig"
region = "24"
first_month = "2026-01"
model = "kommun_average"
months_to_enter = 1
months_to_exit = 2
separate_care_types = true

[daily_amounts]
2026 = 1000
"""

TOGETHER = """
name = "prov-samman"
title = "Prov, vårdformer tillsammans"
region = "24"
first_month = "2026-01"
model = "kommun_average"
threshold_days = 2.5
months_to_enter = 1
months_to_exit = 1
separate_care_types = false

[daily_amounts]
2025 = 900
2026 = 1000
"""


def seeded_stays(seed: int, count: int = 70) -> list[dict[str, str]]:
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    rows = []
    for i in range(count):
        ready = FIRST - timedelta(days=20) + timedelta(days=rng.randint(0, 200))
        # Mostly short waits, some long ones that straddle two or three months.
        waited = rng.choice([0, 1, 2, 3, 4, 5, 7, 9, 12, 25, 40, 70])
        sip = rng.choice(["not needed", "needed, none sent", "invited"])
        delay = min(rng.randint(-2, 6), waited)
        rows.append(
            stay(
                f"S{seed}-{i:03d}",
                i,
                ready,
                ready + timedelta(days=waited),
                kommun=rng.choice(KOMMUNER),
                care_type=rng.choice(["somatik", "psykiatri"]),
                admission_notice=rng.random() > 0.1,
                # Around the noon cut-off of the per-episode agreement (jamtland).
                ready_notice=rng.choice([None, "09:00", "12:00", "12:01", "13:30"]),
                sip_needed=sip != "not needed",
                sip_invitation_day=ready + timedelta(days=delay) if sip == "invited" else None,
            )
        )
    return rows


@pytest.fixture
def agreements(db: None, tmp_path: Path) -> list[Agreement]:
    load_shipped("jamtland")  # per episode, noon cut-off, region 23
    for name, text in (("separat", SEPARATE), ("samman", TOGETHER)):
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
        load_agreement(tmp_path / f"{name}.toml")
    return list(Agreement.objects.select_related("region").prefetch_related("daily_amounts"))


def the_page_before(agreement: Agreement, kommun: str, care_type: str, month: date) -> Any:
    """What the month page showed before issue 15: the whole report, filtered."""
    last = max(month, month_start(timezone.localdate()))
    report = build_report(agreement, month, last, kommun_codes=[kommun])
    lines = [
        line.as_json() | {"pk": line.pk, "dates": line.liable_dates}
        for line in report.episodes
        if (care_type == "all" or line.care_type == care_type)
        and (
            any(month_start(d) == month for d in line.liable_dates)
            or month_start(line.discharge_date) == month
        )
    ]
    rows = [r.as_json() for r in report.rows if r.month == month]
    return lines, rows, report.state_history(kommun, care_type, month), report.states


def the_page_now(agreement: Agreement, kommun: str, care_type: str, month: date) -> Any:
    last = max(month, month_start(timezone.localdate()))
    report = build_month_report(agreement, kommun, month, last)
    lines = [
        line.as_json() | {"pk": line.pk, "dates": line.liable_dates}
        for line in month_lines(report.episodes, care_type, month)
    ]
    rows = [r.as_json() for r in report.rows]
    return lines, rows, report.state_history(kommun, care_type, month), report.states


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_month_report_has_the_lines_days_and_amounts_of_the_whole_report(
    agreements: list[Agreement], tmp_path: Path, seed: int
) -> None:
    import_rows(tmp_path, seeded_stays(seed))
    compared = liable_lines = later = 0
    for agreement in agreements:
        for kommun in (k for k in KOMMUNER if agreement.covers(k)):
            for month in MONTHS:
                for care_type in ("all", "somatik", "psykiatri"):
                    before = the_page_before(agreement, kommun, care_type, month)
                    now = the_page_now(agreement, kommun, care_type, month)
                    lines_before, rows, history, states = before
                    # The same lines (sorted liable first now), days, amounts, rows, states.
                    assert sorted(now[0], key=lambda x: x["episode_id"]) == lines_before
                    assert now[1:] == (rows, history, states)
                    compared += 1
                    liable_lines += sum(1 for line in lines_before if line["liable_days"])
                    later += sum(
                        1
                        for line in lines_before
                        if month_start(date.fromisoformat(line["discharge_date"])) > month
                    )
    # The comparison covered what it is for: liable days, and lines discharged after the month.
    assert compared == (1 + 2 * 3) * len(MONTHS) * 3
    assert liable_lines > 10
    assert later > 10


def test_the_month_lines_list_the_liable_ones_first(
    agreements: list[Agreement], tmp_path: Path
) -> None:
    import_rows(tmp_path, seeded_stays(4, count=90))
    agreement = next(a for a in agreements if a.name == "prov-samman")
    month = date(2026, 3, 1)
    report = build_month_report(agreement, "2480", month, date(2026, 11, 1))
    lines = month_lines(report.episodes, "all", month)
    liable = [any(month_start(d) == month for d in line.liable_dates) for line in lines]
    assert True in liable and False in liable
    assert liable == sorted(liable, reverse=True)
    first_free = liable.index(False)
    for part in (lines[:first_free], lines[first_free:]):
        assert [line.episode_id for line in part] == sorted(line.episode_id for line in part)


@pytest.mark.parametrize("seed", [5, 6])
def test_the_rows_alone_are_the_rows_of_the_whole_report(
    agreements: list[Agreement], tmp_path: Path, seed: int
) -> None:
    import_rows(tmp_path, seeded_stays(seed))
    for agreement in agreements:
        whole = build_report(agreement, date(2026, 1, 1), date(2026, 6, 1))
        rows = build_report(agreement, date(2026, 1, 1), date(2026, 6, 1), detail=False)
        assert [r.as_json() for r in rows.rows] == [r.as_json() for r in whole.rows]
        assert rows.states == whole.states
        assert rows.episodes == [] and whole.episodes
        assert sum(r.amount_sek for r in whole.rows) > 0


@pytest.mark.parametrize("seed", [7])
def test_the_invoice_basis_lines_are_those_of_the_whole_report(
    agreements: list[Agreement], tmp_path: Path, seed: int
) -> None:
    """``basis_lines.month_lines`` (what a signed invoice basis holds) reads the month's
    episodes only: the same episodes, days and amounts as from the whole report."""
    from payment import basis_lines
    from payment.rules import amount_sek

    import_rows(tmp_path, seeded_stays(seed))
    compared = 0
    for agreement in agreements:
        amounts = agreement.terms().daily_amounts
        for kommun in (k for k in KOMMUNER if agreement.covers(k)):
            for month in MONTHS:
                last = max(month, month_start(timezone.localdate()))
                whole = build_report(agreement, month, last, kommun_codes=[kommun])
                expected = {}
                for line in whole.episodes:
                    dates = [d for d in line.liable_dates if month_start(d) == month]
                    if dates:
                        expected[line.pk] = (line.care_type, len(dates), amount_sek(dates, amounts))
                got = {
                    pk: (c.care_type, c.days, c.amount_sek)
                    for pk, c in basis_lines.month_lines(agreement, kommun, month).items()
                }
                assert got == expected, (agreement.name, kommun, month)
                compared += len(expected)
    assert compared > 10  # liable lines were compared, not only empty months
