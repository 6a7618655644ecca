"""Session idle timeout (issue 13, point 1): sessions lasted 8 hours with no idle timeout."""

from __future__ import annotations

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from svu.sessions import LAST_SEEN
from tests.conftest import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def _signed_in_client(address: str = "10.4.4.4") -> Client:
    """Logged in through the real login form, as a person does."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": "ward_nurse", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _idle_for(client: Client, seconds: int) -> None:
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_after_thirty_minutes(personas: Personas) -> None:
    client = _signed_in_client()
    worklist = reverse("discharges:worklist")
    assert client.get(worklist).status_code == 200
    _idle_for(client, 31 * 60)
    response = client.get(worklist)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "Du loggades ut efter 30 minuter utan aktivitet." in page.content.decode()
    # The API answers as to anyone logged out.
    assert client.get(reverse("api:episode_list")).status_code in (401, 403)


def test_a_session_in_use_goes_on(personas: Personas) -> None:
    client = _signed_in_client()
    _idle_for(client, 29 * 60)
    assert client.get(reverse("discharges:worklist")).status_code == 200
    # The request counted as activity: another 29 minutes later it is still open.
    _idle_for(client, 29 * 60)
    assert client.get(reverse("discharges:worklist")).status_code == 200


@override_settings(SVU_SESSION_IDLE_SECONDS=10 * 60)
def test_the_timeout_is_configurable(personas: Personas) -> None:
    client = _signed_in_client()
    _idle_for(client, 11 * 60)
    assert client.get(reverse("discharges:worklist")).status_code == 302


def test_the_page_carries_the_warning_and_keepalive_counts_as_activity(
    personas: Personas,
) -> None:
    client = _signed_in_client()
    html = client.get(reverse("discharges:worklist")).content.decode()
    assert 'id="idle-warning"' in html
    assert 'data-idle-seconds="1800"' in html
    assert 'data-warn-seconds="120"' in html
    assert "Du loggas snart ut eftersom du inte har varit aktiv." in html
    assert "js/session.js" in html
    _idle_for(client, 28 * 60)
    assert client.post(reverse("session_keepalive")).status_code == 204
    assert int(time.time()) - client.session[LAST_SEEN] < 5


def test_keepalive_does_not_revive_an_ended_session(personas: Personas) -> None:
    client = _signed_in_client()
    _idle_for(client, 31 * 60)
    assert client.post(reverse("session_keepalive")).status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_login_page_has_no_warning() -> None:
    html = Client().get(reverse("login")).content.decode()
    assert 'id="idle-warning"' not in html


def test_the_admin_pages_carry_the_warning_too(db: None) -> None:
    from tests.conftest import make_user

    client = Client()
    client.force_login(make_user("systemforvaltare", is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    assert 'id="idle-warning"' in html and "js/session.js" in html
    assert "admin-session.css" in html
