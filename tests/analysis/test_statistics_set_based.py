"""The monthly statistics' set-based statement (PostgreSQL: one ``INSERT ... SELECT ... GROUPING
SETS`` per run, issue 15) gives exactly the rows of the per-group computation it replaced
(``statistics_per_group``: ``grouped_counts`` plus the SIP medians in Python), on a seeded set
of a few hundred stays imported through the CSV import: three kommuner, both care types, six
months, every count's condition on both sides, medians of odd and even groups.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analysis.models import MonthlyStatistic
from analysis.statistics import (
    STATISTIC_COLUMNS,
    compute_statistics,
    insert_set_based,
    statistics_per_group,
)
from discharges.models import Episode
from tests.csvfiles import import_rows, pnr, row
from tests.engines import ON_POSTGRESQL, postgresql_only

pytestmark = pytest.mark.django_db

needs_postgresql = postgresql_only("GROUPING SETS and percentile_cont are PostgreSQL's")
KOMMUNER = ("2480", "2482", "2403")
TRACKS = ("grön", "gul", "röd", "blå", "")


def _at(day: date, hour: int) -> str:
    return f"{day}T{hour:02d}:00"


def seeded_stay(n: int, rng: random.Random) -> dict[str, str]:
    """One random stay of 2026's first half (seeded: the same set every run)."""
    admitted = date(2026, 1, 1) + timedelta(days=rng.randrange(170))
    ready = admitted + timedelta(days=rng.randrange(1, 12))
    discharge = ready + timedelta(days=rng.choice((0, 0, 1, 2, 3, 4, 6, 9)))
    values: dict[str, Any] = {
        "kommun": rng.choice(KOMMUNER),
        "care_type": rng.choice(("somatik", "somatik", "psykiatri")),
        "admitted_at": _at(admitted, 8),
        # Late (more than 24 h) now and then; sometimes no admission notice at all.
        "admission_notice_at": rng.choice(
            ("", _at(admitted, 10), _at(admitted + timedelta(1), 12))
        ),
        "track_colour": rng.choice(TRACKS),
        "named_contact": rng.choice(("ja", "nej", "")),
    }
    kind = rng.random()
    if kind < 0.08:  # discharged without a ready date: not counted
        values["discharged_at"] = _at(discharge, 14)
    elif kind < 0.14:  # ready, still in hospital: not counted
        values.update(ready_date=ready.isoformat(), ready_notice_at=_at(ready, 9))
    else:
        values.update(ready_date=ready.isoformat(), discharged_at=_at(discharge, 14))
        if rng.random() < 0.9:
            values["ready_notice_at"] = _at(ready, 9)
        if rng.random() < 0.7:
            shift = rng.choice((-3, -1, 0, 0, 1, 2, 4))
            values["preliminary_ready_date"] = max(admitted, ready + timedelta(shift)).isoformat()
        sip = rng.random()
        if sip < 0.45:
            invited = admitted + timedelta(days=rng.randrange((discharge - admitted).days + 1))
            values.update(sip_needed="ja", sip_invitation_at=_at(invited, 8))
            if rng.random() < 0.7:
                held = invited + timedelta(days=rng.randrange((discharge - invited).days + 1))
                values["sip_held_date"] = held.isoformat()
        elif sip < 0.7:
            values["sip_needed"] = "nej"
    return row(f"SB-{n}", pnr(n % 1000, date(1930 + n // 1000, 3, 9)), **values)


def _table_rows() -> dict[tuple[Any, ...], tuple[Any, ...]]:
    fields = [f"{name}_id" if name == "kommun" else name for name in STATISTIC_COLUMNS]
    return {
        values[:3]: values[3:]
        for values in MonthlyStatistic.objects.order_by().values_list(*fields)
    }


def _object_rows(objects: list[MonthlyStatistic]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    fields = [f"{name}_id" if name == "kommun" else name for name in STATISTIC_COLUMNS]
    return {
        values[:3]: values[3:]
        for values in (tuple(getattr(o, name) for name in fields) for o in objects)
    }


@pytest.fixture
def seeded(tmp_path: Path) -> None:
    stays = [seeded_stay(n, random.Random(1500 + n)) for n in range(360)]  # noqa: S311
    import_rows(tmp_path, stays)
    assert Episode.objects.count() == 360


@needs_postgresql
def test_set_based_statement_equals_the_per_group_computation(seeded: None) -> None:
    assert ON_POSTGRESQL, "CI must run the set-based statement on PostgreSQL"
    now = timezone.now().replace(microsecond=0)
    expected = _object_rows(statistics_per_group(now))
    # The seeded set covers what could differ: many groups, every count, medians of even groups.
    assert len(expected) > 40
    assert {key[1] for key in expected} == {"all", "somatik", "psykiatri"}
    index = {name: i for i, name in enumerate(STATISTIC_COLUMNS[3:])}
    shown = ("episodes_3plus", "same_day", "named_contact", "sip_invited_in_time", "sip_held",
             "preliminary_accurate", "admission_notice_late", "track_blue")  # fmt: skip
    for name in shown:
        assert any(values[index[name]] for values in expected.values()), name
    medians = [values[index["sip_days_median"]] for values in expected.values()]
    assert any(m is not None and m != m.to_integral_value() for m in medians)  # x.5
    assert any(m is None for m in medians)

    MonthlyStatistic.objects.all().delete()
    assert insert_set_based(now) == len(expected)
    assert _table_rows() == expected


@needs_postgresql
def test_compute_statistics_stores_the_table_with_one_statement(seeded: None) -> None:
    with CaptureQueriesContext(connection) as captured:
        stored = compute_statistics()
    inserts = [q["sql"] for q in captured if "INSERT INTO analysis_monthlystatistic" in q["sql"]]
    assert len(inserts) == 1
    assert "GROUPING SETS" in inserts[0]
    assert stored == MonthlyStatistic.objects.count() > 40
    expected = _object_rows(statistics_per_group(datetime(2026, 1, 1, tzinfo=UTC)))
    assert {k: v[2:] for k, v in _table_rows().items()} == {k: v[2:] for k, v in expected.items()}
