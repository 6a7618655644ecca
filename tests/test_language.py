"""Swedish always: the pages do not follow the browser's Accept-Language; a user who chooses a
language in the footer gets it (svu/language.py). Dates read 2026-11-29 and 14:02 either way."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.utils import formats, translation

from tests.conftest import Personas, login
from tests.discharges.pages import WORKLIST_URL


def test_an_english_browser_gets_swedish(personas: Personas) -> None:
    client = login(personas.ward_nurse)
    response = client.get(WORKLIST_URL, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in html
    assert "<h1>Att göra</h1>" in html
    assert "To do" not in html


def test_a_user_who_chooses_english_gets_english_until_choosing_swedish(
    personas: Personas,
) -> None:
    client = login(personas.ward_nurse)
    chosen = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER=WORKLIST_URL)
    assert chosen.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(WORKLIST_URL, HTTP_ACCEPT_LANGUAGE="sv-SE").content.decode()
    assert '<html lang="en">' in html and "<h1>To do</h1>" in html
    client.post("/i18n/setlang/", {"language": "sv"})
    assert "<h1>Att göra</h1>" in client.get(WORKLIST_URL).content.decode()


def test_an_unknown_language_cookie_falls_back_to_swedish(personas: Personas) -> None:
    client = login(personas.ward_nurse)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-evil"
    assert '<html lang="sv">' in client.get(WORKLIST_URL).content.decode()


def test_dates_and_times_are_iso_in_both_languages() -> None:
    moment = datetime(2026, 11, 29, 14, 2, tzinfo=UTC)  # formatted as it is, no zone change
    for language in ("sv", "en"):
        with translation.override(language):
            assert formats.date_format(moment) == "2026-11-29"
            assert formats.date_format(moment, "DATETIME_FORMAT") == "2026-11-29 14:02"
            assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "2026-11-29 14:02"
            assert formats.time_format(moment) == "14:02"
