"""The follow-up dashboards in the browser, as a member of the partssammansatt grupp: the login
lands on the overview, which fits a 1366x768 screen without sideways scrolling (and a 768-pixel
tablet, its wide tables scrolling inside their own box); the period and the care type change
it; the kommun table downloads as CSV and XLSX with the stored figures; a kommun page opens.

The data is the seeded region of tests/analysis/dashboard_data.py (stored statistics and
liability, as the statistics run leaves them). Screenshots go to pytest's tmp_path, or to
``SVU_SCREENSHOTS`` (e.g. docs/screenshots) when set: the README shows those.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from analysis.models import MonthlyStatistic
from tests.analysis.dashboard_data import Seeded, seed_region

NBSP = "\u00a0"


@pytest.fixture
def seeded(personas: Any) -> Seeded:
    return seed_region()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SVU_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, path: Path) -> None:
    page.screenshot(path=path)
    assert 20_000 < path.stat().st_size < 300_000, f"{path.name}: {path.stat().st_size} bytes"


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page is {width} px wide in a {viewport} px window"


def test_group_member_follows_up_the_region(
    page: Page, base_url: str, login: Any, personas: Any, seeded: Seeded, shots: Path
) -> None:
    page.set_viewport_size({"width": 1366, "height": 768})
    member = personas.joint_group
    member.first_name, member.last_name = "Göran", "Lundqvist"  # as the header names people
    member.save(update_fields=["first_name", "last_name"])
    login(page, member)  # lands on the overview
    overview_fits_and_hides_small_cells(page, seeded)
    screenshot(page, shots / "overview.png")
    heat = page.locator("section.chart-section").first
    heat.screenshot(path=shots / "heat-map.png")
    assert (shots / "heat-map.png").stat().st_size < 300_000
    change_period_and_care_type(page, seeded)
    download_csv_and_xlsx(page, seeded)
    open_a_kommun(page, seeded, shots)
    page.set_viewport_size({"width": 768, "height": 1024})
    page.goto(f"{base_url}/follow-up/")
    no_sideways_scroll(page)
    expect(page.locator("svg.heat-map").first).to_be_visible()


def overview_fits_and_hides_small_cells(page: Page, seeded: Seeded) -> None:
    nav = page.get_by_role("navigation", name="Huvudmeny")
    menu = nav.get_by_role("link").all_inner_texts()
    assert "Uppföljning" in menu and "Betalningsansvar" in menu
    assert "Att göra" not in menu and "Vårdtillfällen" not in menu  # always empty for the group
    expect(page.locator(".heading .scope")).to_contain_text("alla vårdformer")
    no_sideways_scroll(page)
    table = page.locator("#kommuner")
    last_header = table.locator("thead th").last
    box = last_header.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 1366  # the last column on screen
    umea = table.locator("tbody tr", has_text="Umeå")
    expect(umea.locator("td").nth(10)).to_have_text(f"260{NBSP}400{NBSP}kr")
    expect(page.locator("#kommuner tfoot th")).to_have_text("Region Västerbotten")
    bjurholm = page.locator("#karta tbody tr", has_text="Bjurholm")
    expect(bjurholm.locator("td").last).to_have_text("<5")  # 1 episode: hidden from the group
    expect(page.locator("svg.heat-map").first).to_contain_text("3,63 ▲")  # Umeå, over 3,0
    expect(page.locator(".multiples figure")).to_have_count(15)


def change_period_and_care_type(page: Page, seeded: Seeded) -> None:
    first = seeded.back(6)
    page.locator("#from").fill(f"{first:%Y-%m}")
    page.locator("#care_type").select_option("psykiatri")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(rf"from={first:%Y-%m}&to={seeded.last:%Y-%m}&care_type=psykiatri"))
    expect(page.locator("#karta thead th")).to_have_count(1 + 6)
    expect(page.locator(".heading .scope")).to_contain_text("psykiatri")
    page.get_by_role("link", name="24 månader").click()
    page.wait_for_url(re.compile(r"care_type=psykiatri"))
    expect(page.locator("#karta thead th")).to_have_count(1 + 24)
    expect(page.locator("svg.heat-map")).to_have_count(len({m[:4] for m in heat_months(page)}))
    no_sideways_scroll(page)
    page.locator("#care_type").select_option("all")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url(re.compile(r"care_type=all"))


def heat_months(page: Page) -> list[str]:
    return page.locator("#karta thead th").all_text_contents()[1:]


def download_csv_and_xlsx(page: Page, seeded: Seeded) -> None:
    months = heat_months(page)
    stats = MonthlyStatistic.objects.filter(
        kommun__code="2480", care_type="all", month__gte=f"{months[0]}-01",
        month__lte=f"{months[-1]}-01",
    )
    episodes = sum(s.episodes for s in stats)
    downloads = page.locator("#kommuner").locator("xpath=../following-sibling::p[1]")
    with page.expect_download() as csv_info:
        downloads.get_by_role("link", name="CSV").click()
    body = Path(csv_info.value.path()).read_bytes()
    assert csv_info.value.suggested_filename.endswith("-alla.csv")
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    umea = next(r for r in rows if r[1] == "2480")
    assert (umea[0], int(umea[2])) == ("Umeå", episodes)
    with page.expect_download() as xlsx_info:
        downloads.get_by_role("link", name="Excel (XLSX)").click()
    assert xlsx_info.value.suggested_filename.endswith("-alla.xlsx")
    sheet = load_workbook(io.BytesIO(Path(xlsx_info.value.path()).read_bytes())).active
    assert sheet is not None
    values = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "2480")
    assert values[:3] == ("Umeå", "2480", episodes)


def open_a_kommun(page: Page, seeded: Seeded, shots: Path) -> None:
    page.locator("#kommuner tbody tr", has_text="Skellefteå").get_by_role(
        "link", name="Skellefteå"
    ).click()
    page.wait_for_url(re.compile(r"/follow-up/kommun/2482/"))
    expect(page.locator("h1")).to_have_text("Skellefteå")
    small = page.locator("#manader tbody tr", has_text=f"{seeded.back(2):%Y-%m}")
    expect(small.locator("td").first).to_have_text("<5")  # 2 episodes: not for the group
    expect(page.locator("#indikatorer thead th")).to_have_count(11)
    no_sideways_scroll(page)
    screenshot(page, shots / "kommun.png")
    page.get_by_role("link", name="← Alla kommuner").click()
    page.wait_for_url(re.compile(r"/follow-up/\?from="))
