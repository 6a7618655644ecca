"""The follow-up tables as downloads people open in Excel: Swedish CSV (``;``, decimal comma,
UTF-8 with BOM) and XLSX, through ``discharges.exports`` (which neutralises formula cells).
The exports carry exactly the page's cells: a figure hidden on the page is "<5" here too."""

from __future__ import annotations

from django.http import HttpResponse

from analysis.tables import Table
from discharges.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, swedish_csv, xlsx

FORMATS = ("csv", "xlsx")


def table_response(table: Table, fmt: str, filename: str) -> HttpResponse:
    """``table`` as ``filename.<fmt>``; ``fmt`` is one of FORMATS."""
    headers, rows = table.export()
    if fmt == "csv":
        body, content_type = swedish_csv(headers, rows), CSV_CONTENT_TYPE
    else:
        body, content_type = xlsx(table.title, headers, rows), XLSX_CONTENT_TYPE
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
