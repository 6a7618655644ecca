"""The discharge flow in the browser: the ward registers and notifies, the kommun answers and
acknowledges, another kommun is refused, and a stale form is caught (409)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.utils import timezone
from playwright.sync_api import Page, expect

from discharges.models import (
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    Patient,
    Receipt,
)
from discharges.personnummer import format_personnummer

EPISODE_URL = re.compile(r"/episodes/(\d+)/$")


def open_message_form(page: Page, kind: str) -> Any:
    """Unfold the "Skicka meddelande" entry for ``kind``; returns its form."""
    form = page.locator(f"#form-{kind}")
    page.locator(f"details:has(#form-{kind}) > summary").click()
    expect(form).to_be_visible()
    return form


def timeline_row(page: Page, label: str) -> Any:
    return page.locator("table.timeline tbody tr").filter(
        has=page.locator("td:nth-child(2)", has_text=re.compile(f"^{re.escape(label)}$"))
    )


def test_ward_registers_episode_and_sends_admission_notice(
    page: Page,
    base_url: str,
    login: Any,
    personas: Any,
    org_tree: Any,
    new_personnummer: Any,
    url_log: Any,
    assert_no_personnummer: Any,
    tmp_path: Any,
) -> None:
    number = new_personnummer()
    requests = url_log(page)
    visited: list[str] = []

    login(page, personas.ward_nurse)
    visited.append(page.url)
    expect(page.locator("main")).to_contain_text("Inget väntar på dig just nu.")

    episode_id = register_through_the_form(page, org_tree, number, visited)
    send_admission_notice_through_the_form(page, base_url, org_tree, episode_id, visited, tmp_path)
    find_by_personnummer(page, base_url, number, episode_id, visited)

    assert len(visited) == 8
    assert_no_personnummer(visited, number)
    assert_no_personnummer(requests, number)


def register_through_the_form(page: Page, org_tree: Any, number: str, visited: list[str]) -> int:
    """From the list to the register page, the form filled and sent; the new episode's id."""
    page.get_by_role("navigation").get_by_role("link", name="Vårdtillfällen").click()
    expect(page.locator("h1")).to_have_text("Vårdtillfällen")
    visited.append(page.url)

    page.get_by_role("link", name="Registrera vårdtillfälle").click()
    expect(page.locator("h1")).to_have_text("Registrera vårdtillfälle")
    visited.append(page.url)

    admitted = timezone.localtime() - timedelta(hours=2)
    page.get_by_label("Personnummer").fill(format_personnummer(number))
    page.get_by_label("Namn").fill("Astrid Nyström")
    page.get_by_label("Folkbokföringsadress").fill("Rådhusesplanaden 4, 903 28 Umeå")
    page.get_by_label("Folkbokföringskommun").select_option(label="Umeå (2480)")
    page.get_by_label("Listad på hälsocentral").select_option(label=org_tree.hc_umea.name)
    page.get_by_label("Avdelning").select_option(value=str(org_tree.ward.pk))
    page.get_by_label("Inskriven").fill(admitted.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Typ av inskrivning").select_option(label="Akut")
    page.get_by_role("button", name="Registrera", exact=True).click()

    page.wait_for_url(EPISODE_URL)
    visited.append(page.url)
    episode_id = int(EPISODE_URL.search(page.url).group(1))
    expect(page.locator("ul.messages")).to_contain_text("Vårdtillfället är registrerat.")
    expect(page.locator("h1")).to_contain_text("Astrid Nyström")
    expect(page.locator("h1")).to_contain_text(format_personnummer(number))
    expect(page.locator(".status")).to_have_text("Registrerad")
    expect(page.locator("section", has_text="Väntar på dig")).to_contain_text(
        "Skicka inskrivningsmeddelande"
    )

    episode = Episode.objects.select_related("patient").get(pk=episode_id)
    assert episode.patient.personnummer == number
    assert episode.patient.name == "Astrid Nyström"
    assert episode.kommun_id == org_tree.umea.pk
    assert episode.health_centre_id == org_tree.hc_umea.pk
    assert episode.ward_id == org_tree.ward.pk
    assert timezone.localtime(episode.admitted_at).strftime("%Y-%m-%d %H:%M") == (
        admitted.strftime("%Y-%m-%d %H:%M")
    )
    return episode_id


def send_admission_notice_through_the_form(
    page: Page,
    base_url: str,
    org_tree: Any,
    episode_id: int,
    visited: list[str],
    tmp_path: Any,
) -> None:
    """The admission notice, with a preliminary ready date, from the form on the page."""
    ready = timezone.localdate() + timedelta(days=4)
    form = open_message_form(page, "admission_notice")
    expect(page.locator("details:has(#form-admission_notice) > summary")).to_have_text(
        "Inskrivningsmeddelande"
    )
    form.get_by_label("Preliminärt utskrivningsklardatum").fill(ready.isoformat())
    form.get_by_label("Inskrivningsorsak").fill("Pneumoni, nedsatt allmäntillstånd")
    form.get_by_role("button", name="Skicka").click()

    page.wait_for_url(f"{base_url}/episodes/{episode_id}/")
    visited.append(page.url)
    expect(page.locator("ul.messages")).to_contain_text("Skickat: Inskrivningsmeddelande.")
    expect(page.locator(".status")).to_have_text("Planering")
    notice = timeline_row(page, "Inskrivningsmeddelande")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(f"Preliminärt utskrivningsklardatum {ready.isoformat()}")
    expect(notice).to_contain_text("Pneumoni, nedsatt allmäntillstånd")  # the ward sees it
    expect(notice).to_contain_text(org_tree.ward.name)
    expect(page.locator("table.timeline tbody tr")).to_have_count(2)
    expect(page.locator("table.timeline tbody tr").first).to_contain_text(
        "Vårdtillfälle registrerat"
    )
    page.screenshot(path=tmp_path / "episode.png", full_page=True)
    assert (tmp_path / "episode.png").stat().st_size > 10_000

    kinds = list(EpisodeEvent.objects.filter(episode_id=episode_id).values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.ADMISSION_NOTICE]
    episode = Episode.objects.get(pk=episode_id)
    assert episode.preliminary_ready_date == ready
    assert episode.status == EpisodeStatus.PLANNING


def find_by_personnummer(
    page: Page, base_url: str, number: str, episode_id: int, visited: list[str]
) -> None:
    """Finding the patient by personnummer: the number travels in the POST body only."""
    page.get_by_role("navigation").get_by_role("link", name="Vårdtillfällen").click()
    visited.append(page.url)
    search = page.locator("form", has=page.locator("#id_personnummer"))
    search.locator("#id_personnummer").fill(number)
    search.get_by_role("button", name="Sök").click()
    patient = Patient.objects.get(personnummer=number)
    page.wait_for_url(re.compile(rf"/episodes/\?status=all&patient={patient.pk}$"))
    visited.append(page.url)
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    expect(page.locator("table.list tbody")).to_contain_text("Astrid Nyström")
    page.get_by_role("link", name=f"SVU-{episode_id}").click()
    page.wait_for_url(f"{base_url}/episodes/{episode_id}/")
    visited.append(page.url)


def test_kommun_answers_and_acknowledges_other_kommun_gets_404(
    page: Page,
    browser: Any,
    browser_context_args: dict[str, Any],
    base_url: str,
    login: Any,
    personas: Any,
    org_tree: Any,
    episode: Episode,
    advance: Any,
    url_log: Any,
    assert_no_personnummer: Any,
) -> None:
    advance(episode, "noticed")  # the reason: "Höftfraktur; behöver troligen hemtjänst"
    number = episode.patient.personnummer
    requests = url_log(page)

    login(page, personas.kommun_planner)
    row = page.locator("table.list tbody tr", has_text="Greta Lindqvist")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Svara på inskrivningsmeddelandet")
    expect(row).to_contain_text(format_personnummer(number))

    row.get_by_role("link", name="Greta Lindqvist").click()
    page.wait_for_url(f"{base_url}/episodes/{episode.pk}/")
    expect(page.locator("h1")).to_contain_text("Greta Lindqvist")
    expect(page.locator("h1")).to_contain_text(format_personnummer(number))
    expect(page.locator("dl").first).to_contain_text("Storgatan 1, 903 26 Umeå")
    # No consent: the admission reason and other details stay with the ward.
    expect(page.locator("dl").first).to_contain_text("Samtycke saknas")
    expect(page.locator("#details-hidden")).to_have_text(
        "Övriga uppgifter delas endast om patienten samtycker."
    )
    expect(page.locator("main")).not_to_contain_text("Höftfraktur")
    expect(page.locator("main")).not_to_contain_text("Inskrivningsorsak")
    notice = timeline_row(page, "Inskrivningsmeddelande")
    expect(notice).to_contain_text("(delas med samtycke)")

    answer_admission_through_the_form(page, base_url, org_tree, episode)
    acknowledge_through_the_timeline(page, base_url, personas, org_tree, episode, notice)

    # The answer task has left Att göra.
    page.get_by_role("navigation").get_by_role("link", name="Att göra").click()
    row = page.locator("table.list tbody tr", has_text="Greta Lindqvist")
    expect(row).not_to_contain_text("Svara på inskrivningsmeddelandet")
    assert_no_personnummer(requests, number)

    # A planner of another kommun, in a fresh browser context: the same URL is not found.
    context = browser.new_context(**browser_context_args)
    try:
        other = context.new_page()
        login(other, personas.other_kommun_planner)
        expect(other.locator("main")).not_to_contain_text("Greta Lindqvist")
        response = other.goto(f"{base_url}/episodes/{episode.pk}/")
        assert response is not None and response.status == 404
        expect(other.locator("h1")).to_have_text("Sidan hittades inte")
        expect(other.locator("main")).not_to_contain_text("Greta Lindqvist")
        expect(other.locator("main")).not_to_contain_text(format_personnummer(number))
    finally:
        context.close()


def answer_admission_through_the_form(
    page: Page, base_url: str, org_tree: Any, episode: Episode
) -> None:
    """Svar på inskrivning, from the kommun's form on the episode page."""
    form = open_message_form(page, "admission_answer")
    form.get_by_label("Ja").check()
    form.get_by_label("Vilka insatser").fill("Hemtjänst morgon och kväll")
    form.get_by_role("button", name="Skicka").click()
    page.wait_for_url(f"{base_url}/episodes/{episode.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("Skickat: Svar på inskrivning.")
    answer = timeline_row(page, "Svar på inskrivning")
    expect(answer).to_contain_text("Aktuella insatser: ja")
    expect(answer).to_contain_text("Hemtjänst morgon och kväll")  # its own message
    expect(answer).to_contain_text(org_tree.umea.name)
    answered = EpisodeEvent.objects.get(episode=episode, kind=EventKind.ADMISSION_ANSWER)
    assert answered.organisation_id == org_tree.umea.pk
    assert answered.data["current_services"] is True


def acknowledge_through_the_timeline(
    page: Page, base_url: str, personas: Any, org_tree: Any, episode: Episode, notice: Any
) -> None:
    """Kvittens of the ward's admission notice, from its row in the timeline."""
    notice.get_by_role("button", name="Kvittera").click()
    page.wait_for_url(f"{base_url}/episodes/{episode.pk}/")
    expect(page.locator("ul.messages")).to_contain_text("Meddelandet är kvitterat.")
    expect(notice).to_contain_text("✓ Kvitterad")
    expect(notice.get_by_role("button", name="Kvittera")).to_have_count(0)
    receipt = Receipt.objects.get(event__episode=episode, event__kind=EventKind.ADMISSION_NOTICE)
    assert receipt.organisation_id == org_tree.umea.pk
    assert receipt.user_id == personas.kommun_planner.pk


def test_stale_version_is_refused_with_409(
    page: Page,
    base_url: str,
    login: Any,
    personas: Any,
    episode: Episode,
    advance: Any,
) -> None:
    advance(episode, "noticed")
    url = f"{base_url}/episodes/{episode.pk}/"
    login(page, personas.ward_nurse)
    page.goto(url)
    page_b = page.context.new_page()
    page_b.goto(url)
    version = episode.version
    for p in (page, page_b):
        expect(p.locator("#form-preliminary_date_changed [name=version]")).to_have_value(
            str(version)
        )
    first = timezone.localdate() + timedelta(days=5)
    second = timezone.localdate() + timedelta(days=6)

    # Page A sends a new preliminary date.
    form_a = open_message_form(page, "preliminary_date_changed")
    form_a.get_by_label("Nytt preliminärt utskrivningsklardatum").fill(first.isoformat())
    form_a.get_by_role("button", name="Skicka").click()
    page.wait_for_url(url)
    expect(page.locator("ul.messages")).to_contain_text(
        "Skickat: Preliminärt utskrivningsklardatum ändrat."
    )
    events = EpisodeEvent.objects.filter(episode=episode).count()

    # Page B still holds the old version.
    form_b = open_message_form(page_b, "preliminary_date_changed")
    form_b.get_by_label("Nytt preliminärt utskrivningsklardatum").fill(second.isoformat())
    with page_b.expect_response(
        lambda r: r.request.method == "POST" and "/messages/" in r.url
    ) as posted:
        form_b.get_by_role("button", name="Skicka").click()
    assert posted.value.status == 409
    page_b.wait_for_load_state()
    # What changed, and the form on the current version with the user's date kept.
    changes = page_b.locator("#changes")
    expect(changes).to_contain_text("Ändrat sedan du öppnade sidan")
    expect(changes).to_contain_text("Preliminärt utskrivningsklardatum ändrat")
    expect(changes).to_contain_text(f"Nytt preliminärt utskrivningsklardatum {first.isoformat()}")
    error = page_b.locator("#form-preliminary_date_changed .form-errors")
    expect(error).to_contain_text("Någon annan har ändrat vårdtillfället sedan du öppnade det")
    expect(page_b.locator("details:has(#form-preliminary_date_changed)")).to_have_attribute(
        "open", ""
    )
    form_b = page_b.locator("#form-preliminary_date_changed")
    expect(form_b.get_by_label("Nytt preliminärt utskrivningsklardatum")).to_have_value(
        second.isoformat()
    )
    expect(form_b.locator("[name=version]")).to_have_value(str(version + 1))
    expect(page_b.locator("ul.messages")).to_have_count(0)
    # The address is the episode's: reloading opens the page, it does not post again.
    assert page_b.url == url
    assert EpisodeEvent.objects.filter(episode=episode).count() == events
    episode.refresh_from_db()
    assert episode.preliminary_ready_date == first
    assert episode.version == version + 1
    assert episode.preliminary_date_changes == 1

    # Sending the kept input again stores it.
    form_b.get_by_role("button", name="Skicka").click()
    page_b.wait_for_url(url)
    expect(page_b.locator("ul.messages")).to_contain_text(
        "Skickat: Preliminärt utskrivningsklardatum ändrat."
    )
    episode.refresh_from_db()
    assert episode.preliminary_ready_date == second
    assert episode.preliminary_date_changes == 2
