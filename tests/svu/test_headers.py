"""Headers on patient data (issue 13, point 2): probing found no Content-Security-Policy and no
``Cache-Control: no-store`` on patient pages, the API or the CSVs, and ``/api/schema/`` readable
without login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, login
from tests.payment.test_csv_safety import hostile_episodes  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _assert_patient_data_headers(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert "no-store" in headers["Cache-Control"]
    assert "private" in headers["Cache-Control"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_a_page_carries_the_headers(personas: Personas, noticed: object) -> None:
    response = login(personas.ward_nurse).get(reverse("discharges:episode_list"))
    assert response.status_code == 200
    _assert_patient_data_headers(response)


def test_an_api_response_carries_the_headers(personas: Personas, noticed: object) -> None:
    response = login(personas.ward_nurse).get(reverse("api:episode_list"))
    assert response.status_code == 200
    assert response.json()["results"]
    _assert_patient_data_headers(response)


def test_a_csv_download_carries_the_headers(
    personas: Personas,
    hostile_episodes: list[object],  # noqa: F811
) -> None:
    response = login(personas.kommun_planner).get(
        reverse("payment:export", args=["vasterbotten"]),
        {"from": "2024-04", "to": "2024-04", "detail": "1"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    _assert_patient_data_headers(response)


def test_the_login_page_and_the_admin_are_not_stored_either() -> None:
    for url in (reverse("login"), "/admin/login/"):
        assert "no-store" in Client().get(url)["Cache-Control"]


def test_the_api_schema_needs_a_login(personas: Personas) -> None:
    anonymous = Client().get(reverse("api:schema"))
    assert anonymous.status_code in (401, 403)
    assert b"episodes" not in anonymous.content
    signed_in = login(personas.ward_nurse).get(reverse("api:schema"))
    assert signed_in.status_code == 200
    assert b"/api/v1/episodes/" in signed_in.content


# What the policy would refuse: an inline script or style, an event-handler attribute.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"",
    re.IGNORECASE,
)


def test_no_template_holds_an_inline_script_or_style() -> None:
    """Pages are served with script-src and style-src 'self' only. (templates/pdf is rendered
    by WeasyPrint on the server, never served to a browser.)"""
    templates = [
        path
        for folder in [ROOT / "templates", *ROOT.glob("*/templates")]
        for path in folder.rglob("*.html")
        if "pdf" not in path.relative_to(folder).parts and ".venv" not in path.parts
    ]
    assert len(templates) > 20
    found = {
        str(path.relative_to(ROOT)): INLINE.findall(path.read_text())
        for path in templates
        if INLINE.search(path.read_text())
    }
    assert found == {}
