"""The invoice basis of one kommun-month as a document: PDF (WeasyPrint, A4, Swedish, DejaVu
Sans from the system, nothing fetched) and Excel (openpyxl through ``discharges.exports``,
Swedish headers, numbers as numbers, dates as dates). Both carry the state and signatures."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from discharges.exports import Cell, xlsx
from discharges.models import CareType
from payment.basis_lines import totals
from payment.basis_models import InvoiceBasis, InvoiceDispute, LineKind


class FetchRefused(ValueError):
    """The PDF asked for a resource: it has none (its stylesheet is inline)."""


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise FetchRefused(f"the invoice basis PDF may not fetch {url[:80]!r}")


def _care_type(value: str) -> str:
    return str(CareType(value).label) if value in CareType.values else value


def _context(basis: InvoiceBasis) -> dict[str, Any]:
    lines = list(basis.lines.all())
    return {
        "basis": basis,
        "lines": [(line, _care_type(line.care_type)) for line in lines],
        "totals": totals(lines),
        "disputes": list(InvoiceDispute.objects.filter(line__basis=basis).select_related("line")),
        "events": list(basis.events.select_related("user", "organisation")),
        "printed_at": timezone.localtime(),
    }


def basis_pdf(basis: InvoiceBasis) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango, which the pages never need

    with translation.override("sv"):
        html = render_to_string("pdf/invoice_basis.html", _context(basis))
    pdf: bytes = HTML(string=html, url_fetcher=_no_fetch).render().write_pdf()
    return pdf


def basis_xlsx(basis: InvoiceBasis) -> bytes:
    with translation.override("sv"):
        headers = [
            pgettext("download", "Episode"),
            pgettext("download", "Line"),
            pgettext("download", "Adjusts month"),
            pgettext("download", "Care type"),
            pgettext("download", "Ready date"),
            pgettext("download", "Discharge date"),
            pgettext("download", "Computed liable days"),
            pgettext("download", "Liable days"),
            pgettext("download", "Amount (SEK)"),
        ]
        body: list[list[Cell]] = [
            [
                line.reference,
                str(LineKind(line.kind).label),
                f"{line.adjusts_month:%Y-%m}" if line.adjusts_month else "",
                _care_type(line.care_type),
                line.ready_date,
                line.discharge_date,
                line.computed_days,
                line.days,
                line.amount_sek,
            ]
            for line in basis.lines.all()
        ]
        days, amount = totals(basis.lines.all())
        body.append([_("Total"), "", "", "", None, None, None, days, amount])
        title = _("Invoice basis %(kommun)s %(month)s") % {
            "kommun": basis.kommun.code,
            "month": f"{basis.month:%Y-%m}",
        }
        return xlsx(title[:31], headers, body)
