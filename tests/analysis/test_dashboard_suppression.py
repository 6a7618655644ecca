"""Small numbers: a figure built on fewer than SVU_SMALL_NUMBER_THRESHOLD (5) episodes reads
"<5" to everyone except that kommun's own staff and the processledare, on the pages, in the
charts and summaries, and in both exports. The seeded region (dashboard_data.py) has three
small cells: Bjurholm 1 back (1 episode, 4 ready days: average 4,00), Umeå 2 back (3 episodes,
the kommun planner's own kommun) and Skellefteå 2 back (2 episodes, the other planner's)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import MonthlyStatistic
from tests.analysis.dashboard_data import Seeded, seed_region
from tests.conftest import Personas, login
from tests.personas import MEMBERS

OVERVIEW = reverse("analysis:dashboard")

# Who sees the small cell of each kommun as it is.
SEES = {
    "2403": {"processledare"},
    "2480": {"processledare", "kommun_planner"},
    "2482": {"processledare", "other_kommun_planner"},
}
BACK = {"2403": 1, "2480": 2, "2482": 2}


@pytest.fixture
def seeded(personas: Personas) -> Seeded:
    return seed_region()


def heat_cell(response: Any, code: str, month: str) -> Any:
    table = response.context["page"].heat_table
    column = [h.text for h in table.headers].index(month)
    return next(r for r in table.rows if r.code == code).cells[column]


def stored(code: str, seeded: Seeded) -> MonthlyStatistic:
    return MonthlyStatistic.objects.get(
        kommun__code=code, care_type="all", month=seeded.back(BACK[code])
    )


@pytest.mark.parametrize("name", MEMBERS)
@pytest.mark.parametrize("code", sorted(SEES))
def test_the_heat_map_hides_a_small_cell_from_all_but_own_staff_and_processledare(
    name: str, code: str, personas: Personas, seeded: Seeded
) -> None:
    response = login(getattr(personas, name)).get(OVERVIEW)
    month = f"{seeded.back(BACK[code]):%Y-%m}"
    cell = heat_cell(response, code, month)
    average = stored(code, seeded).average
    if name in SEES[code]:
        assert cell.value == average and cell.text != "<5"
    else:
        # "· B" may follow: the kommun's liability in the month is no figure about patients.
        assert cell.text.startswith("<5") and cell.value == "<5"


@pytest.mark.parametrize("name", MEMBERS)
def test_the_kommun_page_hides_the_small_month_from_others(
    name: str, personas: Personas, seeded: Seeded
) -> None:
    client = login(getattr(personas, name))
    response = client.get(reverse("analysis:kommun", args=["2480"]))
    month = f"{seeded.back(2):%Y-%m}"
    row = next(r for r in response.context["page"].months.rows if r.cells[0].text == month)
    stat = stored("2480", seeded)
    texts = [c.text for c in row.cells[1:5]]
    svg = str(response.context["page"].trend.svg)
    if name in SEES["2480"]:
        assert texts[:2] == [str(stat.episodes), str(stat.ready_days)]
        assert svg.count("<circle") == 13  # a point for every month of the period
    else:
        assert texts == ["<5"] * 4
        assert svg.count("<circle") == 12  # the small month is left out of the chart


@pytest.mark.parametrize("name", ["joint_group", "ward_nurse", "processledare"])
def test_both_exports_apply_the_same_rule(name: str, personas: Personas, seeded: Seeded) -> None:
    client = login(getattr(personas, name))
    month = f"{seeded.back(1):%Y-%m}"
    body = client.get(reverse("analysis:export", args=["karta", "csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    column = rows[0].index(month)
    bjurholm = next(r for r in rows if r[1] == "2403")
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("analysis:export", args=["karta", "xlsx"])).content)
    ).active
    assert sheet is not None
    xlsx_row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "2403")
    if name == "processledare":
        assert bjurholm[column] == "4,00"
        assert xlsx_row[column] == 4.0
    else:
        assert bjurholm[column] == "<5"
        assert xlsx_row[column] == "<5"


def test_the_summaries_do_not_name_a_hidden_value(personas: Personas, seeded: Seeded) -> None:
    """Bjurholm's 4,00 one back would be over 3,0: only the processledare is told."""
    month = f"{seeded.back(1):%Y-%m}"
    query = {"care_type": "psykiatri", "from": month, "to": month}
    hidden = login(personas.joint_group).get(OVERVIEW, query)
    shown = login(personas.processledare).get(OVERVIEW, query)
    assert "Bjurholm (1 månad)" not in hidden.context["page"].heat_summary
    assert "Bjurholm (1 månad)" in shown.context["page"].heat_summary


def test_a_small_period_row_is_hidden_whole_but_its_name_stays(
    personas: Personas, seeded: Seeded
) -> None:
    """Bjurholm's psychiatric care over one month: 1 episode, every figure hidden."""
    month = f"{seeded.back(1):%Y-%m}"
    response = login(personas.joint_group).get(
        OVERVIEW, {"care_type": "psykiatri", "from": month, "to": month}
    )
    row = next(r for r in response.context["page"].kommuner.rows if r.code == "2403")
    assert row.cells[0].text == "Bjurholm"
    assert {c.text for c in row.cells[1:9]} == {"<5"}
    # The kommun's state is no figure about patients; its liable days and amount are.
    assert [c.text for c in row.cells[9:12]] == ["Inget ansvar", "<5", "<5"]


@override_settings(SVU_SMALL_NUMBER_THRESHOLD=2)
def test_the_threshold_is_a_setting(personas: Personas, seeded: Seeded) -> None:
    response = login(personas.joint_group).get(OVERVIEW)
    assert heat_cell(response, "2482", f"{seeded.back(2):%Y-%m}").text == "2,50"  # 2 episodes
    assert heat_cell(response, "2403", f"{seeded.back(1):%Y-%m}").text == "<2"  # 1 episode
    assert "färre än 2 vårdtillfällen" in response.content.decode()


def test_liability_is_shown_only_to_those_who_may_see_it(
    personas: Personas, seeded: Seeded
) -> None:
    planner = login(personas.kommun_planner).get(OVERVIEW).context["page"].kommuner
    rows = {r.code: [c.text for c in r.cells] for r in planner.rows}
    assert rows["2480"][10] == "28"  # the planner's own kommun
    assert rows["2482"][9:12] == ["–", "–", "–"]  # another kommun's liability is not theirs
    nurse = login(personas.ward_nurse).get(OVERVIEW).context["page"].kommuner
    assert len(nurse.headers) == 9  # no liability columns at all


def test_a_cell_reveals_nothing_through_its_css_or_title(
    personas: Personas, seeded: Seeded
) -> None:
    response = login(personas.joint_group).get(OVERVIEW)
    cell = heat_cell(response, "2403", f"{seeded.back(1):%Y-%m}")
    assert not cell.over and "over" not in cell.css
    assert cell.title == "Färre än 5 vårdtillfällen: visas inte"


def test_the_planners_own_kommun_stands_out(personas: Personas, seeded: Seeded) -> None:
    rows = login(personas.kommun_planner).get(OVERVIEW).context["page"].kommuner.rows
    assert {r.code for r in rows if r.css == "own"} == {"2480"}
    group_rows = login(personas.joint_group).get(OVERVIEW).context["page"].kommuner.rows
    assert not any(r.css == "own" for r in group_rows)
