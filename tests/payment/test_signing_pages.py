"""The signed invoice basis on the pages (issue 14, point 3): who sees a basis (404 out of
scope, 403 in scope but not a party), the actions by role and organisation (403), a bad
dispute re-rendered with its field named and nothing changed, the section on the liability
page, reads logged, and the signed basis downloaded as PDF (read back with pdftotext) and
Excel (read back with openpyxl). History: tests/payment/signing_data.py."""

# ruff: noqa: F401, F811 (fixtures imported from tests.payment.signing_data are parameters)
from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from openpyxl import load_workbook

from discharges.models import AccessAction, AccessLogEntry, Kommun
from payment.basis_models import BasisStatus, DisputeStatus, InvoiceBasis, InvoiceDispute
from payment.models import Agreement
from payment.signing import propose
from tests.analysis.analyses.pdftools import pdf_text
from tests.conftest import OrgTree, Personas, login
from tests.payment.signing_data import MARCH, admin, agreement, sign_both

ARGS = ["vb-per-episode", "2480", "2026-03"]


def url(name: str = "basis") -> str:
    return reverse(f"payment:{name}", args=ARGS)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("kommun_planner", 200),
        ("other_kommun_planner", 404),
        ("processledare", 403),
        ("joint_group", 403),
        ("ward_nurse", 404),
        ("hc_coordinator", 404),
        ("outsider", 404),
    ],
)
def test_who_sees_the_basis_page(
    agreement: Agreement, admin: AbstractUser, personas: Personas, who: str, status: int
) -> None:
    user = admin if who == "admin" else getattr(personas, who)
    assert login(user).get(url()).status_code == status


@pytest.mark.parametrize("who", ["kommun_planner", "processledare", "joint_group"])
def test_only_the_regions_systemforvaltare_proposes(
    agreement: Agreement, personas: Personas, who: str
) -> None:
    response = login(getattr(personas, who)).post(url("basis_propose"))
    assert response.status_code == 403
    assert not InvoiceBasis.objects.exists()


def test_the_whole_round_on_the_pages_and_the_downloads(
    agreement: Agreement, admin: AbstractUser, personas: Personas, tmp_path: Path
) -> None:
    region, kommun = login(admin), login(personas.kommun_planner)
    assert region.post(url("basis_propose")).status_code == 302
    basis = InvoiceBasis.objects.get()
    u2 = basis.lines.get(reference="U-2")

    # The kommun may not sign for the region, nor answer its own dispute.
    assert kommun.post(url("basis_sign"), {"side": "region"}).status_code == 403
    bad = kommun.post(url("basis_dispute"), {"line": u2.pk, "days": "tre", "reason": "Fel"})
    assert bad.status_code == 400
    assert 'data-field="days"' in bad.content.decode()
    assert "Ange ett heltal." in bad.content.decode()
    assert not InvoiceDispute.objects.exists()

    filed = kommun.post(url("basis_dispute"), {"line": u2.pk, "days": "3", "reason": "Kommunklar"})
    assert filed.status_code == 302
    item = InvoiceDispute.objects.get()
    assert (
        kommun.post(url("basis_answer"), {"dispute": item.pk, "decision": "accept"}).status_code
        == 403
    )
    answered = region.post(url("basis_answer"), {"dispute": item.pk, "decision": "accept"})
    assert answered.status_code == 302
    item.refresh_from_db()
    assert item.status == DisputeStatus.ACCEPTED

    assert region.post(url("basis_sign"), {"side": "region"}).status_code == 302
    assert kommun.post(url("basis_sign"), {"side": "kommun"}).status_code == 302
    basis.refresh_from_db()
    assert basis.status == BasisStatus.SIGNED

    page = kommun.get(url()).content.decode()
    assert "Signerat av båda: låst" in page
    assert "Invändning godtagen" in page  # the history, in Swedish
    assert 'id="total-days">5<' in page and 'id="total-amount">46500<' in page
    assert 'name="days"' not in page  # nothing to dispute in a locked month

    pdf = kommun.get(url("basis_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == (
        'attachment; filename="fakturaunderlag-vb-per-episode-2480-2026-03.pdf"'
    )
    text = pdf_text(pdf.content, tmp_path)
    assert "Fakturaunderlag" in text
    assert "Signerat av båda: låst" in text
    assert "2480 Umeå" in text
    assert "U-1" in text and "U-2" in text
    assert "46500" in text
    assert "Kommunklar" in text  # the dispute's reason

    workbook = kommun.get(url("basis_xlsx"))
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[0] == "Vårdtillfälle"
    assert "Dagar med betalningsansvar" in header
    records = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert records["U-2"]["Dagar med betalningsansvar"] == 3  # the accepted correction
    assert records["U-2"]["Beräknade dagar med betalningsansvar"] == 5
    assert records["U-1"]["Belopp (kr)"] == 18600
    assert records["Summa"]["Belopp (kr)"] == 46500


def test_reading_and_downloading_a_basis_is_logged(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    client = login(personas.kommun_planner)
    client.get(url())
    client.get(url("basis_xlsx"))
    logged = AccessLogEntry.objects.filter(user=personas.kommun_planner)
    episodes = set(basis.lines.values_list("episode_id", flat=True))
    assert (
        set(logged.filter(action=AccessAction.VIEW).values_list("episode_id", flat=True))
        == episodes
    )
    assert (
        set(logged.filter(action=AccessAction.EXPORT).values_list("episode_id", flat=True))
        == episodes
    )


def test_the_liability_page_has_a_section_per_month_with_its_state(
    agreement: Agreement, admin: AbstractUser, personas: Personas, org_tree: OrgTree
) -> None:
    sign_both(admin, personas.kommun_planner, propose(admin, agreement, org_tree.umea, MARCH))
    period = {"agreement": "vb-per-episode", "from": "2026-03", "to": "2026-04"}
    page = login(personas.kommun_planner).get(reverse("payment:liability"), period)
    html = page.content.decode()
    assert 'id="basis-2480-2026-03"' in html and "Signerat av båda: låst" in html
    march = html[html.index('id="basis-2480-2026-03"') :].split("</tr>")[0]
    assert '<td class="num">7</td><td class="num">65100</td>' in march  # as signed
    assert 'id="basis-2480-2026-04"' in html and "Inte föreslaget" in html
    assert 'id="basis-2482-2026-03"' not in html  # another kommun's
    region_page = login(admin).get(reverse("payment:liability"), period).content.decode()
    # Every kommun of the region, two months each, but Umeå's signed March.
    kommuner = Kommun.objects.filter(code__startswith="24").count()
    assert region_page.count("Föreslå</button>") == 2 * kommuner - 1
    # The processledare sees the states but may not open a basis.
    lead = login(personas.processledare).get(reverse("payment:liability"), period)
    assert "Signerat av båda: låst" in lead.content.decode()
    assert "Öppna underlaget" not in lead.content.decode()
