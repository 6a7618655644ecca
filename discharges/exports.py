"""Downloads people open in a spreadsheet: Swedish CSV and XLSX, safe against formula injection.

Swedish Excel opens a CSV as columns only with ``;`` as separator, a decimal comma and a UTF-8
byte-order mark; ``swedish_csv`` writes that. ``xlsx`` writes the same table as a workbook.
Both neutralise a text cell that a spreadsheet would run as a formula (one starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) by a leading ``'``; numbers stay numbers.
Machine-readable exports for other programs (``payment_report --format csv``) keep their own
form (``,`` and ``.``) but neutralise text cells the same way (``neutralise``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | bool | None


def neutralise(value: str) -> str:
    """A text that a spreadsheet will show as text, never run."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _swedish(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def swedish_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """``;``-separated, decimal comma, UTF-8 with BOM, CRLF line ends (what Excel writes)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        writer.writerow([_swedish(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx_cell(value: Cell) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, str):
        return neutralise(value)
    return value


def xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """One sheet with a bold header row, frozen below it, and columns sized to their contents."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has its sheet)
    sheet.title = sheet_title[:31]  # Excel's limit
    sheet.append([neutralise(str(h)) for h in headers])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in headers]
    for row in rows:
        values = [_xlsx_cell(v) for v in row]
        sheet.append(values)
        widths = [
            max(w, len(str(v)) if v is not None else 0)
            for w, v in zip(widths, values, strict=False)
        ]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
