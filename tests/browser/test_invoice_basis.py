"""The signed invoice basis and the deviations in a browser (issue 14): the kommun disputes a
line on the basis page and signs after the region, the liability page shows the month locked;
a deviation is filed and answered on the episode page. Each page fits 1366x768 and 768x1024
without sideways scroll and has no serious or critical axe violation."""

# ruff: noqa: F401, F811 (fixtures imported from tests.payment.signing_data are parameters)
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import AbstractUser
from playwright.sync_api import Page, expect

from discharges.models import Episode
from payment.models import Agreement
from payment.signing import REGION, propose, sign
from tests.browser.a11y import axe_violations, sideways_overflow
from tests.conftest import OrgTree, Personas
from tests.payment.signing_data import MARCH, admin, agreement

SIZES = [(1366, 768), (768, 1024)]


def check(page: Page, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        overflow = sideways_overflow(page)
        assert overflow == [], f"{name} at {width}px: {overflow}"
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    assert axe_violations(page) == [], name


def test_the_kommun_disputes_and_signs_the_basis(
    page: Page,
    base_url: str,
    login: Any,
    personas: Personas,
    agreement: Agreement,
    admin: AbstractUser,
    org_tree: OrgTree,
) -> None:
    basis = propose(admin, agreement, org_tree.umea, MARCH)
    u2 = basis.lines.get(reference="U-2")
    login(page, personas.kommun_planner)
    page.goto(f"{base_url}/liability/basis/vb-per-episode/2480/2026-03/")
    check(page, "basis page")
    page.select_option("#dispute-line", str(u2.pk))
    page.fill("#dispute-days", "3")
    page.fill("#dispute-reason", "Kommunklar 03-14")
    page.get_by_role("button", name="Invänd", exact=True).click()
    expect(page.locator("#basis-state h2")).to_contain_text("Ifrågasatt av kommunen")
    expect(page.locator("#basis-disputes")).to_contain_text("Kommunklar 03-14")
    [dispute] = list(basis.lines.get(pk=u2.pk).disputes.all())
    from payment.signing import answer

    answer(admin, basis.pk, dispute.pk, accept=False, reason="Nej")
    sign(admin, basis.pk, REGION)
    page.reload()
    page.locator("#sign-kommun").click()
    expect(page.locator("#basis-locked")).to_be_visible()
    check(page, "locked basis page")
    page.goto(f"{base_url}/liability/?agreement=vb-per-episode&from=2026-03&to=2026-04")
    expect(page.locator("#basis-2480-2026-03")).to_contain_text("Signerat av båda: låst")
    # The page's own table of months (11 columns) is wider than 768 px with a year of rows,
    # before this section; the section's table scrolls inside its box.
    page.set_viewport_size({"width": 768, "height": 1024})
    box = page.locator("#invoice-bases").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 768
    page.set_viewport_size({"width": 1366, "height": 768})
    assert axe_violations(page) == [], "liability page with the bases"


def test_a_deviation_is_filed_and_answered_on_the_episode_page(
    page: Page,
    browser: Any,
    browser_context_args: dict[str, Any],
    base_url: str,
    login: Any,
    personas: Personas,
    episode: Episode,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    login(page, personas.ward_nurse)
    page.goto(f"{base_url}/episodes/{episode.pk}/")
    page.get_by_text("Anmäl en avvikelse").click()
    page.select_option("#deviation-category", "missing_information")
    page.fill("#deviation-description", "Svaret saknade uppgift om hemtjänst")
    page.get_by_role("button", name="Anmäl avvikelse").click()
    expect(page.locator("#deviations")).to_contain_text("Svaret saknade uppgift om hemtjänst")
    check(page, "episode page with a deviation")

    context = browser.new_context(**browser_context_args)
    try:
        other = context.new_page()
        login(other, personas.kommun_planner)
        other.goto(f"{base_url}/episodes/{episode.pk}/")
        other.get_by_label("Svar", exact=True).fill("Kompletterat")
        other.get_by_role("button", name="Skicka svar").click()
        expect(other.locator("#deviations")).to_contain_text("Kompletterat")
        other.goto(f"{base_url}/deviations/")
        expect(other.locator("#deviation-list")).to_contain_text("Information saknas")
        check(other, "deviation list")
    finally:
        context.close()
