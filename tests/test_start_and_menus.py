"""Menus by role and the start page: a user sees only what their role can use, and lands where
their work is (svu/views.py, discharges/context_processors.py)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas, login, make_user
from tests.personas import PERSONAS

MENU = {
    "ward_nurse": ["Att göra", "Vårdtillfällen", "Uppföljning", "Avvikelser"],
    "psych_nurse": ["Att göra", "Vårdtillfällen", "Uppföljning", "Avvikelser"],
    "hc_coordinator": ["Att göra", "Vårdtillfällen", "Uppföljning", "Avvikelser"],
    "kommun_planner": [
        "Att göra",
        "Vårdtillfällen",
        "Uppföljning",
        "Betalningsansvar",
        "Avvikelser",
    ],
    "other_kommun_planner": [
        "Att göra",
        "Vårdtillfällen",
        "Uppföljning",
        "Betalningsansvar",
        "Avvikelser",
    ],
    "joint_group": ["Uppföljning", "Betalningsansvar"],
    "integration": ["Att göra", "Vårdtillfällen", "Uppföljning", "Avvikelser"],
    "outsider": [],
}
LANDS = {
    "joint_group": "/follow-up/",
    "processledare": "/follow-up/",
    "outsider": "/",
}


def menu(client: Client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    nav = re.search(r'<nav aria-label="Huvudmeny">(.*?)</nav>', html, re.S)
    assert nav is not None
    return re.findall(r">([^<>]+)</a>", nav.group(1))


@pytest.mark.parametrize("name", sorted(MENU))
def test_the_menu_offers_what_the_role_can_use(name: str, personas: Personas) -> None:
    client = login(getattr(personas, name))
    shown = menu(client, "/follow-up/" if MENU[name] else "/")
    # The analyses of delayed discharge (issue 9) add their own entry for some roles.
    assert [item for item in shown if item != "Analyser"] == MENU[name]


def test_the_processledare_has_no_worklist_nor_episodes(personas: Personas) -> None:
    shown = menu(login(personas.processledare), "/follow-up/")
    assert "Att göra" not in shown and "Vårdtillfällen" not in shown
    assert {"Uppföljning", "Betalningsansvar", "Avvikelser"} <= set(shown)


@pytest.mark.parametrize("name", PERSONAS)
def test_the_start_page_sends_each_role_to_its_work(name: str, personas: Personas) -> None:
    response = login(getattr(personas, name)).get(reverse("start"))
    assert response.status_code == 302
    assert response["Location"] == LANDS.get(name, "/")


def test_the_login_lands_on_the_start_page(personas: Personas) -> None:
    client = Client()
    response = client.post(
        reverse("login"),
        {"username": "joint_group", "password": "correct horse battery staple"},
        follow=True,
    )
    assert [url for url, _status in response.redirect_chain] == ["/start/", "/follow-up/"]
    assert response.status_code == 200


def test_the_admin_without_a_membership_starts_on_the_admin(db: None) -> None:
    client = Client()
    client.force_login(make_user("sysadmin", is_staff=True, is_superuser=True))
    assert client.get(reverse("start"))["Location"] == reverse("admin:index")
