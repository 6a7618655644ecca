"""The liable days summed by the database (``payment.liable_sums``, PostgreSQL; issue 15) are the
rule functions' days, key for key.

A report without lines (the liability page, the period's rows download) asks PostgreSQL for the
liable days per kommun, group and month instead of putting every episode through
``payment.rules`` in Python. For seeded stays (both liability models; care types apart and
together; waits straddling months and a year; ready notices around the noon cut-off, also on
the days the clocks change; late, missing and early SIP invitations; missing notices), every
period and scope below gives the rows of the whole report, whose days come from the rules.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payment import liable_sums, rules
from payment.models import Agreement
from payment.reports import ReportError, build_report
from tests.csvfiles import import_rows, load_agreement, stay
from tests.engines import postgresql_only
from tests.payment.test_month_report import (  # noqa: F401 (the fixture)
    KOMMUNER,
    agreements,
    seeded_stays,
)

pytestmark = pytest.mark.django_db

needs_postgresql = postgresql_only(
    "the set-based sums are PostgreSQL's (other databases apply the rules)"
)

# Ready notices on the days Swedish clocks change (29 March and 25 October 2026), around the
# per-episode agreement's noon cut-off, and a wait across the turn of the year.
DST_STAYS = [
    stay(f"DST-{i}", 900 + i, ready, ready + timedelta(days=waited), kommun=kommun,
         ready_notice=notice)
    for i, (ready, waited, notice, kommun) in enumerate([
        (date(2026, 3, 29), 6, "12:00", "2380"), (date(2026, 3, 29), 6, "12:01", "2380"),
        (date(2026, 10, 25), 5, "11:59", "2380"), (date(2026, 10, 25), 5, "12:01", "2380"),
        (date(2026, 3, 28), 9, "23:30", "2380"), (date(2026, 3, 29), 4, "00:30", "2480"),
        (date(2025, 12, 20), 30, "09:00", "2480"), (date(2025, 12, 28), 12, "13:00", "2380"),
    ])
]  # fmt: skip

PERIODS = [
    (date(2025, 12, 1), date(2026, 2, 1)),  # from before the agreements' first month
    (date(2026, 2, 1), date(2026, 2, 1)),  # one month
    (date(2026, 3, 1), date(2026, 9, 1)),
    (date(2026, 1, 1), date(2026, 12, 1)),
]


def _rows(agreement: Agreement, first: date, last: date, **scope: object) -> list[dict]:
    return [
        r.as_json()
        for r in build_report(agreement, first, last, detail=False, **scope).rows  # type: ignore[arg-type]
    ]


@needs_postgresql
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_summed_days_are_the_rules_days(
    agreements: list[Agreement],  # noqa: F811
    tmp_path: Path,
    seed: int,
) -> None:
    assert liable_sums.available(), "CI must sum the liable days in PostgreSQL"
    import_rows(tmp_path, seeded_stays(seed, count=110) + DST_STAYS)
    liable_rows = compared = by_care_type = 0
    for agreement in agreements:
        scopes: list[dict[str, object]] = [{}]
        scopes += [{"kommun_codes": [k]} for k in KOMMUNER if agreement.covers(k)]
        for first, last in PERIODS:
            for scope in scopes:
                whole = build_report(agreement, first, last, **scope)  # type: ignore[arg-type]
                expected = [r.as_json() for r in whole.rows]
                summed = build_report(agreement, first, last, detail=False, **scope)  # type: ignore[arg-type]
                assert [r.as_json() for r in summed.rows] == expected
                # The days by the episodes' own care type (the stored monthly liability's).
                assert summed.care_type_days == whole.care_type_days
                by_care_type += sum(1 for days in whole.care_type_days.values() if days)
                compared += len(expected)
                liable_rows += sum(1 for r in expected if r["liable_days"])
    # Liable days of every agreement were compared, not only empty months.
    assert compared > 300
    assert liable_rows > 40
    assert by_care_type > 40


@needs_postgresql
def test_the_per_episode_start_follows_the_cut_off_on_the_days_the_clocks_change(
    agreements: list[Agreement],  # noqa: F811
    tmp_path: Path,
) -> None:
    import_rows(tmp_path, DST_STAYS)
    jamtland = next(a for a in agreements if a.name == "jamtland")
    rows = {
        r["month"]: r["liable_days"]
        for r in _rows(jamtland, date(2026, 3, 1), date(2026, 10, 1), kommun_codes=["2380"])
    }
    # 29 March, noticed 12:00 (by the cut-off): day 1 is 29 March, liable from 31 March, so
    # 31 March, 1-4 April; at 12:01: from 1 April, so 1-4 April. 28 March 23:30: from
    # 31 March to 6 April. 25 October 11:59: 27-30 October; 12:01: 28-30 October.
    assert rows["2026-03"] == 1 + 0 + 1
    assert rows["2026-04"] == 4 + 4 + 6
    assert rows["2026-10"] == 4 + 3


@needs_postgresql
def test_the_rows_are_summed_by_one_query_without_reading_episodes(
    agreements: list[Agreement],  # noqa: F811
    tmp_path: Path,
) -> None:
    import_rows(tmp_path, seeded_stays(14, count=60))
    for agreement in agreements:
        with CaptureQueriesContext(connection) as captured:
            build_report(agreement, date(2026, 1, 1), date(2026, 9, 1), detail=False)
        summed = [q["sql"] for q in captured if "generate_series" in q["sql"]]
        assert len(summed) == 1, agreement.name
        # No query reads the episodes' notice times into Python (the rules' input).
        assert not any(
            "ready_notice_at" in q["sql"] and "generate_series" not in q["sql"] for q in captured
        )


YEARLESS = """
name = "prov-utan-2025"
title = "Prov utan belopp för 2025"
region = "24"
first_month = "2025-11"
model = "kommun_average"
threshold_days = 0.5
months_to_enter = 1
months_to_exit = 1

[daily_amounts]
2026 = 1000
"""


@pytest.mark.parametrize("detail", [True, False])
def test_a_year_without_a_daily_amount_is_the_same_error_with_or_without_lines(
    db: None, tmp_path: Path, detail: bool
) -> None:
    """December's liable days of a stay discharged in January are priced with the January
    report's lines: a missing 2025 amount is an error with and without lines."""
    (tmp_path / "a.toml").write_text(YEARLESS, encoding="utf-8")
    load_agreement(tmp_path / "a.toml")
    agreement = Agreement.objects.get(name="prov-utan-2025")
    stays = [
        stay(f"Y-{i}", 950 + i, ready, ready + timedelta(days=waited))
        for i, (ready, waited) in enumerate(
            [(date(2025, 11, 10), 4), (date(2025, 12, 10), 3), (date(2025, 12, 28), 8)]
        )
    ]
    import_rows(tmp_path, stays)
    with pytest.raises(ReportError, match="no daily amount for 2025") as raised:
        build_report(agreement, date(2026, 1, 1), date(2026, 1, 1), detail=detail)
    assert isinstance(raised.value.__cause__, rules.MissingDailyAmount)
    assert raised.value.__cause__.year == 2025
    # A period after the stays' days have been priced in 2026 alone is not refused.
    later = build_report(agreement, date(2026, 2, 1), date(2026, 2, 1), detail=detail)
    assert [r.liable_days for r in later.rows] == [0]
