"""`python manage.py payment_report`, end to end: episodes imported from CSV files, agreements
loaded from TOML, the JSON report read back and compared with figures worked out by hand.

Daily amount 9 300 kr (the shipped agreements) unless said. Ready days are discharge date -
ready date; the waiting days are the days d with ready date < d <= discharge date.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management.base import CommandError

from tests.csvfiles import import_rows, load_agreement, load_shipped, report, run_command, stay

pytestmark = pytest.mark.django_db

ROW_KEYS = {
    "kommun", "care_type", "month", "episodes", "ready_days", "average", "episodes_3plus",
    "state", "liable_days", "amount_sek",
}  # fmt: skip
EPISODE_KEYS = {
    "episode_id", "kommun", "care_type", "ready_date", "discharge_date", "ready_days",
    "liable_days", "amount_sek", "prerequisites_missing",
}  # fmt: skip
D = date  # short for the tables below


def r(
    kommun: str,
    month: str,
    episodes: int,
    ready_days: int,
    average: float | None,
    episodes_3plus: int,
    state: str,
    liable_days: int = 0,
    amount_sek: int = 0,
    care_type: str = "all",
) -> dict[str, Any]:
    """An expected report row."""
    return {
        "kommun": kommun, "care_type": care_type, "month": month, "episodes": episodes,
        "ready_days": ready_days, "average": average, "episodes_3plus": episodes_3plus,
        "state": state, "liable_days": liable_days, "amount_sek": amount_sek,
    }  # fmt: skip


def e(
    episode_id: str,
    ready: date,
    discharge: date,
    liable_days: int = 0,
    amount_sek: int = 0,
    missing: list[str] | None = None,
    kommun: str = "2480",
    care_type: str = "somatik",
) -> dict[str, Any]:
    """An expected detail line."""
    return {
        "episode_id": episode_id, "kommun": kommun, "care_type": care_type,
        "ready_date": ready.isoformat(), "discharge_date": discharge.isoformat(),
        "ready_days": (discharge - ready).days, "liable_days": liable_days,
        "amount_sek": amount_sek, "prerequisites_missing": missing or [],
    }  # fmt: skip


# --- Kommun-average model (Västerbotten): three months over, liable from month 4 --------------


def vasterbotten_history() -> list[dict[str, str]]:
    """Umeå (2480) over 3.00 in January, February and March 2026, hence liable from April;
    three months not over (April, May, June) make it free again from July. Skellefteå (2482)
    is over once only. Östersund (2380, region 23) is not under the agreement."""
    return [
        # January: 4 + 3 = 7 days / 2 = 3.50 > 3
        stay("J1", 1, D(2026, 1, 10), D(2026, 1, 14)),
        stay("J2", 2, D(2026, 1, 20), D(2026, 1, 23)),
        # February: 4 + 4 + 3 = 11 / 3 = 3.666... (3.67) > 3; F3 is psychiatric care, counted
        # with the somatic ones (the agreement does not keep them apart)
        stay("F1", 3, D(2026, 2, 2), D(2026, 2, 6)),
        stay("F2", 4, D(2026, 2, 10), D(2026, 2, 14)),
        stay("F3", 5, D(2026, 2, 20), D(2026, 2, 23), care_type="psykiatri"),
        # March: 4 / 1 = 4.00 > 3: the third month over in a row
        stay("M1", 6, D(2026, 3, 10), D(2026, 3, 14)),
        # April (liable): 2 + 3 + 1 + 5 = 11 / 4 = 2.75, not over (1st)
        stay("A1", 7, D(2026, 4, 10), D(2026, 4, 12)),  # liable 11, 12 April
        stay("STR", 8, D(2026, 3, 30), D(2026, 4, 2)),  # 31 March free; 1, 2 April liable
        stay("NOP", 9, D(2026, 4, 20), D(2026, 4, 21),  # no notices, SIP needed, none sent
             admission_notice=False, ready_notice=None, sip_needed=True),
        stay("LATE", 10, D(2026, 4, 22), D(2026, 4, 27),  # SIP invited on ready date + 4
             sip_invitation_day=D(2026, 4, 26)),
        # May: no episodes, not over (2nd). June: none discharged, not over (3rd): free from July.
        # JUL1 waits 30 June (liable June) and 1, 2 July (free July); invited on ready date + 3.
        stay("JUL1", 11, D(2026, 6, 29), D(2026, 7, 2), sip_invitation_day=D(2026, 7, 2)),
        # Skellefteå: 10 days in February, over once only: stays free.
        stay("SK1", 12, D(2026, 2, 5), D(2026, 2, 15), kommun="2482"),
        # Östersund, region 23.
        stay("OST", 13, D(2026, 2, 5), D(2026, 2, 15), kommun="2380"),
    ]  # fmt: skip


@pytest.fixture
def vasterbotten(tmp_path: Path) -> None:
    load_shipped("vasterbotten")
    import_rows(tmp_path, vasterbotten_history())


def test_kommun_average_report_every_key_and_value(vasterbotten: None) -> None:
    data = report("vasterbotten", "2026-01", "2026-07", detail=True)

    assert set(data) == {"agreement", "from", "to", "rows", "episodes"}
    assert all(set(row) == ROW_KEYS for row in data["rows"])
    assert all(set(line) == EPISODE_KEYS for line in data["episodes"])
    assert (data["agreement"], data["from"], data["to"]) == ("vasterbotten", "2026-01", "2026-07")

    assert data["rows"] == [
        r("2480", "2026-01", 2, 7, 3.5, 2, "free"),
        r("2480", "2026-02", 3, 11, 3.67, 3, "free"),
        r("2480", "2026-03", 1, 4, 4.0, 1, "free"),
        # liable: A1 2 days + STR 2 days = 4 days x 9 300 = 37 200; NOP and LATE miss a
        # prerequisite. episodes_3plus: STR (3), LATE (5).
        r("2480", "2026-04", 4, 11, 2.75, 2, "liable", 4, 37200),
        r("2480", "2026-05", 0, 0, None, 0, "liable"),
        # JUL1's 30 June falls in June (R9) although it was discharged in July.
        r("2480", "2026-06", 0, 0, None, 0, "liable", 1, 9300),
        r("2480", "2026-07", 1, 3, 3.0, 1, "free"),  # 3.00 is not over 3
        r("2482", "2026-01", 0, 0, None, 0, "free"),
        r("2482", "2026-02", 1, 10, 10.0, 1, "free"),
        r("2482", "2026-03", 0, 0, None, 0, "free"),
        r("2482", "2026-04", 0, 0, None, 0, "free"),
        r("2482", "2026-05", 0, 0, None, 0, "free"),
        r("2482", "2026-06", 0, 0, None, 0, "free"),
        r("2482", "2026-07", 0, 0, None, 0, "free"),
    ]
    assert data["episodes"] == [
        e("A1", D(2026, 4, 10), D(2026, 4, 12), 2, 18600),
        e("F1", D(2026, 2, 2), D(2026, 2, 6)),
        e("F2", D(2026, 2, 10), D(2026, 2, 14)),
        e("F3", D(2026, 2, 20), D(2026, 2, 23), care_type="psykiatri"),
        e("J1", D(2026, 1, 10), D(2026, 1, 14)),
        e("J2", D(2026, 1, 20), D(2026, 1, 23)),
        e("JUL1", D(2026, 6, 29), D(2026, 7, 2), 1, 9300),
        e("LATE", D(2026, 4, 22), D(2026, 4, 27), missing=["sip_invitation"]),
        e("M1", D(2026, 3, 10), D(2026, 3, 14)),
        e("NOP", D(2026, 4, 20), D(2026, 4, 21),
          missing=["admission_notice", "ready_notice", "sip_invitation"]),
        e("SK1", D(2026, 2, 5), D(2026, 2, 15), kommun="2482"),
        e("STR", D(2026, 3, 30), D(2026, 4, 2), 2, 18600),
    ]  # fmt: skip


def test_liable_days_of_a_month_come_from_episodes_discharged_later(vasterbotten: None) -> None:
    data = report("vasterbotten", "2026-06", "2026-06", detail=True)
    # June alone: the state is still worked out from the agreement's first month on.
    assert data["rows"] == [
        r("2480", "2026-06", 0, 0, None, 0, "liable", 1, 9300),
        r("2482", "2026-06", 0, 0, None, 0, "free"),
    ]
    assert data["episodes"] == []  # JUL1 was discharged in July, outside the range


def test_state_changes_inside_a_straddling_episode(vasterbotten: None) -> None:
    # STR waits 31 March (free), 1 and 2 April (liable): only the April days count, in April.
    data = report("vasterbotten", "2026-03", "2026-04", detail=True)
    umea = {row["month"]: row for row in data["rows"] if row["kommun"] == "2480"}
    assert (umea["2026-03"]["state"], umea["2026-03"]["liable_days"]) == ("free", 0)
    assert (umea["2026-04"]["state"], umea["2026-04"]["liable_days"]) == ("liable", 4)
    lines = {line["episode_id"]: line for line in data["episodes"]}
    assert (lines["STR"]["ready_days"], lines["STR"]["liable_days"]) == (3, 2)
    assert lines["STR"]["amount_sek"] == 2 * 9300


def test_without_detail_there_are_no_episode_lines(vasterbotten: None) -> None:
    data = report("vasterbotten", "2026-01", "2026-02", detail=False)
    assert set(data) == {"agreement", "from", "to", "rows"}
    assert len(data["rows"]) == 4  # 2 kommuner x 2 months


def test_csv_format_has_the_same_columns(vasterbotten: None) -> None:
    out, _err = run_command(
        "payment_report", "--agreement", "vasterbotten", "--from", "2026-04", "--to", "2026-04",
        "--format", "csv", "--detail",
    )  # fmt: skip
    rows_part, episodes_part = out.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(rows_part)))
    assert set(rows[0]) == ROW_KEYS
    assert rows[0] == {
        "kommun": "2480", "care_type": "all", "month": "2026-04", "episodes": "4",
        "ready_days": "11", "average": "2.75", "episodes_3plus": "2", "state": "liable",
        "liable_days": "4", "amount_sek": "37200",
    }  # fmt: skip
    assert rows[1]["average"] == ""  # Skellefteå: no episodes in April
    lines = {line["episode_id"]: line for line in csv.DictReader(io.StringIO(episodes_part))}
    assert set(lines) == {"A1", "STR", "NOP", "LATE"}
    assert lines["NOP"]["prerequisites_missing"] == "admission_notice ready_notice sip_invitation"


# --- Separate care types (an agreement from tmp_path) -----------------------------------------

SEPARATE = """
name = "separat"
title = "Somatik och psykiatri var för sig"
region = "24"
first_month = "2026-01"
model = "kommun_average"
threshold_days = 3.0
months_to_enter = 1
months_to_exit = 1
separate_care_types = true

[daily_amounts]
2026 = 1000
"""


def test_separate_care_types_have_their_own_states(tmp_path: Path) -> None:
    (tmp_path / "separat.toml").write_text(SEPARATE, encoding="utf-8")
    load_agreement(tmp_path / "separat.toml")
    import_rows(
        tmp_path,
        [
            # Somatic January 5 days > 3: liable from February (one month in).
            stay("SOM-JAN", 1, D(2026, 1, 10), D(2026, 1, 15)),
            # Psychiatric January 1 day: not over, so free in February.
            stay("PSY-JAN", 2, D(2026, 1, 10), D(2026, 1, 11), care_type="psykiatri"),
            # Somatic February, liable: 11 and 12 February = 2 days x 1 000.
            stay("SOM-FEB", 3, D(2026, 2, 10), D(2026, 2, 12)),
            # Psychiatric February, free: 4 days but no liability.
            stay("PSY-FEB", 4, D(2026, 2, 10), D(2026, 2, 14), care_type="psykiatri"),
            # Skellefteå has only psychiatric care; it gets somatic rows as well.
            stay("SK-PSY", 5, D(2026, 1, 5), D(2026, 1, 6), kommun="2482", care_type="psykiatri"),
        ],
    )
    data = report("separat", "2026-01", "2026-02")
    rows = {(row["kommun"], row["care_type"], row["month"]): row for row in data["rows"]}
    assert len(data["rows"]) == len(rows) == 8  # 2 kommuner x 2 care types x 2 months
    assert rows[("2480", "somatik", "2026-01")] == r(
        "2480", "2026-01", 1, 5, 5.0, 1, "free", care_type="somatik"
    )
    assert rows[("2480", "somatik", "2026-02")] == r(
        "2480", "2026-02", 1, 2, 2.0, 0, "liable", 2, 2000, care_type="somatik"
    )
    assert rows[("2480", "psykiatri", "2026-01")] == r(
        "2480", "2026-01", 1, 1, 1.0, 0, "free", care_type="psykiatri"
    )
    assert rows[("2480", "psykiatri", "2026-02")] == r(
        "2480", "2026-02", 1, 4, 4.0, 1, "free", care_type="psykiatri"
    )
    assert rows[("2482", "psykiatri", "2026-01")]["episodes"] == 1
    assert rows[("2482", "somatik", "2026-01")] == r(
        "2482", "2026-01", 0, 0, None, 0, "free", care_type="somatik"
    )
    lines = {line["episode_id"]: line for line in data["episodes"]}
    assert (lines["SOM-FEB"]["liable_days"], lines["SOM-FEB"]["amount_sek"]) == (2, 2000)
    assert lines["PSY-FEB"]["liable_days"] == 0


def test_rows_are_sorted_by_kommun_care_type_and_month(tmp_path: Path) -> None:
    (tmp_path / "separat.toml").write_text(SEPARATE, encoding="utf-8")
    load_agreement(tmp_path / "separat.toml")
    import_rows(tmp_path, [stay("S", 1, D(2026, 1, 10), D(2026, 1, 15))])
    keys = [(row["kommun"], row["care_type"], row["month"]) for row in
            report("separat", "2026-01", "2026-02")["rows"]]  # fmt: skip
    # "psykiatri" sorts before "somatik"
    assert keys == [
        ("2480", "psykiatri", "2026-01"),
        ("2480", "psykiatri", "2026-02"),
        ("2480", "somatik", "2026-01"),
        ("2480", "somatik", "2026-02"),
    ]


# --- Per-episode model with a noon cut-off (Jämtland) -----------------------------------------


def test_per_episode_noon_cutoff(tmp_path: Path) -> None:
    load_shipped("jamtland")
    ost = {"kommun": "2380"}
    import_rows(
        tmp_path,
        [
            # Notice at 12:00: day 1 is 10 February, liable from day 3 = 12 February;
            # waiting days 11-16 February, liable 12-16 = 5 days = 46 500.
            stay("JH1", 1, D(2026, 2, 10), D(2026, 2, 16), ready_notice="12:00", **ost),
            # Notice at 12:01: day 1 is 11 February, liable from 13 February: 13-16 = 4 days.
            stay("JH2", 2, D(2026, 2, 10), D(2026, 2, 16), ready_notice="12:01", **ost),
            # 11:00 UTC is 12:00 in Stockholm (winter time): at the cut-off, as JH1.
            stay("JH3", 3, D(2026, 2, 10), D(2026, 2, 16), ready_notice="11:00+00:00", **ost),
            # Notice 26 February 08:00: liable from 28 February; waiting 27, 28 February and
            # 1, 2, 3 March: liable 28 February (February) and 1-3 March (March).
            stay("JH4", 4, D(2026, 2, 26), D(2026, 3, 3), **ost),
            # No admission notice: no liable day.
            stay("JH5", 5, D(2026, 2, 10), D(2026, 2, 20), admission_notice=False, **ost),
            # Umeå is not under Jämtland's agreement.
            stay("UME", 6, D(2026, 2, 10), D(2026, 2, 20)),
        ],
    )
    data = report("jamtland", "2026-02", "2026-03")
    assert data["rows"] == [
        # February: JH1, JH2, JH3 (6 days each), JH5 (10) = 28 days / 4 = 7.00;
        # liable 5 + 4 + 5 + 1 (JH4) = 15 days x 9 300 = 139 500.
        r("2380", "2026-02", 4, 28, 7.0, 4, "per_episode", 15, 139500),
        # March: JH4, 5 days; its 3 March days = 27 900.
        r("2380", "2026-03", 1, 5, 5.0, 1, "per_episode", 3, 27900),
    ]
    kw = {"kommun": "2380"}
    assert data["episodes"] == [
        e("JH1", D(2026, 2, 10), D(2026, 2, 16), 5, 46500, **kw),
        e("JH2", D(2026, 2, 10), D(2026, 2, 16), 4, 37200, **kw),
        e("JH3", D(2026, 2, 10), D(2026, 2, 16), 5, 46500, **kw),
        e("JH4", D(2026, 2, 26), D(2026, 3, 3), 4, 37200, **kw),
        e("JH5", D(2026, 2, 10), D(2026, 2, 20), missing=["admission_notice"], **kw),
    ]


# --- Errors -----------------------------------------------------------------------------------

NO_2025 = """
name = "utan-belopp"
title = "Belopp saknas för 2025"
region = "24"
first_month = "2025-01"
model = "per_episode"
notice_cutoff = "12:00"
liability_from_day = 3

[daily_amounts]
2026 = 9300
"""


def test_a_year_without_daily_amount_is_an_error_naming_the_year(tmp_path: Path) -> None:
    (tmp_path / "utan.toml").write_text(NO_2025, encoding="utf-8")
    load_agreement(tmp_path / "utan.toml")
    # Liable from 3 December 2025 (notice 1 December 09:00): days in 2025, no amount for it.
    import_rows(tmp_path, [stay("Y", 1, D(2025, 12, 1), D(2025, 12, 10))])
    with pytest.raises(CommandError) as info:
        report("utan-belopp", "2025-12", "2025-12")
    assert "2025" in str(info.value)
    assert "daily amount" in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agreement", "finns-inte", "--from", "2026-01", "--to", "2026-02"], "finns-inte"),
        (["--agreement", "vasterbotten", "--from", "2026-03", "--to", "2026-02"], "before"),
        (["--agreement", "vasterbotten", "--from", "mars", "--to", "2026-02"], "mars"),
    ],
)
def test_bad_arguments_are_command_errors(args: list[str], message: str) -> None:
    load_shipped("vasterbotten")
    with pytest.raises(CommandError, match=message):
        run_command("payment_report", *args)


def test_json_is_plain_json(vasterbotten: None) -> None:
    out, _err = run_command(
        "payment_report", "--agreement", "vasterbotten", "--from", "2026-04", "--to", "2026-04"
    )
    data = json.loads(out)
    assert isinstance(data["rows"][0]["average"], float)
    assert isinstance(data["rows"][0]["amount_sek"], int)


def test_the_json_is_the_text_of_the_standard_library_with_indent_2(vasterbotten: None) -> None:
    """orjson writes the report (issue 15: a region's year is ~20 MB): the same text, byte
    for byte, as ``json.dumps(indent=2, ensure_ascii=False)``."""
    out, _err = run_command(
        "payment_report", "--agreement", "vasterbotten", "--from", "2026-01", "--to", "2026-07",
        "--detail",
    )  # fmt: skip
    data = json.loads(out)
    assert data["episodes"] and any(row["average"] is not None for row in data["rows"])
    assert out == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
