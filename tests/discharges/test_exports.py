"""Swedish CSV and XLSX downloads: what Swedish Excel opens, with formula cells neutralised."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from discharges.exports import neutralise, swedish_csv, xlsx

HEADERS = ("Kommun", "Månad", "Medel", "Dagar", "Id")
ROWS = [
    ("2480 Umeå", date(2026, 1, 1), Decimal("1.24"), 3, '=HYPERLINK("http://x")'),
    ("Skellefteå", datetime(2026, 3, 1, 11, 5, tzinfo=UTC), 0.5, -2, "@SUM(A1)"),
    ("Bjurholm", None, None, 0, "-1+1"),
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+46 90 123", "'+46 90 123"),
        ("-2", "'-2"),
        ("@A1", "'@A1"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("SVU-12", "SVU-12"),
        ("Umeå", "Umeå"),
        ("", ""),
    ],
)
def test_it_neutralises_what_a_spreadsheet_would_run(value: str, expected: str) -> None:
    assert neutralise(value) == expected


def test_the_csv_is_what_swedish_excel_opens() -> None:
    body = swedish_csv(HEADERS, ROWS)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == list(HEADERS)
    assert rows[1] == ["2480 Umeå", "2026-01-01", "1,24", "3", '\'=HYPERLINK("http://x")']
    assert rows[2] == ["Skellefteå", "2026-03-01 12:05", "0,5", "-2", "'@SUM(A1)"]
    assert rows[3] == ["Bjurholm", "", "", "0", "'-1+1"]


def test_the_workbook_holds_the_same_table_with_numbers_as_numbers() -> None:
    book = load_workbook(io.BytesIO(xlsx("Fakturaunderlag", HEADERS, ROWS)))
    sheet = book.active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(HEADERS)
    assert values[1][2] == pytest.approx(1.24)
    assert values[1][4] == '\'=HYPERLINK("http://x")'
    # Local time, as Excel has no zones.
    assert values[2][1] == datetime(2026, 3, 1, 12, 5)  # noqa: DTZ001
    assert values[2][3] == -2
    assert values[3][1] is None
    assert sheet.freeze_panes == "A2"
    assert sheet.title == "Fakturaunderlag"
