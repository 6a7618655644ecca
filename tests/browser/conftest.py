"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Playwright's own browser download is not reachable on these machines, so the tests launch
``/usr/bin/chromium``. Without it they are skipped, except in CI (``CI`` set), where a missing
browser is a failure.

Every test here is marked ``browser`` and runs on a transactional database with serialized
rollback: the live server sees what the test writes, and the regions and kommuner loaded by
migration 0002 are restored after each test's flush (see
``_serialized_rollback_under_playwright`` for why that needs help). Passwords use a fast hasher;
Playwright waits at most 15 s. The browser asks for Swedish
(``Accept-Language: sv-SE``), as the staff's browsers do; the catalogue must be compiled
(``make messages``).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + page + ORM

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"  # tests/conftest.py make_user
HERE = Path(__file__).parent
# A bound on waiting, not a speed requirement: under ``make test`` (pytest -n) the browser,
# the live server and WeasyPrint share the cores with another worker's tests.
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A session-wide hook: touch only the items of this directory.
    mine = [item for item in items if HERE in Path(str(item.path)).parents]
    skip = None
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    for item in mine:
        item.add_marker(pytest.mark.browser)
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if skip is not None:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():  # only reached in CI: elsewhere the tests are skipped
        pytest.fail(f"{CHROMIUM} is missing and CI is set: install the chromium package")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "locale": "sv-SE",
        "timezone_id": "Europe/Stockholm",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_under_playwright(playwright: Any, django_db_setup: None) -> None:
    """Hand the serialized test database to the connection the tests use under Playwright.

    Playwright's sync API keeps an asyncio loop running in the main thread. Django's
    connections live in an asgiref ``Local(thread_critical=True)``, which keeps one storage
    for sync code and another while a loop runs: once Playwright has started, the ORM in the
    test gets a second connection object. When the test database was created before that
    (the suite ran ``db`` tests first), the first connection holds
    ``_test_serialized_contents`` and the second does not, so serialized rollback would
    silently skip restoring the regions and kommuner of migration 0002.
    """
    from django.db import connections

    running = asyncio._get_running_loop()
    asyncio._set_running_loop(None)  # look at the sync storage
    try:
        contents = {
            alias: getattr(connections[alias], "_test_serialized_contents", None)
            for alias in connections
        }
    finally:
        asyncio._set_running_loop(running)
    for alias, value in contents.items():
        if value is not None and not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = value
    if not hasattr(connections["default"], "_test_serialized_contents"):
        pytest.fail("the test database was not serialized: serialized rollback cannot work")


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings: Any) -> None:
    """PBKDF2 costs half a second per user created and per login; these tests test pages."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _short_timeouts(context: Any) -> None:
    """Fail in seconds, not Playwright's 30 s: every page here answers in milliseconds."""
    from playwright.sync_api import expect

    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def base_url(django_db_setup: None, live_server: Any) -> str:
    """``page.goto("/login/")`` goes to the live server (pytest-playwright reads base_url)."""
    return str(live_server.url)


@pytest.fixture
def login(base_url: str) -> Callable[..., None]:
    """``login(page, user)``: through the real login form; lands on the start page of the
    user's role (svu/views.py): Att göra for the parties of episodes, the follow-up overview
    for the partssammansatt grupp and the processledare."""
    from playwright.sync_api import expect

    def run(page: Any, user: Any, password: str = PASSWORD) -> None:
        page.goto(f"{base_url}/login/")
        expect(page.locator("h1")).to_have_text("Logga in")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(re.compile(rf"^{re.escape(base_url)}/(follow-up/)?$"))
        landing = "Månadsuppföljning" if page.url.endswith("/follow-up/") else "Att göra"
        expect(page.locator("h1")).to_have_text(landing)

    return run


def personnummer_forms(number: str) -> list[str]:
    """Every way a 12-digit personnummer could show in a URL: 12 or 10 digits, with or
    without the separator."""
    ten = number[2:]
    return [number, f"{number[:8]}-{number[8:]}", ten, f"{ten[:6]}-{ten[6:]}"]


@pytest.fixture
def url_log() -> Callable[[Any], list[str]]:
    """``urls = url_log(page)``: every request URL the page makes from now on (navigations,
    redirects, form posts, assets), in order."""

    def attach(page: Any) -> list[str]:
        seen: list[str] = []
        page.on("request", lambda request: seen.append(request.url))
        return seen

    return attach


@pytest.fixture
def assert_no_personnummer() -> Callable[[list[str], str], None]:
    """``assert_no_personnummer(urls, number)``: no URL carries the number in any form."""

    def check(urls: list[str], number: str) -> None:
        assert urls, "no URL was recorded"
        for url in urls:
            for form in personnummer_forms(number):
                assert form not in url, f"personnummer in URL {url!r}"
            assert not re.search(r"\d{10}", url), f"a 10+ digit number in URL {url!r}"

    return check
