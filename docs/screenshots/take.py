"""Take the README's screenshots of the daily pages as the demo users, in Debian's Chromium.

    python manage.py migrate && python manage.py seed_demo        # a scratch database
    python manage.py runserver 127.0.0.1:8711                      # in another shell
    python docs/screenshots/take.py [http://127.0.0.1:8711]

With ``DATABASE_URL=sqlite:////tmp/svu-demo.sqlite3`` (and ``SVU_REQUIRE_STAFF_OTP=false`` for
the admin) the development database is not touched. Before the pictures, the stroke unit's
nurse proposes a homecoming time for its ready patients through the page (the kommun's worklist
then offers it with one click), as a user would; the browser asks for English (en-US), and the
pages are Swedish all the same.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
PASSWORD = "svu-demo-2026"  # noqa: S105 (demo/organisations.py DEMO_PASSWORD)
WIDE = {"width": 1366, "height": 768}
TABLET = {"width": 768, "height": 1024}
WARD = "sjukskoterska.stroke-nus"
SHOTS = [
    # (file, user, path, viewport, full page)
    ("worklist-ward.png", WARD, "/", WIDE, False),
    ("worklist-health-centre.png", "vardsamordnare.alidhem", "/", WIDE, False),
    ("worklist-kommun.png", "planerare.umea", "/", WIDE, False),
    ("worklist-kommun-tablet.png", "planerare.umea", "/", TABLET, False),
    ("register.png", WARD, "/episodes/new/", WIDE, False),
]


def log_in(browser: Any, base: str, user: str, viewport: dict[str, int]) -> Any:
    context = browser.new_context(viewport=viewport, locale="en-US", timezone_id="Europe/Stockholm")
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{base}/")
    return page


def propose_homecoming(browser: Any, base: str) -> None:
    """The ward proposes tomorrow 14:00 for each patient waiting for a proposal."""
    page = log_in(browser, base, WARD, WIDE)
    rows = page.locator("table.worklist tr", has_text="Föreslå tid för hemgång")
    paths = [str(a.get_attribute("href")) for a in rows.locator("td:first-child a").all()]
    tomorrow = datetime.now() + timedelta(days=1)  # noqa: DTZ005 (the browser's local time)
    for path in paths:
        page.goto(f"{base}{path}")
        page.locator("details:has(#form-homecoming_proposed) > summary").click()
        form = page.locator("#form-homecoming_proposed")
        form.locator("[name=homecoming_at]").fill(f"{tomorrow:%Y-%m-%d} 14:00")
        form.get_by_role("button", name="Skicka").click()
        page.wait_for_url(f"{base}{path}")
    page.context.close()


def waiting_for_acknowledgement(browser: Any, base: str) -> str:
    """The path of the first episode the kommun can acknowledge with one click."""
    page = log_in(browser, base, "planerare.umea", WIDE)
    row = page.locator("table.worklist tr", has=page.locator("button", has_text="Bekräfta"))
    path = str(row.first.locator("td:first-child a").get_attribute("href"))
    page.context.close()
    return path


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        propose_homecoming(browser, base)
        episode = waiting_for_acknowledgement(browser, base)
        for name, user, path, viewport, full in [
            *SHOTS,
            ("episode.png", "planerare.umea", episode, WIDE, True),
        ]:
            page = log_in(browser, base, user, viewport)
            page.goto(f"{base}{path}")
            page.screenshot(path=str(HERE / name), full_page=full)
            page.context.close()
            print(f"{name}: {user} {path}")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8711")
