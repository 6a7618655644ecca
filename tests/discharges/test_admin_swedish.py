"""The admin in Swedish throughout (discharges/admin_labels.py): the site title, the apps and
models that ship no Swedish, the columns and labels Django derives from field names, and dates
as 2026-11-29 14:02."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges.models import Episode, Membership
from tests.conftest import Personas, make_user

ENGLISH = [
    "Django-administration",
    "Site administration",
    "Periodic Tasks",
    "Periodic tasks",
    "Access attempts",
    "Access logs",
    "TOTP devices",
    ">User:<",
    ">Ward:<",
    ">Reference<",
    ">Ward<",
    "november",
]


@pytest.fixture
def admin_client(db: None) -> Client:
    superuser: AbstractUser = make_user("systemforvaltare", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


def english_in(html: str) -> list[str]:
    return [text for text in ENGLISH if text in html]


def test_the_admin_index_is_swedish(admin_client: Client) -> None:
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "<title>Administration | SVU – administration</title>" in html
    assert '<a href="/admin/">SVU – administration</a>' in html
    assert "Schemalagda uppgifter" in html  # django-celery-beat
    assert "Inloggningsförsök" in html  # django-axes
    assert english_in(html) == []


def test_the_episode_list_and_page_are_swedish_with_iso_dates(
    admin_client: Client, episode: Episode, advance: Callable[..., Episode]
) -> None:
    advance(episode, "ready")
    listing = admin_client.get(reverse("admin:discharges_episode_changelist")).content.decode()
    table = listing[listing.index('<table id="result_list">') :]
    thead = table[: table.index("</thead>")]
    headers = re.findall(r'<div class="text">(?:<a [^>]*>|<span>)([^<]+)<', thead)
    assert headers[:4] == ["Referens", "Status", "Avdelning", "Kommun"]
    page = admin_client.get(reverse("admin:discharges_episode_change", args=[episode.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    admitted = timezone.localtime(episode.admitted_at)
    assert f"{admitted:%Y-%m-%d %H:%M}" in html
    assert ">Avdelning:<" in html and ">Patient:<" in html
    assert english_in(html) == []


def test_a_membership_is_labelled_in_swedish(admin_client: Client, personas: Personas) -> None:
    membership = Membership.objects.get(user=personas.ward_nurse)
    url = reverse("admin:discharges_membership_change", args=[membership.pk])
    html = admin_client.get(url).content.decode()
    assert "Användare:" in html and "Organisation:" in html
    assert english_in(html) == []


def test_the_third_party_lists_are_swedish(admin_client: Client) -> None:
    for name in ("django_celery_beat_periodictask", "axes_accessattempt"):
        response = admin_client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
        assert english_in(response.content.decode()) == [], name
