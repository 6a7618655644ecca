"""The region overview and the kommun page against the stored statistics of a seeded region
(tests/analysis/dashboard_data.py): every figure the pages and both exports show is computed
here again from the stored rows, by the database (Sum over the months), and compared.

The processledare sees every figure (no small-number suppression), so the comparison covers
every cell; what the others see instead is tests/analysis/test_dashboard_suppression.py.
"""

from __future__ import annotations

import calendar
import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import MonthlyStatistic
from discharges.models import Kommun
from payment.models import MonthlyLiability
from tests.analysis.dashboard_data import Seeded, seed_region
from tests.conftest import Personas, login

OVERVIEW = reverse("analysis:dashboard")
NBSP = "\u00a0"


@pytest.fixture
def seeded(personas: Personas) -> Seeded:
    return seed_region()


@pytest.fixture
def lead(personas: Personas) -> Client:
    return login(personas.processledare)


def swedish(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", NBSP)


def stored_sums(seeded: Seeded, care_type: str = "all", **where: Any) -> dict[str, int]:
    fields = ("episodes", "ready_days", "episodes_3plus", "same_day", "episodes_1plus")
    sums = MonthlyStatistic.objects.filter(
        care_type=care_type, month__gte=seeded.months[0], month__lte=seeded.months[-1], **where
    ).aggregate(**{name: Sum(name) for name in fields})
    return {name: value or 0 for name, value in sums.items()}


def expected_row(seeded: Seeded, kommun: Kommun, care_type: str = "all") -> list[str]:
    s = stored_sums(seeded, care_type, kommun=kommun)
    days = sum(calendar.monthrange(m.year, m.month)[1] for m in seeded.months)
    liability = MonthlyLiability.objects.filter(
        kommun=kommun,
        care_type=care_type,
        month__gte=seeded.months[0],
        month__lte=seeded.months[-1],
    ).aggregate(days=Sum("liable_days"), amount=Sum("amount_sek"))
    return [
        kommun.name,
        f"{s['episodes']:,}".replace(",", NBSP),
        f"{s['ready_days']:,}".replace(",", NBSP),
        swedish(Decimal(s["ready_days"]) / s["episodes"]),
        swedish(Decimal(s["ready_days"]) / s["episodes_1plus"]),
        str(s["episodes_3plus"]),
        f"{(Decimal(100 * s['same_day']) / s['episodes']).quantize(0, ROUND_HALF_UP)}{NBSP}%",
        swedish(Decimal(s["ready_days"]) / days),
        f"{liability['days']:,}".replace(",", NBSP),
        f"{liability['amount']:,}".replace(",", NBSP) + f"{NBSP}kr",
    ]


def page_row(response: Any, code: str) -> list[str]:
    table = response.context["page"].kommuner
    row = next(r for r in table.rows if r.code == code)
    texts = [c.text for c in row.cells]
    return texts[:8] + texts[10:12]  # not the population nor the state (checked apart)


def test_the_default_period_is_the_last_13_complete_months(lead: Client, seeded: Seeded) -> None:
    response = lead.get(OVERVIEW)
    assert response.status_code == 200
    heat = response.context["page"].heat_table
    assert [h.text for h in heat.headers[1:]] == [f"{m:%Y-%m}" for m in seeded.months]


@pytest.mark.parametrize("care_type", ["all", "somatik", "psykiatri"])
def test_every_kommun_row_equals_the_stored_statistics(
    lead: Client, seeded: Seeded, care_type: str
) -> None:
    response = lead.get(OVERVIEW, {"care_type": care_type})
    for kommun in Kommun.objects.filter(code__startswith="24"):
        if not stored_sums(seeded, care_type, kommun=kommun)["episodes_1plus"]:
            continue
        assert page_row(response, kommun.code) == expected_row(seeded, kommun, care_type)


def test_the_region_total_row_sums_every_kommun(lead: Client, seeded: Seeded) -> None:
    response = lead.get(OVERVIEW)
    s = stored_sums(seeded, kommun__code__startswith="24")
    total = [c.text for c in response.context["page"].kommuner.foot[0].cells]
    assert total[0] == "Region Västerbotten"
    assert total[1:4] == [
        f"{s['episodes']:,}".replace(",", NBSP),
        f"{s['ready_days']:,}".replace(",", NBSP),
        swedish(Decimal(s["ready_days"]) / s["episodes"]),
    ]
    assert total[10:12] == ["28", f"260{NBSP}400{NBSP}kr"]  # Umeå: 9 + 3 + 16 days x 9 300 kr


def test_the_hand_set_month_is_over_the_threshold_by_its_exact_ratio(
    lead: Client, seeded: Seeded
) -> None:
    """Umeå 1 back: 145 days / 40 episodes = 3.625, shown 3,63 (halves up) and marked."""
    response = lead.get(OVERVIEW)
    heat = response.context["page"].heat_table
    umea = next(r for r in heat.rows if r.code == "2480")
    cell = umea.cells[-1]
    # Liable that month too: the data table says so beside the figure (the trends shade it).
    assert (cell.text, cell.value, cell.over) == ("3,63 · B", Decimal("3.63"), True)
    html = response.content.decode()
    assert "3,63 ▲" in html  # written in the heat map's cell, not colour alone
    assert f"260{NBSP}400{NBSP}kr" in html  # the liable amounts with a no-break thousands space


def test_liability_reads_the_state_of_the_last_month_and_the_liable_months(
    lead: Client, seeded: Seeded
) -> None:
    response = lead.get(OVERVIEW)
    header = response.context["page"].kommuner.headers[9].text
    assert header.replace("\u00ad", "") == f"Betalningsansvar {seeded.last:%Y-%m}"
    rows = {r.code: r.cells[9] for r in response.context["page"].kommuner.rows}
    assert (rows["2480"].text, rows["2480"].note) == (
        "Betalningsansvarig",
        "3 av 13 månader med ansvar",
    )
    assert (rows["2482"].text, rows["2482"].note) == ("Inget ansvar", "")
    html = response.content.decode()
    assert ">all<" not in html and ">2480<" not in html  # names and labels, never raw codes


def test_per_thousand_aged_65_appears_only_where_the_population_is_known(
    lead: Client, seeded: Seeded
) -> None:
    response = lead.get(OVERVIEW)
    rows = {r.code: r.cells[8] for r in response.context["page"].kommuner.rows}
    assert rows["2403"].text == "–"  # Bjurholm: no population stored
    stats = MonthlyStatistic.objects.filter(
        kommun__code="2480", care_type="all", month__in=seeded.months
    )
    # Each month's ready days per 1,000 aged 65+, averaged over the 13 months.
    expected = sum(Decimal(s.ready_days * 1000) / (1000 + 37 * 80) for s in stats) / 13
    assert rows["2480"].text == swedish(expected)
    # The region's figure needs every kommun's population: Bjurholm's is missing.
    card = next(c for c in response.context["page"].cards if "1 000" in c.label)
    assert card.value == "–"
    assert "saknas" in card.note


def test_the_kommun_page_shows_each_month_as_stored(lead: Client, seeded: Seeded) -> None:
    response = lead.get(reverse("analysis:kommun", args=["2480"]))
    assert response.status_code == 200
    rows = {
        r.cells[0].text: [c.text for c in r.cells] for r in response.context["page"].months.rows
    }
    for stat in MonthlyStatistic.objects.filter(
        kommun__code="2480", care_type="all", month__in=seeded.months
    ):
        row = rows[f"{stat.month:%Y-%m}"]
        assert row[1:5] == [
            str(stat.episodes),
            str(stat.ready_days),
            swedish(stat.average),
            swedish(stat.national_average),
        ]
    last = rows[f"{seeded.last:%Y-%m}"]
    assert last[9:12] == ["Betalningsansvarig", "16", f"148{NBSP}800{NBSP}kr"]


def test_the_kommun_page_shows_the_follow_up_indicators(lead: Client, seeded: Seeded) -> None:
    response = lead.get(reverse("analysis:kommun", args=["2482"]))
    stat = MonthlyStatistic.objects.get(kommun__code="2482", care_type="all", month=seeded.back(3))
    row = next(
        [c.text for c in r.cells]
        for r in response.context["page"].indicators.rows
        if r.cells[0].text == f"{seeded.back(3):%Y-%m}"
    )

    def pct(part: int, whole: int) -> str:
        return (
            "–"
            if not whole
            else f"{(Decimal(100 * part) / whole).quantize(0, ROUND_HALF_UP)}{NBSP}%"
        )

    tracked = stat.track_green + stat.track_yellow + stat.track_red + stat.track_blue
    assert row[1:3] == [
        pct(stat.named_contact, stat.episodes),
        pct(stat.sip_invited_in_time, stat.sip_needed),
    ]
    assert row[4:7] == [
        pct(stat.preliminary_accurate, stat.preliminary_known),
        swedish(stat.preliminary_changes_average),
        str(stat.admission_notice_late),
    ]
    assert row[7] == pct(stat.track_green, tracked)


def csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())  # the BOM Swedish Excel needs
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_both_exports_of_the_kommun_table_carry_the_stored_figures(
    lead: Client, seeded: Seeded
) -> None:
    umea = Kommun.objects.get(code="2480")
    s = stored_sums(seeded, kommun=umea)
    average = (Decimal(s["ready_days"]) / s["episodes"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    response = lead.get(reverse("analysis:export", args=["kommuner", "csv"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    assert rows[0][:4] == [
        "Kommun",
        "Kommunkod",
        "Utskrivna vårdtillfällen",
        "Utskrivningsklara dagar",
    ]
    umea_row = next(r for r in rows if r[1] == "2480")
    assert umea_row[:5] == [
        "Umeå",
        "2480",
        str(s["episodes"]),
        str(s["ready_days"]),
        str(average).replace(".", ","),
    ]
    assert umea_row[-2:] == ["28", "260400"]
    assert rows[-1][0] == "Region Västerbotten"

    response = lead.get(reverse("analysis:export", args=["kommuner", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    umea_xlsx = next(r for r in values if r[1] == "2480")
    assert umea_xlsx[:5] == ["Umeå", "2480", s["episodes"], s["ready_days"], float(average)]
    assert umea_xlsx[-2:] == [28, 260400]


def test_the_heat_map_export_has_a_column_per_month(lead: Client, seeded: Seeded) -> None:
    rows = csv_rows(
        lead.get(reverse("analysis:export", args=["karta", "csv"]), {"months": "24"}).content
    )
    assert len(rows[0]) == 2 + 24
    stat = MonthlyStatistic.objects.get(kommun__code="2480", care_type="all", month=seeded.last)
    umea = next(r for r in rows if r[1] == "2480")
    assert umea[-1] == str(stat.average).replace(".", ",") == "3,63"
