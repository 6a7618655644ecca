"""The site's icon: linked from every page, served from the project's own static files (no
404 in the browser's console for ``/favicon.ico``)."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_login_page_links_an_icon_that_is_a_static_file(client: Client) -> None:
    page = client.get("/login/").content.decode()
    found = re.search(r'<link rel="icon" href="/static/([^"]+)"', page)
    assert found, "no icon link on the login page"
    path = finders.find(found.group(1))
    assert isinstance(path, str)
    with open(path, encoding="utf-8") as handle:
        assert handle.read().startswith("<svg")


def test_favicon_ico_redirects_to_the_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
