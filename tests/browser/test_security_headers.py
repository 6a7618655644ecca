"""In the browser (issue 13, points 1 and 2): the Content-Security-Policy (no inline script or
style) breaks nothing that the pages do, and the idle-timeout warning shows, keeps the session
when asked, and ends in the login page."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.conftest import make_user


def _csp_violations(page: Page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return found


def test_the_pages_run_under_the_content_security_policy(
    page: Page, base_url: str, login: Any, personas: Any, noticed: Any
) -> None:
    violations = _csp_violations(page)
    login(page, personas.ward_nurse)  # the login page, then Att göra (htmx)
    for path in (
        "/episodes/",
        f"/episodes/{noticed.pk}/",
        "/account/two-factor/setup/",  # the QR code is a data: image
    ):
        response = page.goto(f"{base_url}{path}")
        assert response is not None and response.status == 200, path
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    page.get_by_role("button", name="Logga ut").click()
    login(page, personas.processledare)  # the follow-up overview, its charts and script
    admin = make_user("systemforvaltare", is_staff=True, is_superuser=True)
    page.get_by_role("button", name="Logga ut").click()
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", admin.username)
    page.fill("#id_password", "correct horse battery staple")
    page.locator("input[type=submit]").click()
    page.goto(f"{base_url}/admin/discharges/accesslogentry/")
    expect(page.locator("#content h1")).to_be_visible()
    assert violations == []


def test_the_idle_warning_shows_keeps_the_session_and_then_ends_it(
    page: Page, base_url: str, login: Any, personas: Any, settings: Any
) -> None:
    settings.SVU_SESSION_IDLE_SECONDS = 4  # warned after 2 s, logged out after 4 s idle
    login(page, personas.ward_nurse)
    warning = page.locator("#idle-warning")
    expect(warning).to_be_hidden()
    expect(warning).to_be_visible(timeout=4_000)
    expect(warning).to_contain_text("Du loggas snart ut")
    page.get_by_role("button", name="Fortsätt vara inloggad").click()
    expect(warning).to_be_hidden()
    # Nothing more: the page goes to the login, and the server has ended the session.
    page.wait_for_url(re.compile(r".*/login/.*"), timeout=10_000)
    expect(page.locator("main")).to_contain_text("Du loggades ut")
    page.goto(f"{base_url}/episodes/")
    assert "/login/" in page.url
