"""The follow-up tables as downloads: what Swedish Excel opens (``;``, decimal comma, UTF-8
with BOM, CRLF) and an XLSX workbook, every table of both pages, and a kommun or region name
that a spreadsheet would run as a formula written as text."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from discharges.models import Kommun, Region
from tests.analysis.dashboard_data import Seeded, seed_region
from tests.conftest import Personas, login


@pytest.fixture
def seeded(personas: Personas) -> Seeded:
    return seed_region()


@pytest.fixture
def group(personas: Personas) -> Client:
    return login(personas.joint_group)


OVERVIEW_TABLES = ("kommuner", "karta", "region")
KOMMUN_TABLES = ("manader", "indikatorer")


def urls() -> list[str]:
    return [
        reverse("analysis:export", args=[t, f]) for t in OVERVIEW_TABLES for f in ("csv", "xlsx")
    ] + [
        reverse("analysis:kommun_export", args=["2480", t, f])
        for t in KOMMUN_TABLES
        for f in ("csv", "xlsx")
    ]


def test_every_table_downloads_as_csv_and_xlsx(group: Client, seeded: Seeded) -> None:
    for url in urls():
        response = group.get(url, {"care_type": "somatik", "months": "6"})
        assert response.status_code == 200, url
        disposition = response["Content-Disposition"]
        assert disposition.startswith('attachment; filename="uppfoljning-')
        assert f"-{seeded.back(6):%Y-%m}-{seeded.last:%Y-%m}-somatik." in disposition
        if url.endswith(".csv"):
            assert response.content.startswith(b"\xef\xbb\xbf")
            assert b"\r\n" in response.content
            header = response.content.decode("utf-8-sig").split("\r\n")[0]
            assert ";" in header and "," not in header
        else:
            book = load_workbook(io.BytesIO(response.content))
            assert book.active is not None and book.active.max_row > 2


def test_the_csv_writes_decimals_with_a_comma_and_no_thousands_separator(
    group: Client, seeded: Seeded
) -> None:
    body = group.get(reverse("analysis:export", args=["region", "csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == [
        "Månad",
        "Utskrivna vårdtillfällen",
        "Utskrivningsklara dagar",
        "Medelvärde (överenskommelsen)",
    ]
    period = rows[-1]
    assert period[0] == "Perioden"
    assert int(period[2]) > 1000  # a plain number Excel reads, no separator inside
    assert "," in period[3] and "." not in period[3]


def test_a_formula_in_a_name_is_written_as_text(group: Client, seeded: Seeded) -> None:
    for code, name in (
        ("2480", '=HYPERLINK("http://x")'),
        ("2482", "+SUM(A1)"),
        ("2481", "-2+3"),
        ("2460", "@cmd"),
    ):
        Kommun.objects.filter(code=code).update(name=name)
    Region.objects.filter(code="24").update(name="=1+1")
    body = group.get(reverse("analysis:export", args=["kommuner", "csv"])).content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    names = {r[1]: r[0] for r in rows[1:-1]}
    assert names["2480"] == '\'=HYPERLINK("http://x")'
    assert names["2482"] == "'+SUM(A1)"
    assert names["2481"] == "'-2+3"
    assert names["2460"] == "'@cmd"
    assert rows[-1][0] == "'=1+1"  # the total row is named after the region
    book = load_workbook(
        io.BytesIO(group.get(reverse("analysis:export", args=["kommuner", "xlsx"])).content)
    )
    sheet = book.active
    assert sheet is not None
    cells = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert '\'=HYPERLINK("http://x")' in cells and "'=1+1" in cells
    assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_an_unknown_table_or_format_is_404(group: Client, seeded: Seeded) -> None:
    assert group.get(reverse("analysis:export", args=["patienter", "csv"])).status_code == 404
    assert group.get(reverse("analysis:export", args=["kommuner", "pdf"])).status_code == 404
    assert (
        group.get(reverse("analysis:kommun_export", args=["2480", "kommuner", "csv"])).status_code
        == 404
    )


def test_a_bad_period_in_an_export_is_a_400_in_swedish(group: Client, seeded: Seeded) -> None:
    response = group.get(reverse("analysis:export", args=["kommuner", "csv"]), {"to": "2026-13"})
    assert response.status_code == 400
    this_month = f"{timezone.localdate():%Y-%m}"
    assert response.content.decode() == f"Till: ange en månad som ÅÅÅÅ-MM, t.ex. {this_month}."
