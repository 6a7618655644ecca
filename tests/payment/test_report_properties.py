"""Property: the payment report does not depend on the order of the rows in the imported CSV.

Hypothesis builds a small set of valid stays (kommuner of region 24, and one of region 23 for
the per-episode agreement), imports them once in the drawn order and once permuted, each into a
fresh state inside a rolled-back savepoint, and compares the JSON reports of three agreements
(kommun average, kommun average with care types apart, per episode) and the monthly statistics.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.models import MonthlyStatistic
from analysis.statistics import compute_statistics
from discharges.imports import import_csv
from payment.models import Agreement
from tests.csvfiles import csv_text, load_agreement, load_shipped, report, stay

KOMMUNER = ("2480", "2482", "2401", "2380")  # Umeå, Skellefteå, Nordmaling; Östersund (23)
FIRST_READY = date(2026, 1, 1)

SEPARATE = """
name = "egenskap-separat"
title = "Egenskapstest, vårdformer var för sig"
region = "24"
first_month = "2026-01"
model = "kommun_average"
months_to_enter = 1
months_to_exit = 2
separate_care_types = true

[daily_amounts]
2026 = 1000
"""


@st.composite
def stays(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[int]]:
    """Valid CSV rows, and a permutation of their indices."""
    count = draw(st.integers(min_value=1, max_value=8))
    rows = []
    for i in range(count):
        ready = FIRST_READY + timedelta(days=draw(st.integers(0, 150)))  # January to May
        waited = draw(st.integers(0, 12))
        discharge = ready + timedelta(days=waited)
        sip = draw(st.sampled_from(["not needed", "needed, none sent", "invited"]))
        # Invited from 2 days before the ready date to 6 after, never after the discharge.
        delay = min(draw(st.integers(-2, 6)), waited)
        rows.append(
            stay(
                f"E{i:02d}",
                draw(st.integers(0, 5)),  # a patient may have several stays
                ready,
                discharge,
                kommun=draw(st.sampled_from(KOMMUNER)),
                care_type=draw(st.sampled_from(["somatik", "psykiatri"])),
                admission_notice=draw(st.booleans()),
                # The notice's clock time, around the noon cut-off; None: no notice sent.
                ready_notice=draw(st.sampled_from([None, "09:00", "12:00", "12:01", "13:30"])),
                sip_needed=sip != "not needed",
                sip_invitation_day=ready + timedelta(days=delay) if sip == "invited" else None,
            )
        )
    order = draw(st.permutations(range(count)))
    return rows, list(order)


def outcome(text: str) -> dict[str, Any]:
    """Import ``text`` into a state that is rolled back afterwards; the reports it gives."""
    with transaction.atomic():
        import_csv(text)
        compute_statistics()
        result = {
            "vasterbotten": report("vasterbotten", "2026-01", "2026-06"),
            "separate": report("egenskap-separat", "2026-01", "2026-06"),
            "jamtland": report("jamtland", "2026-01", "2026-06"),
            "statistics": sorted(
                MonthlyStatistic.objects.values_list(
                    "kommun__code", "care_type", "month", "episodes", "ready_days",
                    "episodes_3plus", "same_day", "sip_needed", "sip_invited_in_time",
                )
            ),
        }  # fmt: skip
        transaction.set_rollback(True)
    return result


@pytest.fixture
def agreements(db: None, tmp_path: Path) -> None:
    load_shipped("vasterbotten")
    load_shipped("jamtland")
    (tmp_path / "separat.toml").write_text(SEPARATE, encoding="utf-8")
    load_agreement(tmp_path / "separat.toml")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=stays())
def test_report_is_independent_of_row_order(
    agreements: None, data: tuple[list[dict[str, str]], list[int]]
) -> None:
    rows, order = data
    given_order = outcome(csv_text(rows))
    permuted = outcome(csv_text([rows[i] for i in order]))
    assert permuted == given_order
    # Each state was rolled back: the next example starts from the agreements alone.
    assert MonthlyStatistic.objects.count() == 0
    assert Agreement.objects.count() == 3
    # Every stay is in its agreement's detail, whatever kommun it drew.
    listed = sum(len(given_order[name]["episodes"]) for name in ("vasterbotten", "jamtland"))
    assert listed == len(rows)
