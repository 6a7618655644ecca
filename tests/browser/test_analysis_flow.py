"""An analysis of delayed discharge in the browser, as its people use it: the processledare
opens the analysis the statistics started (from the notice on the start page), the ward and
the kommun each fill their column of patient 1's checklist, the processledare adds an
improvement action and downloads the PDF, which is read back with pdftotext.

March 2026 in Umeå (tests/analysis/analyses/conftest.py): Greta Lindqvist (6 ready days) and
Sven Holmberg (4) at the somatic ward with every message, Ingrid Nyström (5) at the
psychiatric ward; average 5.00 against the threshold 3.00.

With ``SVU_SCREENSHOTS=docs/screenshots`` the screenshots the README shows are written there
(the analysis page, a checklist, the PDF's first page at 80 dpi); otherwise to a temporary
directory, and checked for size.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from analysis.analyses.checklist import all_labels
from analysis.analyses.models import Analysis, ChecklistAnswer, ImprovementAction
from discharges.models import Episode
from discharges.personnummer import format_personnummer
from tests.analysis.analyses.conftest import (  # noqa: F401 - fixtures used by name
    agreement,
    full_stay,
    simple_stay,
    triggered,
)
from tests.analysis.analyses.pdftools import pdf_text, require_poppler
from tests.browser.conftest import PASSWORD

ACTION = "Kommunens biståndshandläggare planerar insatser även på fredagar."


@pytest.fixture
def people(
    full_stay: Callable[..., Episode],  # noqa: F811
    simple_stay: Callable[..., Episode],  # noqa: F811
    triggered: Callable[[], list[Analysis]],  # noqa: F811
    make_patient: Any,
    org_tree: Any,
) -> tuple[Analysis, list[Episode]]:
    greta = full_stay(date(2026, 3, 10), date(2026, 3, 16), make_patient(name="Greta Lindqvist"))
    sven = full_stay(date(2026, 3, 14), date(2026, 3, 18), make_patient(name="Sven Holmberg"))
    ingrid = simple_stay(
        date(2026, 3, 20),
        date(2026, 3, 25),
        ward=org_tree.psych_ward,
        patient=make_patient(name="Ingrid Nyström"),
    )
    [analysis] = triggered()
    return analysis, [greta, sven, ingrid]


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SVU_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_in(page: Page, base_url: str, user: Any) -> None:
    """Through the login form; each role lands on its own start page."""
    page.context.clear_cookies()
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))


def test_processledare_ward_and_kommun_work_an_analysis_to_its_pdf(
    page: Page,
    base_url: str,
    personas: Any,
    people: tuple[Analysis, list[Episode]],
    shots: Path,
    tmp_path: Path,
) -> None:
    require_poppler()
    analysis, episodes = people
    page.set_viewport_size({"width": 1366, "height": 900})
    processledare_opens_the_triggered_analysis(page, base_url, personas, episodes)
    ward_fills_its_column(page, base_url, personas)
    kommun_fills_its_column(page, base_url, personas, shots)
    processledare_adds_an_action(page, base_url, personas, shots)
    processledare_downloads_the_pdf(page, episodes, shots, tmp_path)
    columns = set(ChecklistAnswer.objects.values_list("column", "row"))
    assert columns == {
        ("ward", "sbar"), ("ward", "discharge_report_started"),
        ("kommun", "delay_capacity"), ("kommun", "kommun_units"),
    }  # fmt: skip
    assert ImprovementAction.objects.get().analysis == analysis


def processledare_opens_the_triggered_analysis(
    page: Page, base_url: str, personas: Any, episodes: list[Episode]
) -> None:
    """The notice on the start page leads to the analysis; names and personnummer show."""
    sign_in(page, base_url, personas.processledare)
    notices = page.locator("#analysis-notices")
    expect(notices).to_contain_text("1 ny analys av fördröjd hemgång")
    notices.get_by_role("link", name=re.compile("2480 Umeå · 2026-03")).click()
    expect(page.locator("h1")).to_have_text("2480 Umeå · 2026-03 · Alla vårdinriktningar")
    expect(page.locator("#patient-count")).to_have_text("3")
    patients = page.locator("#patients tbody tr")
    expect(patients).to_have_count(3)
    for row, episode in zip(patients.all(), episodes, strict=True):
        expect(row).to_contain_text(episode.patient.name)
        expect(row).to_contain_text(format_personnummer(episode.patient.personnummer))
    expect(page.locator("#figures")).to_contain_text("5,00")


def open_patient_one(page: Page) -> None:
    """From the menu to patient 1's checklist."""
    page.get_by_role("navigation").get_by_role("link", name="Analyser").click()
    expect(page.locator("h1")).to_have_text("Analyser av fördröjd hemgång")
    page.locator("#analyses").get_by_role("link", name="2480 Umeå").click()
    page.locator("#patients tbody tr").first.get_by_role("link").click()
    expect(page.locator("h1")).to_have_text("Checklista, patient 1")


def ward_fills_its_column(page: Page, base_url: str, personas: Any) -> None:
    sign_in(page, base_url, personas.ward_nurse)
    open_patient_one(page)
    page.select_option("#id_sbar-choice", "yes")
    page.fill("#id_sbar-comment", "SBAR muntligt till hemsjukvården")
    page.fill("#id_discharge_report_started-date", "2026-03-09")
    page.get_by_role("button", name="Spara min kolumn").click()
    expect(page.locator("ul.messages")).to_contain_text("Sparat: 2 svar ändrade.")
    ward_sbar = page.locator('#row-sbar td[data-column="ward"] .value')
    expect(ward_sbar).to_have_text("ja")
    expect(page.locator("#row-sbar td.comments")).to_contain_text(
        "Slutenvård: SBAR muntligt till hemsjukvården"
    )
    # Prefilled from the event log: the ready notice's klockslag in the ward's column.
    expect(page.locator('#row-ready_notice_time td[data-column="ward"]')).to_contain_text("10:35")


def kommun_fills_its_column(page: Page, base_url: str, personas: Any, shots: Path) -> None:
    sign_in(page, base_url, personas.kommun_planner)
    open_patient_one(page)
    # Without consent the kommun does not see the ward's column, and cannot write in it.
    expect(page.locator("#consent-notice")).to_be_visible()
    expect(page.locator('#row-admission_notice td[data-column="ward"]')).to_contain_text(
        "visas inte utan samtycke"  # for screen readers; the cell shows a dash
    )
    expect(page.locator('#row-sbar td[data-column="ward"] select')).to_have_count(0)
    expect(page.locator('#row-sbar td[data-column="kommun"] select')).to_have_count(1)
    page.select_option("#id_delay_capacity-choice", "yes")
    page.fill("#id_delay_capacity-comment", "Väntade på ledig korttidsplats")
    page.fill("#id_kommun_units-comment", "BHL, EC hemtjänst Ersboda")
    page.get_by_role("button", name="Spara min kolumn").click()
    expect(page.locator("ul.messages")).to_contain_text("Sparat: 2 svar ändrade.")
    expect(page.locator('#row-delay_capacity td[data-column="kommun"] .value')).to_have_text("ja")
    expect(page.locator("#units")).to_have_text("BHL, EC hemtjänst Ersboda")
    history = page.locator("#row-delay_capacity details.history")
    expect(history.locator("summary")).to_have_text("Historik (1 svar)")
    # The whole page in one viewport, so that the sticky save button sits at its foot.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1366, "height": height})
    page.screenshot(path=shots / "analys-checklista.png")
    page.set_viewport_size({"width": 1366, "height": 900})


def processledare_adds_an_action(page: Page, base_url: str, personas: Any, shots: Path) -> None:
    sign_in(page, base_url, personas.processledare)
    page.get_by_role("navigation").get_by_role("link", name="Analyser").click()
    page.locator("#analyses").get_by_role("link", name="2480 Umeå").click()
    form = page.locator("#action-form")
    form.locator("#id_text").fill(ACTION)
    form.locator("#id_responsible").select_option(label="Umeå")
    form.locator("#id_owner").fill("Enhetschef biståndshandläggning")
    form.locator("#id_due_date").fill((timezone.localdate() + timedelta(days=45)).isoformat())
    form.get_by_role("button", name="Lägg till åtgärden").click()
    expect(page.locator("ul.messages")).to_contain_text("Åtgärden är tillagd.")
    expect(page.locator("#actions tbody")).to_contain_text(ACTION)
    answered = page.locator("#patients tbody tr").first.locator("td").nth(6)
    expect(answered).to_have_text("4")  # ward: 2 rows, kommun: 2 rows
    page.screenshot(path=shots / "analys.png", full_page=True)


def processledare_downloads_the_pdf(
    page: Page, episodes: list[Episode], shots: Path, tmp_path: Path
) -> None:
    """Three patients: the PDF comes at once (more than 20 go through the Celery task)."""
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Skapa PDF").click()
    download = download_info.value
    assert download.suggested_filename == "analys-fordrojd-hemgang-2480-2026-03-all.pdf"
    path = tmp_path / "analys.pdf"
    download.save_as(path)
    text = re.sub(r"\s+", " ", pdf_text(path.read_bytes(), tmp_path))
    squashed = re.sub(r"\s+", "", text)
    with translation.override("sv"):
        assert all(re.sub(r"\s+", "", label) in squashed for label in all_labels())
    for episode in episodes:
        assert format_personnummer(episode.patient.personnummer) in text
    assert "Väntade på ledig korttidsplats" in text and "SBAR muntligt" in text
    assert re.sub(r"\s+", "", ACTION) in squashed
    subprocess.run(  # noqa: S603
        ["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "1", "-singlefile",  # noqa: S607
         str(path), str(shots / "analys-pdf")],
        check=True,
    )  # fmt: skip
    for name in ("analys.png", "analys-checklista.png", "analys-pdf.png"):
        size = (shots / name).stat().st_size
        assert 10_000 < size < 300_000, (name, size)
