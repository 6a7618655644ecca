"""The follow-up tables as HTML, written in Python: the overview of a whole country has about
12,000 cells, and a template include per cell cost ~0.5 s of the page's time (bench/README.md).
Every text goes through ``escape``; the result is marked safe once."""

from __future__ import annotations

import html

from django.utils.safestring import SafeString, mark_safe

from analysis.tables import Cell, Table


def escape(text: str) -> str:
    """``html.escape``, skipped for the texts with nothing to escape (a country's page escapes
    some 17,000 texts, mostly figures; ``str.translate`` with a table cost 0.5-1.4 us each, five
    ``in`` tests 0.2 us)."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return html.escape(text)
    return text


def _attr(name: str, value: str) -> str:
    return f' {name}="{escape(value)}"' if value else ""


def _cell(cell: Cell, first: bool) -> str:
    text = escape(cell.text)
    if cell.href:
        text = f'<a href="{escape(cell.href)}">{text}</a>'
    if cell.over:
        text += '<span class="mark"> ▲</span>'
    if cell.note:
        text += f"<small>{escape(cell.note)}</small>"
    if first:
        return f'<th scope="row"{_attr("class", cell.css)}>{text}</th>'
    return f"<td{_attr('class', cell.css)}{_attr('title', cell.title)}>{text}</td>"


def table_html(table: Table, caption: str = "") -> SafeString:
    head = "".join(
        f'<th scope="col"{_attr("class", "num" if h.num else "")}{_attr("title", h.title)}>'
        f"{escape(h.text)}</th>"
        for h in table.headers
    )
    parts = [
        f'<div class="table-wrap"><table class="list figures" id="{escape(table.name)}">',
        f"<caption>{escape(caption)}</caption>" if caption else "",
        f"<thead><tr>{head}</tr></thead><tbody>",
    ]
    for row in table.rows:
        cells = "".join(_cell(c, i == 0) for i, c in enumerate(row.cells))
        parts.append(f"<tr{_attr('class', row.css)}>{cells}</tr>\n")
    parts.append("</tbody>")
    if table.foot:
        parts.append("<tfoot>")
        for row in table.foot:
            cells = "".join(_cell(c, i == 0) for i, c in enumerate(row.cells))
            parts.append(f'<tr class="total">{cells}</tr>')
        parts.append("</tfoot>")
    parts.append("</table></div>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
