"""Monthly statistics per (kommun, care type or all, month), checked on a hand-built set of
stays imported through the CSV import (and, for changes of the preliminary date, the services).

The set, kommun 2480 Umeå unless said (ready days = discharge date - ready date):

| id | care | admitted | notice | prel. | ready | SIP inv. | held | disch. | days | track | FVK |
|----|------|----------|--------|-------|-------|----------|------|--------|------|-------|-----|
| S1 | som | 1/3 08 | 1/3 10 | 5/3 | 5/3 | (nej) | | 5/3 | 0 | grön | ja |
| S2 | som | 2/3 08 | 4/3 09 late | 8/3 | 10/3 | 13/3 +3 | 14/3 | 14/3 | 4 | röd | ja |
| S3 | som | 5/3 08 | 5/3 12 | 12/3 | 11/3 | 15/3 +4 | 20/3 | 21/3 | 10 | gul | nej |
| S4 | som | 10/3 08 | - | - | 20/3 (no notice) | | | 21/3 | 1 | | |
| P1 | psy | 1/3 08 | 1/3 09 | 10/3 | 10/3 | 8/3 -2 | 10/3 | 12/3 | 2 | blå | ja |
| X1 | som | discharged 6/3 without a ready date: not counted |
| X2 | som | ready 25/3, still in hospital: not counted |
| S5 | som | 27/3 | 27/3 | - | 1/4 | | | 4/4 | 3 | | |
| K1 | som | kommun 2482 Skellefteå | | | 16/3 | | | 18/3 | 2 | | |
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.auth import get_user_model

from analysis import tasks
from analysis.models import MonthlyStatistic
from analysis.statistics import compute_statistics
from discharges import services
from discharges.models import Episode, Kommun
from svu.celery import app as celery_app
from tests.csvfiles import import_rows, pnr, row, run_command, stay

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def stays() -> list[dict[str, str]]:
    base = {"kommun": "2480", "care_type": "somatik"}
    return [
        row("S1", pnr(21), **base, admitted_at="2026-03-01T08:00",
            admission_notice_at="2026-03-01T10:00", preliminary_ready_date="2026-03-05",
            ready_date="2026-03-05", ready_notice_at="2026-03-05T09:00", sip_needed="nej",
            discharged_at="2026-03-05T15:00", track_colour="grön", named_contact="ja"),
        row("S2", pnr(22), **base, admitted_at="2026-03-02T08:00",
            admission_notice_at="2026-03-04T09:00", preliminary_ready_date="2026-03-08",
            ready_date="2026-03-10", ready_notice_at="2026-03-10T10:00", sip_needed="ja",
            sip_invitation_at="2026-03-13T09:00", sip_held_date="2026-03-14",
            discharged_at="2026-03-14T15:00", track_colour="röd", named_contact="ja"),
        row("S3", pnr(23), **base, admitted_at="2026-03-05T08:00",
            admission_notice_at="2026-03-05T12:00", preliminary_ready_date="2026-03-12",
            ready_date="2026-03-11", ready_notice_at="2026-03-11T10:00", sip_needed="ja",
            sip_invitation_at="2026-03-15T09:00", sip_held_date="2026-03-20",
            discharged_at="2026-03-21T10:00", track_colour="gul", named_contact="nej"),
        row("S4", pnr(24), **base, admitted_at="2026-03-10T08:00", ready_date="2026-03-20",
            discharged_at="2026-03-21T11:00"),
        row("P1", pnr(25), kommun="2480", care_type="psykiatri",
            admitted_at="2026-03-01T08:00", admission_notice_at="2026-03-01T09:00",
            preliminary_ready_date="2026-03-10", ready_date="2026-03-10",
            ready_notice_at="2026-03-10T09:00", sip_needed="ja",
            sip_invitation_at="2026-03-08T10:00", sip_held_date="2026-03-10",
            discharged_at="2026-03-12T14:00", track_colour="blå", named_contact="ja"),
        row("X1", pnr(26), **base, admitted_at="2026-03-03T08:00",
            admission_notice_at="2026-03-03T09:00", discharged_at="2026-03-06T12:00"),
        stay("X2", 28, date(2026, 3, 25), None),
        row("S5", pnr(29), **base, admitted_at="2026-03-27T08:00",
            admission_notice_at="2026-03-27T09:00", ready_date="2026-04-01",
            ready_notice_at="2026-04-01T09:00", discharged_at="2026-04-04T10:00"),
        stay("K1", 27, date(2026, 3, 16), date(2026, 3, 18), kommun="2482"),
    ]  # fmt: skip


@pytest.fixture
def imported(tmp_path: Path) -> None:
    import_rows(tmp_path, stays())
    assert Episode.objects.count() == 9


def stat(kommun: str, care_type: str, month: date) -> MonthlyStatistic:
    return MonthlyStatistic.objects.get(kommun__code=kommun, care_type=care_type, month=month)


COUNT_FIELDS = (
    "episodes", "ready_days", "episodes_3plus", "same_day", "episodes_1plus", "named_contact",
    "sip_needed", "sip_invited_in_time", "sip_held", "preliminary_known", "preliminary_accurate",
    "preliminary_changes", "admission_notice_late", "track_green", "track_yellow", "track_red",
    "track_blue",
)  # fmt: skip


def counts_of(statistic: MonthlyStatistic) -> dict[str, int]:
    return {name: getattr(statistic, name) for name in COUNT_FIELDS}


def test_groups_stored_per_kommun_care_type_and_month(imported: None) -> None:
    assert compute_statistics() == 7
    assert sorted(MonthlyStatistic.objects.values_list("kommun__code", "care_type", "month")) == [
        ("2480", "all", MARCH),
        ("2480", "all", APRIL),
        ("2480", "psykiatri", MARCH),
        ("2480", "somatik", MARCH),
        ("2480", "somatik", APRIL),
        ("2482", "all", MARCH),
        ("2482", "somatik", MARCH),
    ]  # no psykiatri row in April and none for Skellefteå: no such episodes
    # 9 episodes imported; X1 (no ready date) and X2 (not discharged) are not counted.
    assert sum(s.episodes for s in MonthlyStatistic.objects.filter(care_type="all")) == 7


def test_somatic_march_indicators(imported: None) -> None:
    compute_statistics()
    s = stat("2480", "somatik", MARCH)
    assert counts_of(s) == {
        "episodes": 4,  # S1 S2 S3 S4
        "ready_days": 15,  # 0 + 4 + 10 + 1
        "episodes_3plus": 2,  # S2 (4), S3 (10)
        "same_day": 1,  # S1
        "episodes_1plus": 3,  # S2 S3 S4
        "named_contact": 2,  # S1 S2 (S3 "nej", S4 unknown)
        "sip_needed": 2,  # S2 S3 (S1 "nej")
        "sip_invited_in_time": 1,  # S2 on ready date + 3; S3 on + 4 is late
        "sip_held": 2,  # S2 S3
        "preliminary_known": 3,  # S1 S2 S3 (S4 had no admission notice)
        "preliminary_accurate": 2,  # S1 (0 days off), S3 (-1); S2 is +2 days off
        "preliminary_changes": 0,  # an import sends only the first preliminary date
        "admission_notice_late": 1,  # S2: 49 h after admission (S1 2 h, S3 4 h)
        "track_green": 1,
        "track_yellow": 1,
        "track_red": 1,
        "track_blue": 0,
    }
    assert s.average == Decimal("3.75")  # R2: 15 / 4, same-day discharges included
    assert s.national_average == Decimal("5.00")  # 15 / 3, only episodes with >= 1 day
    assert s.same_day_share == Decimal("0.250")  # 1 / 4
    assert s.beds_occupied == Decimal("0.48")  # 15 ready days / 31 days = 0.4838...
    assert s.named_contact_share == Decimal("0.500")  # 2 / 4
    assert s.sip_in_time_share == Decimal("0.500")  # 1 / 2
    assert s.sip_share == Decimal("0.500")  # SIP held 2 / 4
    assert s.preliminary_accuracy == Decimal("0.667")  # 2 / 3 = 0.6666...
    assert s.preliminary_changes_average == Decimal("0.00")
    assert s.sip_days_median == Decimal("3.0")  # S2 14-13 = 1, S3 20-15 = 5: median 3


def test_psychiatric_and_all_march(imported: None) -> None:
    compute_statistics()
    p = stat("2480", "psykiatri", MARCH)
    assert counts_of(p) == {
        "episodes": 1,
        "ready_days": 2,  # 12 - 10 March
        "episodes_3plus": 0,
        "same_day": 0,
        "episodes_1plus": 1,
        "named_contact": 1,
        "sip_needed": 1,
        "sip_invited_in_time": 1,  # invited 2 days before the ready date: in time
        "sip_held": 1,
        "preliminary_known": 1,
        "preliminary_accurate": 1,
        "preliminary_changes": 0,
        "admission_notice_late": 0,
        "track_green": 0,
        "track_yellow": 0,
        "track_red": 0,
        "track_blue": 1,
    }
    assert p.sip_days_median == Decimal("2.0")  # held 10 March - invited 8 March

    a = stat("2480", "all", MARCH)
    assert counts_of(a) == {
        name: counts_of(stat("2480", "somatik", MARCH))[name] + counts_of(p)[name]
        for name in COUNT_FIELDS
    }
    assert a.episodes == 5 and a.ready_days == 17  # 15 + 2
    assert a.average == Decimal("3.40")  # 17 / 5
    assert a.national_average == Decimal("4.25")  # 17 / 4
    assert a.beds_occupied == Decimal("0.55")  # 17 / 31 = 0.548...
    assert a.same_day_share == Decimal("0.200")  # 1 / 5
    assert a.sip_in_time_share == Decimal("0.667")  # S2, P1 of S2, S3, P1: 2 / 3
    assert a.sip_days_median == Decimal("2.0")  # median of 1, 5, 2


def test_april_and_other_kommun(imported: None) -> None:
    compute_statistics()
    april = stat("2480", "somatik", APRIL)
    assert (april.episodes, april.ready_days, april.episodes_3plus) == (1, 3, 1)  # S5: 4-1 April
    assert april.beds_occupied == Decimal("0.10")  # 3 / 30 days of April
    assert april.same_day_share == Decimal("0.000")
    assert april.sip_days_median is None
    assert april.preliminary_accuracy is None  # no preliminary date known
    assert april.sip_in_time_share is None  # no SIP needed
    assert counts_of(stat("2480", "all", APRIL)) == counts_of(april)
    k1 = stat("2482", "somatik", MARCH)
    assert (k1.episodes, k1.ready_days, k1.average) == (1, 2, Decimal("2.00"))  # 18 - 16


def table() -> list[tuple[Any, ...]]:
    """Every stored value except the primary key and the time of computing."""
    names = [f.attname for f in MonthlyStatistic._meta.concrete_fields]
    names = [n for n in names if n not in ("id", "computed_at")]
    return sorted(MonthlyStatistic.objects.values_list(*names))


def test_recomputing_is_idempotent(imported: None) -> None:
    first_rows = compute_statistics()
    first = table()
    assert compute_statistics() == first_rows == 7
    assert table() == first
    assert MonthlyStatistic.objects.count() == 7


def test_rows_are_replaced_when_the_data_changes(imported: None, tmp_path: Path) -> None:
    # A row left from an earlier computation for a group that no longer has episodes.
    MonthlyStatistic.objects.create(
        kommun=Kommun.objects.get(code="2401"), care_type="all", month=date(2025, 1, 1),
        episodes=1, ready_days=9, episodes_3plus=1, same_day=0, episodes_1plus=1,
        named_contact=0, sip_needed=0, sip_invited_in_time=0, sip_held=0,
        preliminary_known=0, preliminary_accurate=0, preliminary_changes=0,
        admission_notice_late=0, track_green=0, track_yellow=0, track_red=0, track_blue=0,
        computed_at=datetime(2025, 2, 1, tzinfo=STOCKHOLM),
    )  # fmt: skip
    compute_statistics()
    assert not MonthlyStatistic.objects.filter(kommun__code="2401").exists()
    before = stat("2480", "somatik", MARCH)
    assert (before.episodes, before.ready_days) == (4, 15)

    # X2 (ready 25 March) is discharged on 27 March: 2 more ready days in March.
    discharged = dict(stays()[6], discharged_at="2026-03-27T10:00")
    import_rows(tmp_path, [discharged], "x2.csv")
    assert compute_statistics() == 7
    after = stat("2480", "somatik", MARCH)
    assert (after.episodes, after.ready_days, after.episodes_1plus) == (5, 17, 4)  # 15 + 2
    assert after.average == Decimal("3.40")  # 17 / 5
    assert stat("2480", "all", MARCH).ready_days == 19  # 17 + P1's 2
    assert (
        MonthlyStatistic.objects.filter(
            kommun__code="2480", care_type="somatik", month=MARCH
        ).count()
        == 1
    )


def test_changes_of_the_preliminary_date_are_counted(tmp_path: Path) -> None:
    planning = row("PC", pnr(30), kommun="2480", care_type="somatik",
                   admitted_at="2026-05-04T08:00", admission_notice_at="2026-05-04T10:00",
                   preliminary_ready_date="2026-05-08")  # fmt: skip
    import_rows(tmp_path, [planning])
    episode = Episode.objects.select_related("ward").get(external_id="PC")
    actor = services.Actor(get_user_model().objects.get(username="integration-24"), episode.ward)

    def at(day: int, hour: int) -> datetime:
        return datetime(2026, 5, day, hour, tzinfo=STOCKHOLM)

    services.change_preliminary_date(
        actor=actor, episode=episode, preliminary_ready_date=date(2026, 5, 10),
        occurred_at=at(6, 9),
    )  # fmt: skip
    services.change_preliminary_date(
        actor=actor, episode=episode, preliminary_ready_date=date(2026, 5, 12),
        occurred_at=at(8, 9),
    )  # fmt: skip
    services.send_ready_notice(
        actor=actor, episode=episode, ready_date=date(2026, 5, 11), occurred_at=at(11, 9)
    )
    services.register_discharge(
        actor=actor, episode=episode, destination="ordinary_home", occurred_at=at(13, 10)
    )
    compute_statistics()
    s = stat("2480", "somatik", MAY)
    assert s.preliminary_changes == 2
    assert s.preliminary_changes_average == Decimal("2.00")  # 2 changes / 1 episode
    # The last preliminary date (12 May) is one day off the ready date (11 May): accurate.
    assert (s.preliminary_known, s.preliminary_accurate) == (1, 1)
    assert s.ready_days == 2  # 13 - 11 May


def test_command_and_task_compute_the_same_rows(imported: None) -> None:
    out, _err = run_command("compute_statistics")
    assert out.startswith("7 monthly statistics rows")
    by_command = table()
    MonthlyStatistic.objects.all().delete()
    # apply() runs the task in this process whether or not Celery is in eager mode.
    assert tasks.compute_statistics.apply().get() == 7
    assert table() == by_command


def test_task_is_registered_and_scheduled_nightly_and_on_the_first() -> None:
    assert "analysis.tasks.compute_statistics" in celery_app.tasks
    schedule = settings.CELERY_BEAT_SCHEDULE
    entries = [e for e in schedule.values() if e["task"] == "analysis.tasks.compute_statistics"]
    assert len(entries) == 2
    crontabs = [e["schedule"] for e in entries]
    assert all(isinstance(c, crontab) for c in crontabs)
    every_day = set(range(1, 32))
    nightly = [c for c in crontabs if c.day_of_month == every_day]
    first = [c for c in crontabs if c.day_of_month == {1}]
    assert len(nightly) == 1 and len(first) == 1
    assert nightly[0].hour == {2} and nightly[0].minute == {15}
    assert first[0].hour == {0} and first[0].minute == {30}
