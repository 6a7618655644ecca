"""Accounts (issue 13, point 1): failed-login lockout through Django's real login view, no HTTP
Basic on the API, the password rules, and system accounts that cannot log in to pages.

Probing the running app found 40 wrong logins processed and the right password accepted right
after, HTTP Basic accepted by the API, "Sommar2026" accepted as a password, and the integration
account able to log in interactively.
"""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD, Personas, login

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def _login(client: Client, username: str, password: str, address: str = "10.1.1.1") -> int:
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response.status_code


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_it_locks_a_user_name_after_five_failures_even_for_the_right_password(
    personas: Personas,
) -> None:
    client = Client()
    for _attempt in range(4):
        assert _login(client, "ward_nurse", "wrong password 1") == 200
        assert not _signed_in(client)
    assert _login(client, "ward_nurse", "wrong password 1") == 429  # the fifth locks
    assert _login(client, "ward_nurse", PASSWORD) == 429
    assert not _signed_in(client)
    # Also from another address and another browser: the user name itself is locked.
    other = Client()
    response = other.post(
        LOGIN, {"username": "ward_nurse", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert not _signed_in(other)


def test_the_lockout_ends_after_the_cool_off_time(personas: Personas) -> None:
    client = Client()
    for _attempt in range(5):
        _login(client, "ward_nurse", "wrong password 1")
    assert _login(client, "ward_nurse", PASSWORD) == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "ward_nurse", PASSWORD) == 302
    assert _signed_in(client)


def test_a_user_name_with_fewer_failures_logs_in(personas: Personas) -> None:
    client = Client()
    for _attempt in range(4):
        _login(client, "ward_nurse", "wrong password 1")
    assert _login(client, "ward_nurse", PASSWORD) == 302
    assert _signed_in(client)


@override_settings(SVU_LOGIN_ADDRESS_LIMIT=12)
def test_it_locks_an_address_guessing_across_user_names(personas: Personas) -> None:
    client = Client()
    for n in range(11):  # a different (possibly unknown) user name each time: no user locks
        assert _login(client, f"guess{n}", "wrong password 1", address="10.2.2.2") == 200
    assert _login(client, "guess11", "wrong password 1", address="10.2.2.2") == 429
    assert _login(client, "kommun_planner", PASSWORD, address="10.2.2.2") == 429
    assert not _signed_in(client)
    # The same user from another address is not affected.
    assert _login(Client(), "kommun_planner", PASSWORD, address="10.3.3.3") == 302


@override_settings(SVU_TRUSTED_PROXIES=1)
def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(personas: Personas) -> None:
    client = Client()
    with override_settings(SVU_LOGIN_ADDRESS_LIMIT=3):
        for n in range(3):
            client.post(
                LOGIN,
                {"username": f"guess{n}", "password": "x"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="forged, 192.0.2.7",
            )
        # Another client behind the same proxy logs in; the guessing one is locked.
        ok = Client().post(
            LOGIN,
            {"username": "ward_nurse", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.8",
        )
        assert ok.status_code == 302
        locked = client.post(
            LOGIN,
            {"username": "kommun_planner", "password": PASSWORD},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="192.0.2.7",
        )
        assert locked.status_code == 429


def test_the_admin_login_is_locked_too(personas: Personas) -> None:
    personas.ward_nurse.is_staff = True
    personas.ward_nurse.save()
    client = Client()
    for _attempt in range(5):
        client.post("/admin/login/", {"username": "ward_nurse", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "ward_nurse", "password": PASSWORD})
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_api_refuses_http_basic_even_with_the_right_password(personas: Personas) -> None:
    token = base64.b64encode(f"ward_nurse:{PASSWORD}".encode()).decode()
    response = Client().get(reverse("api:episode_list"), HTTP_AUTHORIZATION=f"Basic {token}")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()
    # The session (from the login form) is how the pages' own scripts use the API.
    assert login(personas.ward_nurse).get(reverse("api:episode_list")).status_code == 200


@pytest.mark.parametrize(
    "password",
    ["Sommar2026", "Sommar2026!!!", "Lösenord12345", "Vinter-2027!", "kort", "123456789012345"],
)
def test_weak_passwords_are_refused(personas: Personas, password: str) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, personas.ward_nurse)
    form = SetPasswordForm(
        personas.ward_nurse, {"new_password1": password, "new_password2": password}
    )
    assert not form.is_valid()


def test_a_long_uncommon_password_is_accepted(personas: Personas) -> None:
    validate_password("fjällbjörk tejp kaffekopp", personas.ward_nurse)
    validate_password(PASSWORD, personas.ward_nurse)


def test_a_system_account_cannot_log_in_to_pages(personas: Personas) -> None:
    client = Client()
    assert _login(client, "integration", PASSWORD) == 200
    assert not _signed_in(client)
    admin = Client().post("/admin/login/", {"username": "integration", "password": PASSWORD})
    assert admin.status_code == 200
    assert "_auth_user_id" not in admin.client.session


def test_the_staff_account_of_a_person_still_logs_in(personas: Personas) -> None:
    client = Client()
    assert _login(client, "processledare", PASSWORD) == 302
    assert _signed_in(client)
