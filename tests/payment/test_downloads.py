"""The liability pages' downloads, opened as a kommun's economist opens them (issue 8, point 5):
the CSV with Python's csv module and ``;`` as Swedish Excel reads it (byte-order mark, decimal
comma, Swedish headers and values), the XLSX with openpyxl (numbers as numbers, dates as
dates). ``payment_report --format csv`` keeps its machine form for other programs and says so.

History: Umeå (2480) in March 2026, imported as a region would (the CSV import): two stays
of 3 and 4 ready days (average 3.5, "3,50"), one without an admission notice (its preliminary
date kept: no liable days, "Inget inskrivningsmeddelande skickades."). Agreement: Västerbotten
(kommun average; free in March).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import Personas, login
from tests.csvfiles import import_rows, load_shipped, run_command, stay

PERIOD = {"from": "2026-03", "to": "2026-03"}
CSV_URL = reverse("payment:export", args=["vasterbotten"])
XLSX_URL = reverse("payment:export_xlsx", args=["vasterbotten"])


@pytest.fixture
def history(personas: Personas, tmp_path: Path) -> None:
    load_shipped("vasterbotten")
    import_rows(
        tmp_path,
        [
            stay("U-1", 1, date(2026, 3, 2), date(2026, 3, 5)),
            stay("U-2", 2, date(2026, 3, 10), date(2026, 3, 14)),
            stay("U-3", 3, date(2026, 3, 20), date(2026, 3, 23), admission_notice=False,
                 preliminary_ready_date="2026-03-19"),
        ],
    )  # fmt: skip


def planner(personas: Personas) -> Client:
    return login(personas.kommun_planner)


def read_swedish_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8 then
    assert b"\r\n" in content
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_invoice_basis_csv_opens_as_columns_in_swedish_excel(
    personas: Personas, history: None
) -> None:
    response = planner(personas).get(CSV_URL, {**PERIOD, "kommun": "2480"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="fakturaunderlag-vasterbotten-2026-03-2026-03.csv"'
    )
    [march] = read_swedish_csv(response.content)
    assert march == {
        "Kommunkod": "2480",
        "Kommun": "Umeå",
        "Vårdform": "Alla",
        "Månad": "2026-03",
        "Utskrivna vårdtillfällen": "3",
        "Utskrivningsklara dagar": "10",
        "Medelvärde utskrivningsklara dagar": "3,33",  # 10 / 3, decimal comma as on the page
        "Vårdtillfällen med 3 eller fler dagar": "3",
        "Betalningsansvar": "Fri",
        "Dagar med betalningsansvar": "0",
        "Belopp (kr)": "0",
    }


def test_the_episodes_csv_says_in_swedish_what_is_missing(
    personas: Personas, history: None
) -> None:
    response = planner(personas).get(CSV_URL, {**PERIOD, "detail": "1"})
    assert response["Content-Disposition"].endswith('-vardtillfallen.csv"')
    lines = {line["Vårdtillfälle"]: line for line in read_swedish_csv(response.content)}
    assert set(lines) == {"U-1", "U-2", "U-3"}
    assert lines["U-3"]["Förutsättningar som saknas"] == "Inget inskrivningsmeddelande skickades."
    assert lines["U-1"]["Förutsättningar som saknas"] == ""
    assert (lines["U-2"]["Utskrivningsklar"], lines["U-2"]["Utskriven"]) == (
        "2026-03-10", "2026-03-14",
    )  # fmt: skip
    assert lines["U-2"]["Utskrivningsklara dagar"] == "4"
    # Without consent the care type is left out, as on the pages (tests/payment/
    # test_liability_consent.py); the kommun, dates and amounts remain.
    assert {line["Vårdform"] for line in lines.values()} == {""}
    assert {line["Kommun"] for line in lines.values()} == {"Umeå"}


def test_the_xlsx_holds_numbers_and_dates(personas: Personas, history: None) -> None:
    client = planner(personas)
    response = client.get(XLSX_URL, {**PERIOD, "kommun": "2480"})
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="fakturaunderlag-vasterbotten-2026-03-2026-03.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    header, march = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("Kommunkod", "Kommun", "Vårdform", "Månad")
    record = dict(zip(header, march, strict=True))
    assert record["Medelvärde utskrivningsklara dagar"] == pytest.approx(3.33)
    assert record["Utskrivningsklara dagar"] == 10
    assert record["Betalningsansvar"] == "Fri"

    detail = client.get(XLSX_URL, {**PERIOD, "detail": "1"})
    sheet = load_workbook(io.BytesIO(detail.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    by_id = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_id["U-2"]["Utskrivningsklar"] == datetime(2026, 3, 10)  # noqa: DTZ001 (a date cell)
    assert by_id["U-2"]["Belopp (kr)"] == 0


def test_the_xlsx_is_for_the_same_people_as_the_csv(personas: Personas, history: None) -> None:
    assert login(personas.ward_nurse).get(XLSX_URL, PERIOD).status_code == 404
    group = login(personas.joint_group).get(XLSX_URL, {**PERIOD, "detail": "1"})
    sheet = load_workbook(io.BytesIO(group.content)).active
    assert sheet is not None
    assert len(list(sheet.iter_rows(values_only=True))) == 1  # the header: no episode


def test_the_liability_page_links_both_forms(personas: Personas, history: None) -> None:
    page = planner(personas).get(reverse("payment:liability"), PERIOD).content.decode()
    for link in ("download-rows-csv", "download-rows-xlsx"):
        assert f'id="{link}"' in page
    assert f"{XLSX_URL}?from=2026-03&amp;to=2026-03&amp;kommun=" in page
    month = reverse("payment:month", args=["vasterbotten", "2480", "all", "2026-03"])
    assert f"{XLSX_URL}?from=2026-03&amp;to=2026-03&amp;kommun=2480&amp;detail=1" in (
        planner(personas).get(month).content.decode()
    )


def test_the_report_command_keeps_the_machine_form(history: None) -> None:
    out, _err = run_command(
        "payment_report", "--agreement", "vasterbotten", "--from", "2026-03", "--to", "2026-03",
        "--format", "csv", "--detail",
    )  # fmt: skip
    assert not out.startswith("\ufeff")
    rows_part, episodes_part = out.split("\n\n")
    umea = next(r for r in csv.DictReader(io.StringIO(rows_part)) if r["kommun"] == "2480")
    assert (umea["care_type"], umea["state"], umea["average"]) == ("all", "free", "3.33")
    lines = {e["episode_id"]: e for e in csv.DictReader(io.StringIO(episodes_part))}
    assert lines["U-3"]["prerequisites_missing"] == "admission_notice"


def test_the_report_commands_help_says_its_csv_is_for_programs() -> None:
    from payment.management.commands.payment_report import Command

    text = " ".join(Command().create_parser("manage.py", "payment_report").format_help().split())
    assert "machine-readable form for other programs" in text
    assert "English column names" in text
    assert "People open the liability page's downloads instead" in text
