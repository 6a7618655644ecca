"""Tokens for systems: Bearer authentication, expiry, revocation, an inactive user, the hash
stored and not the token, last use recorded, the command and the admin (shown once)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from discharges.models import Episode
from tests.api.conftest import ApiClient
from tests.conftest import Personas, make_user

LIST = "/api/v1/episodes/"


def test_a_token_reads_as_its_user(ward_system: AbstractUser, episode: Episode) -> None:
    token, secret = tokens.create_token(ward_system, days=5)  # type: ignore[arg-type]
    response = ApiClient(secret).get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [episode.pk]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert secret not in token.key_hash and token.key_hash == tokens.hash_token(secret)
    assert not ApiToken.objects.filter(key_hash=secret).exists()


@pytest.mark.parametrize("state", ["expired", "revoked", "inactive", "unknown", "malformed"])
def test_a_token_that_is_not_valid_is_401_in_the_error_shape(
    state: str, ward_system: AbstractUser, episode: Episode
) -> None:
    token, secret = tokens.create_token(ward_system, days=5)  # type: ignore[arg-type]
    if state == "expired":
        ApiToken.objects.filter(pk=token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    elif state == "revoked":
        tokens.revoke(ApiToken.objects.filter(pk=token.pk))
    elif state == "inactive":
        ward_system.is_active = False
        ward_system.save()
    elif state == "unknown":
        secret = secret[:-4] + "abcd"
    client = (
        ApiClient(secret)
        if state != "malformed"
        else Client(headers={"Authorization": "Bearer a b"})
    )
    response = client.get(LIST)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "not_authenticated"
    assert body["fields"] == {}
    assert "token" in body["detail"].lower() or "Authorization" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert episode.patient.personnummer not in response.content.decode()


def test_no_credentials_is_401_in_swedish(episode: Episode) -> None:
    response = Client().get(LIST)
    assert response.status_code == 401
    assert response.json()["detail"] == "Inloggning krävs: skicka Authorization: Bearer TOKEN."


def test_http_basic_is_not_accepted(personas: Personas) -> None:
    response = Client(headers={"Authorization": "Basic d2FyZF9udXJzZTp4"}).get(LIST)
    assert response.status_code == 401


def test_the_command_creates_lists_and_revokes(ward_system: AbstractUser, episode: Episode) -> None:
    out = StringIO()
    call_command("api_token", "create", "--user", ward_system.username, "--days", "7", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1 and re.fullmatch(r"svu_[A-Za-z0-9_-]{40,}", lines[0])
    secret = lines[0]
    token = ApiToken.objects.get(user=ward_system)
    assert abs((token.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    assert ApiClient(secret).get(LIST).status_code == 200

    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert "ward.system" in listing.getvalue() and "valid" in listing.getvalue()
    assert secret not in listing.getvalue()

    call_command("api_token", "revoke", "--id", str(token.pk), stdout=StringIO())
    assert ApiClient(secret).get(LIST).status_code == 401
    listing = StringIO()
    call_command("api_token", "list", "--user", ward_system.username, stdout=listing)
    assert "revoked" in listing.getvalue()


def test_the_command_refuses_an_unknown_user_and_a_bad_expiry(ward_system: AbstractUser) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("api_token", "create", "--user", "nobody", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "api_token", "create", "--user", ward_system.username, "--days", "0", stdout=StringIO()
        )
    assert not ApiToken.objects.exists()


def test_the_admin_shows_the_token_once_and_stores_its_hash(
    ward_system: AbstractUser, episode: Episode
) -> None:
    admin = make_user("tokenadmin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/api/apitoken/add/",
        {"user": ward_system.pk, "name": "Cosmic", "days": "30"},
        follow=True,
    )
    assert response.status_code == 200
    [shown] = re.findall(r"svu_[A-Za-z0-9_-]{40,}", response.content.decode())
    token = ApiToken.objects.get()
    assert token.key_hash == tokens.hash_token(shown) and token.name == "Cosmic"
    assert ApiClient(shown).get(LIST).status_code == 200
    page = client.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    assert shown not in page
    client.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert ApiClient(shown).get(LIST).status_code == 401


def test_a_system_account_cannot_sign_in_to_the_pages(
    ward_system: AbstractUser, bearer: Callable[..., ApiClient]
) -> None:
    from tests.conftest import PASSWORD

    response = Client().post("/login/", {"username": ward_system.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the app
    assert bearer(ward_system).get(LIST).status_code == 200
