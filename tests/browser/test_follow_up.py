"""The monthly follow-up and the payment liability in the browser, for a kommun planner.

History is imported as a region would move it in (``discharges.imports.import_csv``, authored
by the region's integration account), the statistics are computed and the Västerbotten
agreement is loaded from its TOML file. Months are counted back from today so that the
dashboard's default window (the last 12 months) shows them:

- months 4, 3 and 2 back: one episode each with 4 ready days (average 4.00, over 3.0);
- month 1 back: three episodes with 0, 2 and 5 ready days: 7 days / 3 = 2.33 on average
  (same-day discharges count, R2), 3.50 on the national measure (7 / 2). After three months
  over, Umeå is liable from this month (R4), so all 7 ready days are liable (R6).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, override
from playwright.sync_api import Locator, Page, expect

from analysis.models import MonthlyStatistic
from analysis.statistics import compute_statistics
from discharges.imports import REQUIRED_COLUMNS, import_csv
from payment.loader import load_agreement
from payment.models import DailyAmount
from payment.rules import month_start

AGREEMENT = Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml"
# The invoice basis as people download it: Swedish headers, ";", decimal comma, a BOM.
HEADER = ";".join(
    (
        "Kommunkod", "Kommun", "Vårdform", "Månad", "Utskrivna vårdtillfällen",
        "Utskrivningsklara dagar", "Medelvärde utskrivningsklara dagar",
        "Vårdtillfällen med 3 eller fler dagar", "Betalningsansvar",
        "Dagar med betalningsansvar", "Belopp (kr)",
    )
)  # fmt: skip


def months_back(count: int) -> date:
    month = month_start(timezone.localdate())
    for _ in range(count):
        month = month_start(month - timedelta(days=1))
    return month


def sv(text: str) -> str:
    """``text`` as the Swedish pages show it (the msgid itself while it is untranslated)."""
    with override("sv"):
        return gettext(text)


def history_csv(numbers: Iterator[str]) -> tuple[str, dict[str, Any]]:
    """The CSV and the hand-computed figures of the month one back."""
    rows: list[dict[str, str]] = []

    def episode(month: date, ready_day: int, discharge_day: int) -> None:
        n = len(rows) + 1
        ready = month.replace(day=ready_day)
        rows.append(
            {
                "episode_id": f"VB-{n:03d}",
                "personnummer": next(numbers),
                "kommun": "2480",
                "care_type": "somatik",
                "admitted_at": f"{month:%Y-%m}-01T08:00",
                "admission_notice_at": f"{month:%Y-%m}-01T10:00",
                "preliminary_ready_date": ready.isoformat(),
                "ready_date": ready.isoformat(),
                "ready_notice_at": f"{ready.isoformat()}T09:00",
                "sip_needed": "",
                "sip_invitation_at": "",
                "discharged_at": f"{month.replace(day=discharge_day).isoformat()}T14:00",
            }
        )

    for back in (4, 3, 2):
        episode(months_back(back), 5, 9)  # 4 ready days
    for discharge_day in (3, 5, 8):
        episode(months_back(1), 3, discharge_day)  # 0, 2 and 5 ready days
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=REQUIRED_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue(), {"month": months_back(1), "episodes": 3, "ready_days": 7}


@pytest.fixture
def follow_up_data(personas: Any, new_personnummer: Any) -> dict[str, Any]:
    numbers = iter([new_personnummer() for _ in range(6)])
    text, expected = history_csv(numbers)
    result = import_csv(text)
    assert result.created == 6
    compute_statistics()
    agreement, _created = load_agreement(AGREEMENT)
    agreement.refresh_from_db()  # the stored values (threshold_days a Decimal)
    # The TOML file carries placeholder amounts up to a fixed year; past it, the test plays the
    # systemförvaltare entering the year's amount (R8: the amount is data).
    year = expected["month"].year
    amount, _ = DailyAmount.objects.get_or_create(
        agreement=agreement, year=year, defaults={"amount_sek": 9300}
    )
    expected["amount_sek"] = 7 * amount.amount_sek
    expected["agreement"] = agreement
    return expected


def test_planner_follows_up_month_and_liability(
    page: Page,
    base_url: str,
    login: Any,
    personas: Any,
    follow_up_data: dict[str, Any],
    tmp_path: Path,
) -> None:
    month = follow_up_data["month"]
    stat = MonthlyStatistic.objects.get(kommun__code="2480", care_type="all", month=month)
    assert (stat.episodes, stat.ready_days, stat.average) == (3, 7, Decimal("2.33"))

    login(page, personas.kommun_planner)
    follow_up_umea(page, base_url, month)
    liable = liability_of_six_months(page, base_url, month, follow_up_data["amount_sek"], tmp_path)
    download_invoice_basis(page, month, follow_up_data["amount_sek"])
    explain_the_liable_month(page, liable, month)


def follow_up_umea(page: Page, base_url: str, month: date) -> None:
    """Uppföljning: the overview, then Umeå's page month by month."""
    nav = page.get_by_role("navigation", name="Huvudmeny")
    nav.get_by_role("link", name=sv("Follow-up"), exact=True).click()
    page.wait_for_url(f"{base_url}/follow-up/")
    expect(page.locator("h1")).to_have_text(sv("Monthly follow-up"))
    umea = page.locator("#karta tbody tr", has_text="Umeå")
    expect(umea).to_contain_text("2,33")  # the heat map's table, Swedish decimal comma
    page.locator("#kommuner tbody tr", has_text="Umeå").get_by_role("link", name="Umeå").click()
    page.wait_for_url(re.compile(r"/follow-up/kommun/2480/\?from=\d{4}-\d{2}&to=\d{4}-\d{2}"))
    expect(page.locator("h1")).to_have_text("Umeå")

    row = page.locator("#manader tbody tr", has_text=f"{month:%Y-%m}")
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text("3")  # discharged
    expect(cells.nth(1)).to_have_text("7")  # ready days
    expect(cells.nth(2)).to_have_text("2,33")  # 7 / 3, same-day discharge included
    expect(cells.nth(2)).not_to_have_class(re.compile("over"))
    expect(cells.nth(3)).to_have_text("3,50")  # national: 7 / 2
    expect(cells.nth(4)).to_have_text("1")  # 3+ days
    expect(cells.nth(5)).to_have_text("33\u00a0%")  # same day
    over = page.locator("#manader tbody tr", has_text=f"{months_back(2):%Y-%m}")
    expect(over.locator("td").nth(2)).to_have_text("4,00 ▲")
    expect(over.locator("td").nth(2)).to_have_class(re.compile("over"))
    assert "personnummer" not in page.content().lower()  # aggregates only


def liability_of_six_months(
    page: Page, base_url: str, month: date, amount_sek: int, tmp_path: Path
) -> Locator:
    """Betalningsansvar, for the six months up to this one; returns ``month``'s (liable) row."""
    first, last = months_back(5), months_back(0)
    page.get_by_role("navigation").get_by_role("link", name="Betalningsansvar", exact=True).click()
    page.wait_for_url(f"{base_url}/liability/")
    expect(page.locator("h1")).to_have_text("Betalningsansvar")
    period = page.locator(".filters form")
    period.locator("#from").fill(f"{first:%Y-%m}")
    period.locator("#to").fill(f"{last:%Y-%m}")
    period.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf"from={first:%Y-%m}&to={last:%Y-%m}$"))
    rows = page.locator("#liability-rows tbody tr")
    expect(rows).to_have_count(6)
    liable = rows.filter(has_text=f"{month:%Y-%m}")
    cells = liable.locator("td")
    expect(cells.nth(0)).to_have_text("Umeå")  # the name, not the code
    expect(cells.nth(3)).to_have_text("3")
    expect(cells.nth(4)).to_have_text("7")
    expect(cells.nth(5)).to_have_text("2,33")
    expect(cells.nth(7)).to_have_class("state-liable")
    expect(cells.nth(7)).to_have_text(sv("Liable"))
    expect(cells.nth(8)).to_have_text("7")
    kronor = f"{amount_sek:,}".replace(",", "\u00a0") + "\u00a0kr"  # 65 100 kr
    expect(cells.nth(9)).to_have_text(kronor)
    free = rows.filter(has_text=f"{months_back(2):%Y-%m}")
    expect(free.locator("td").nth(7)).to_have_class("state-free")
    expect(free.locator("td").nth(8)).to_have_text("0")
    expect(page.locator("#liability-rows tfoot")).to_contain_text(kronor)
    page.screenshot(path=tmp_path / "liability.png", full_page=True)
    assert (tmp_path / "liability.png").stat().st_size > 10_000
    return liable


def download_invoice_basis(page: Page, month: date, amount: int) -> None:
    """The invoice basis of the six months as CSV."""
    first, last = months_back(5), months_back(0)
    with page.expect_download() as download_info:
        page.locator('a[href*="export.csv"]:not([href*="detail=1"])').click()
    download = download_info.value
    assert download.suggested_filename == (
        f"fakturaunderlag-vasterbotten-{first:%Y-%m}-{last:%Y-%m}.csv"
    )
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Swedish Excel needs for UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert len(lines) == 7
    liable, free = sv("Liable"), sv("Free")
    assert f"2480;Umeå;Alla;{month:%Y-%m};3;7;2,33;1;{liable};7;{amount}" in lines
    assert f"2480;Umeå;Alla;{months_back(2):%Y-%m};1;4;4,00;1;{free};0;0" in lines


def explain_the_liable_month(page: Page, liable: Locator, month: date) -> None:
    """Varför? The month's state explained, with the episodes behind it."""
    liable.get_by_role("link", name=sv("Why?")).click()
    page.wait_for_url(re.compile(rf"/liability/vasterbotten/2480/all/{month:%Y-%m}/$"))
    expect(page.locator("h1")).to_have_text(f"2480 Umeå · {month:%Y-%m}")
    with override("sv"):
        because = gettext(
            "Liable: the %(n)s months before were over %(t)s days on average in a row."
        ) % {"n": 3, "t": "3,00"}  # the threshold with a Swedish decimal comma
    expect(page.locator("#month-explanation")).to_contain_text(because)
    history = page.locator("#state-history tbody tr")
    expect(history.filter(has_text=f"{months_back(4):%Y-%m}").locator("td").nth(5)).to_have_class(
        "state-free"
    )
    expect(history.last.locator("td").nth(0)).to_have_text(f"{month:%Y-%m}")
    expect(history.last.locator("td").nth(5)).to_have_class("state-liable")
    episodes = page.locator("details.action")
    expect(episodes).to_have_count(3)
    total_liable = sum(
        int(re.search(r"(\d+) " + re.escape(sv("liable days")), text).group(1))
        for text in episodes.locator("summary").all_inner_texts()
    )
    assert total_liable == 7


def test_follow_up_pages_are_in_swedish(
    page: Page, base_url: str, login: Any, personas: Any, follow_up_data: dict[str, Any]
) -> None:
    login(page, personas.kommun_planner)
    month = follow_up_data["month"]
    english = ["Follow-up", "Monthly follow-up", "Average", "Why?", "Liable", "Total"]
    for path in (
        "/follow-up/?kommun=2480",
        "/liability/",
        f"/liability/vasterbotten/2480/all/{month:%Y-%m}/",
    ):
        page.goto(f"{base_url}{path}")
        text = page.locator("body").inner_text()
        leftovers = [word for word in english if re.search(rf"(?<!\w){re.escape(word)}", text)]
        assert not leftovers, f"{path}: English left: {leftovers}"


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (768, 1024)])
def test_the_liability_tables_fit_without_sideways_scrolling(
    page: Page,
    base_url: str,
    login: Any,
    personas: Any,
    follow_up_data: dict[str, Any],
    width: int,
    height: int,
) -> None:
    """Issue 15: the invoice basis's last column ("Varför?") was cut off at 1366 px, and the
    table scrolled sideways on a 768 px tablet; the month page's history table too."""
    from tests.browser.a11y import sideways_overflow

    month = follow_up_data["month"]
    page.set_viewport_size({"width": width, "height": height})
    login(page, personas.kommun_planner)
    # The longest cells: a liable month's state and amount, over a year of rows.
    page.goto(f"{base_url}/liability/?from={months_back(11):%Y-%m}&to={months_back(0):%Y-%m}")
    expect(page.locator("#liability-rows tbody tr")).to_have_count(12)
    assert sideways_overflow(page) == []
    why = page.locator("#liability-rows tbody tr", has_text=f"{month:%Y-%m}").get_by_role(
        "link", name=sv("Why?")
    )
    box = why.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    why.click()
    page.wait_for_url(re.compile(rf"/liability/vasterbotten/2480/all/{month:%Y-%m}/$"))
    expect(page.locator("#state-history")).to_be_visible()
    assert sideways_overflow(page) == []
