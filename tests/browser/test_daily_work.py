"""Issue 11 in the browser: the daily work pages as a ward nurse, a hälsocentral coordinator and a
kommun planner meet them.

- The worklist sorted by urgency, days waiting, one-click kvittera alla and acknowledgement of
  the proposed homecoming.
- The ward proposes the homecoming with the ready notice, the kommun acknowledges it with one
  click, the ward is warned when it discharges before the agreed time.
- A new episode from a found patient; the list finds an episode by its reference.
- An en-US browser gets Swedish and ISO dates; the worklist updates itself within 60 s.
- No sideways scrolling at 1366 x 768 and 768 x 1024, a skip link and a focus ring, and no serious
  or critical WCAG 2.1 AA violation (axe-core) on the worklists, the episode page, the register
  form, the liability and the follow-up pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from discharges import services
from discharges.models import Episode, EpisodeStatus, Receipt
from discharges.personnummer import format_personnummer
from tests.browser.a11y import axe_violations, sideways_overflow

EPISODE_URL = re.compile(r"/episodes/(\d+)/$")
SIZES = [(1366, 768), (768, 1024)]


def minute(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def worklist_row(page: Page, episode: Episode) -> Any:
    return page.locator(f"#episode-{episode.pk}")


def test_the_kommun_worklist_is_sorted_and_acts_in_one_click(
    page: Page,
    login: Any,
    personas: Any,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    today = timezone.localdate()
    later = advance(make_episode(), "noticed")
    waiting = advance(
        make_episode(admitted_at=timezone.now() - timedelta(days=6)),
        "ready",
        ready_date=today - timedelta(days=4),
    )
    proposed_episode = advance(make_episode(), "ready", ready_date=today)
    proposed = (timezone.localtime() + timedelta(days=1)).replace(
        hour=14, minute=0, second=0, microsecond=0
    )
    services.propose_homecoming(
        actor=personas.ward_actor, episode=proposed_episode, homecoming_at=proposed
    )

    login(page, personas.kommun_planner)
    ids = page.locator("table.worklist tr[id]").evaluate_all("rows => rows.map(r => r.id)")
    assert ids == [f"episode-{e.pk}" for e in (waiting, proposed_episode, later)]
    groups = page.locator("table.worklist tr.group").all_inner_texts()
    assert groups == ["Försenat", "Ska göras i dag", "Senare eller utan tidsfrist"]
    row = worklist_row(page, waiting)
    expect(row).to_contain_text("4 dagar")
    expect(row).to_contain_text("3 dagar eller fler")
    expect(row).to_contain_text("försenad")

    # One click acknowledges the ward's proposed time.
    button = worklist_row(page, proposed_episode).get_by_role(
        "button", name=f"Bekräfta hemgång {minute(proposed)}"
    )
    button.click()
    expect(page.locator("ul.messages")).to_contain_text("Skickat: Tid för hemgång uppfattad.")
    expect(page.locator("h1")).to_have_text("Att göra")
    proposed_episode.refresh_from_db()
    assert proposed_episode.homecoming_at == proposed
    expect(worklist_row(page, proposed_episode).get_by_role("button", name=re.compile("^Bekräfta"))
           ).to_have_count(0)  # fmt: skip

    # Kvittera alla: the admission and ready notices at once.
    worklist_row(page, waiting).get_by_role(
        "button", name=re.compile("^Kvittera alla \\(2\\)")
    ).click()
    expect(page.locator("ul.messages")).to_contain_text(
        f"SVU-{waiting.pk}: 2 meddelanden kvitterade."
    )
    assert (
        Receipt.objects.filter(
            event__episode=waiting, organisation=personas.kommun_actor.organisation
        ).count()
        == 2
    )
    expect(worklist_row(page, waiting).get_by_role("button", name=re.compile("^Kvittera"))
           ).to_have_count(0)  # fmt: skip


def test_homecoming_proposed_acknowledged_and_discharge_warned(
    page: Page,
    browser: Any,
    browser_context_args: dict[str, Any],
    base_url: str,
    login: Any,
    personas: Any,
    episode: Episode,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "noticed")
    url = f"{base_url}/episodes/{episode.pk}/"
    proposed = (timezone.localtime() + timedelta(hours=3)).replace(second=0, microsecond=0)

    # The ward: the ready notice with a proposed time, typed as 2026-11-29 14:02.
    login(page, personas.ward_nurse)
    page.goto(url)
    page.locator("details:has(#form-ready_notice) > summary").click()
    form = page.locator("#form-ready_notice")
    form.locator("[name=ready_date]").fill(timezone.localdate().isoformat())
    form.get_by_label("Föreslagen tid för hemgång").fill(minute(proposed))
    expect(form.locator("details.backdate")).not_to_have_attribute("open", "")
    form.get_by_role("button", name="Skicka").click()
    page.wait_for_url(url)
    expect(page.locator("#proposed-homecoming")).to_have_text(minute(proposed))

    # The kommun, in its own browser: one click on the episode page.
    context = browser.new_context(**browser_context_args)
    try:
        kommun = context.new_page()
        login(kommun, personas.kommun_planner)
        kommun.goto(url)
        kommun.locator("#accept-homecoming").get_by_role(
            "button", name=f"Bekräfta hemgång {minute(proposed)}"
        ).click()
        kommun.wait_for_url(url)
        expect(kommun.locator("#agreed-homecoming")).to_have_text(minute(proposed))
    finally:
        context.close()

    # The ward sees the agreed time and is warned when discharging before it.
    page.goto(url)
    expect(page.locator("#agreed-homecoming")).to_have_text(minute(proposed))
    page.locator("details:has(#form-discharge) > summary").click()
    form = page.locator("#form-discharge")
    expect(form.get_by_label("Boende efter utskrivning")).to_have_value("")
    form.get_by_label("Boende efter utskrivning").select_option(label="Ordinärt boende")
    form.get_by_role("button", name="Skicka").click()
    warning = page.locator("#form-discharge .warning")
    expect(warning).to_contain_text("före den överenskomna tiden för hemgång")
    expect(warning).to_contain_text(minute(proposed))
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.READY
    page.locator("#form-discharge").get_by_role("button", name="Skicka ändå").click()
    page.wait_for_url(url)
    expect(page.locator(".status")).to_have_text("Utskriven")
    assert Episode.objects.get(pk=episode.pk).status == EpisodeStatus.DISCHARGED


def test_a_found_patient_gets_a_new_episode_and_a_reference_is_found(
    page: Page,
    base_url: str,
    login: Any,
    personas: Any,
    org_tree: Any,
    episode: Episode,
    advance: Callable[..., Episode],
    url_log: Any,
    assert_no_personnummer: Any,
) -> None:
    advance(episode, "discharged")
    number = episode.patient.personnummer
    requests = url_log(page)
    login(page, personas.ward_nurse)

    # The list finds the old episode by its reference.
    page.get_by_role("navigation").get_by_role("link", name="Vårdtillfällen").click()
    page.get_by_label("Namn, referens eller id").fill(f"SVU-{episode.pk}")
    page.get_by_role("button", name="Filtrera").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("Greta Lindqvist")

    # The personnummer search, then a new episode for the patient, filled in.
    search = page.locator("form", has=page.locator("#id_personnummer"))
    search.locator("#id_personnummer").fill(format_personnummer(number))
    search.get_by_role("button", name="Sök").click()
    page.get_by_role("link", name="Nytt vårdtillfälle för patienten").click()
    expect(page.locator("h1")).to_have_text("Registrera vårdtillfälle")
    expect(page.locator("#known-patient")).to_be_visible()
    expect(page.get_by_label("Namn")).to_have_value("Greta Lindqvist")
    expect(page.get_by_label("Namn")).to_be_disabled()
    expect(page.get_by_label("Folkbokföringsadress")).to_have_value("Storgatan 1, 903 26 Umeå")
    kommun = page.get_by_label("Folkbokföringskommun")
    expect(kommun.locator("option:checked")).to_have_text("Umeå (2480)")
    expect(kommun.locator("optgroup").first).to_have_attribute(
        "label", re.compile("^Kommuner i .*Västerbotten")
    )
    expect(page.get_by_label("Listad på hälsocentral").locator("option:checked")).to_have_text(
        org_tree.hc_umea.name
    )
    admitted = page.get_by_label("Inskriven")
    expect(admitted).to_have_value(re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$"))
    page.get_by_label("Typ av inskrivning").select_option(label="Akut")
    page.get_by_role("button", name="Registrera för denna patient").click()
    page.wait_for_url(EPISODE_URL)
    new_id = int(EPISODE_URL.search(page.url).group(1))  # type: ignore[union-attr]
    assert new_id != episode.pk
    created = Episode.objects.get(pk=new_id)
    assert (created.patient_id, created.kommun_id) == (episode.patient_id, org_tree.umea.pk)
    assert_no_personnummer(requests, number)


def test_an_english_browser_gets_swedish_and_the_worklist_updates_itself(
    browser: Any,
    browser_context_args: dict[str, Any],
    base_url: str,
    login: Any,
    personas: Any,
    make_episode: Callable[..., Episode],
    advance: Callable[..., Episode],
) -> None:
    first = advance(make_episode(), "ready")
    english = {**browser_context_args, "locale": "en-US"}
    context = browser.new_context(**english, extra_http_headers={"Accept-Language": "en-US,en"})
    try:
        page = context.new_page()
        page.clock.install()
        login(page, personas.kommun_planner)  # it expects "Att göra"
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        expect(page.locator("table.worklist tr[id]")).to_have_count(1)
        expect(worklist_row(page, first)).to_be_visible()

        arrived = advance(make_episode(), "noticed")  # a new admission notice meanwhile
        page.clock.run_for(59_000)
        expect(worklist_row(page, arrived)).to_have_count(0)
        page.clock.run_for(2_000)
        expect(worklist_row(page, arrived)).to_be_visible()
        expect(worklist_row(page, arrived).locator(".badge-new")).to_have_text("Ny")
        expect(worklist_row(page, first).locator(".badge-new")).to_have_count(0)
        expect(page.locator("#worklist-updated")).to_contain_text("2 patienter väntar på dig")

        # Dates in the forms read 2026-11-29 whatever the browser's language.
        page.goto(f"{base_url}/episodes/{first.pk}/")
        page.locator("details:has(#form-homecoming_acknowledged) > summary").click()
        field = page.locator("#form-homecoming_acknowledged").get_by_label(
            "Överenskommen tid för hemgång"
        )
        expect(field).to_have_attribute("placeholder", "ÅÅÅÅ-MM-DD TT:MM")
        expect(field).to_have_attribute("type", "text")
    finally:
        context.close()


def check_page(page: Page, url: str, name: str) -> None:
    """No sideways scroll at both sizes; no serious or critical axe violation."""
    page.goto(url)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert sideways_overflow(page) == [], f"{name} at {width}px"
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    assert axe_violations(page) == [], name


def test_the_daily_pages_fit_both_sizes_and_pass_axe(
    page: Page,
    browser: Any,
    browser_context_args: dict[str, Any],
    base_url: str,
    login: Any,
    personas: Any,
    episode: Episode,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, "sip_invited")
    services.propose_homecoming(
        actor=personas.ward_actor, episode=episode, homecoming_at=timezone.now() + timedelta(1)
    )
    login(page, personas.ward_nurse)
    # A skip link first, and a visible focus ring.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    check_page(page, f"{base_url}/", "ward worklist")
    check_page(page, f"{base_url}/episodes/{episode.pk}/", "episode page")
    button = page.locator("#messages button").first
    button.focus()
    outline = button.evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline != "none"
    check_page(page, f"{base_url}/episodes/new/", "register form")
    expect(page.get_by_label("Personnummer")).to_be_focused()  # the first field, no Tab

    for persona, pages in (
        ("hc_coordinator", [("/", "health centre worklist")]),
        (
            "kommun_planner",
            [("/", "kommun worklist"), ("/liability/", "liability"), ("/follow-up/", "follow-up")],
        ),
    ):
        context = browser.new_context(**browser_context_args)
        try:
            other = context.new_page()
            login(other, getattr(personas, persona))
            for path, name in pages:
                check_page(other, f"{base_url}{path}", name)
        finally:
            context.close()
