"""A second factor (issue 13, point 1): TOTP through django-otp, required for staff (the admin's
users), optional for others, through Django's real login view and real codes."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD, Personas, make_user

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


@pytest.fixture(autouse=True)
def required(settings: Any) -> None:
    settings.SVU_REQUIRE_STAFF_OTP = True


def _password_login(username: str) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def _confirmed_device(user: Any) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="SVU", confirmed=True)
    return device


def test_staff_set_up_an_authenticator_before_the_admin(db: None) -> None:
    make_user("systemforvaltare", is_staff=True, is_superuser=True)
    client = _password_login("systemforvaltare")
    response = client.get(ADMIN)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    page = client.get(response["Location"]).content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page)
    assert secret and 'src="data:image/svg+xml' in page
    device = TOTPDevice.objects.get(user__username="systemforvaltare", confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": ADMIN})
    assert wrong.status_code == 200 and client.get(ADMIN).status_code == 302
    time.sleep(1.1)  # django-otp makes a device wait 1 s after a wrong code (2 s, 4 s, ...)
    done = client.post(reverse("two_factor_setup"), {"token": _code(device), "next": ADMIN})
    assert done.status_code == 302 and done["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_staff_with_an_authenticator_give_its_code_after_the_password(db: None) -> None:
    user = make_user("systemforvaltare", is_staff=True, is_superuser=True)
    device = _confirmed_device(user)
    client = _password_login("systemforvaltare")
    response = client.get(ADMIN)
    assert response["Location"].startswith(reverse("two_factor_verify"))
    # The setup page cannot be used to get around the code.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(
        reverse("two_factor_verify")
    )
    wrong = client.post(reverse("two_factor_verify"), {"token": "123456", "next": ADMIN})
    assert "Fel eller för gammal kod." in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302
    time.sleep(1.1)  # the throttle after a wrong code
    right = client.post(reverse("two_factor_verify"), {"token": _code(device), "next": ADMIN})
    assert right["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_an_unverified_staff_session_reads_no_page_and_no_api(personas: Personas) -> None:
    personas.ward_nurse.is_staff = True
    personas.ward_nurse.save()
    client = _password_login("ward_nurse")
    worklist = client.get(reverse("discharges:worklist"))
    assert worklist.status_code == 302
    assert worklist["Location"].startswith(reverse("two_factor_setup"))
    assert client.get(reverse("api:episode_list")).status_code == 403


def test_others_need_no_second_factor_until_they_set_one_up(personas: Personas) -> None:
    client = _password_login("kommun_planner")
    assert client.get(reverse("discharges:worklist")).status_code == 200
    _confirmed_device(personas.kommun_planner)
    again = _password_login("kommun_planner")
    response = again.get(reverse("discharges:worklist"))
    assert response["Location"].startswith(reverse("two_factor_verify"))


def test_the_requirement_can_be_switched_off(settings: Any, db: None) -> None:
    settings.SVU_REQUIRE_STAFF_OTP = False
    make_user("systemforvaltare", is_staff=True, is_superuser=True)
    assert _password_login("systemforvaltare").get(ADMIN).status_code == 200
