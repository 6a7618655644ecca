"""The period, care type and region of the follow-up pages (analysis.queries), and what a page
answers to a value it cannot use: a 400 whose page says in Swedish what to change."""

from __future__ import annotations

from datetime import date

import pytest
from django.http import QueryDict
from django.urls import reverse

from analysis.queries import BadQuery, Query, parse_query
from tests.conftest import Personas, login

TODAY = date(2026, 11, 29)


def query(text: str) -> Query:
    return parse_query(QueryDict(text), today=TODAY, regions={"24"})


def test_the_default_is_13_complete_months() -> None:
    q = query("")
    assert (q.first, q.last, q.care_type, q.region) == (
        date(2025, 10, 1),
        date(2026, 10, 1),
        "all",
        "",
    )
    assert len(q.months) == 13


def test_months_gives_that_many_months_up_to_the_last_complete_one() -> None:
    q = query("months=24")
    assert (q.first, q.last, len(q.months)) == (date(2024, 11, 1), date(2026, 10, 1), 24)


def test_any_range_of_months_in_either_order_with_this_month_allowed() -> None:
    q = query("from=2026-11&to=2025-02&care_type=psykiatri")
    assert (q.first, q.last, q.care_type) == (date(2025, 2, 1), date(2026, 11, 1), "psykiatri")
    assert len(query("from=2026-03&to=2026-03").months) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("from=2026-13", "Från: ange en månad som ÅÅÅÅ-MM, t.ex. 2026-11."),
        ("to=26-01", "Till: ange en månad som ÅÅÅÅ-MM, t.ex. 2026-11."),
        ("to=2026-12", "Till: en månad från 2000-01 till 2026-11."),
        ("from=1999-12", "Från: en månad från 2000-01 till 2026-11."),
        ("from=2010-01&to=2026-01", "Perioden får vara högst 120 månader."),
        ("months=0", "Månader: ett heltal från 1 till 120."),
        ("months=abc", "Månader: ett heltal från 1 till 120."),
        ("care_type=all2", "Vårdform: alla vårdformer, somatik eller psykiatri."),
        ("region=01", "Region: välj en av de regioner du följer upp."),
        ("from=" + "9" * 30, "Adressen innehåller ett värde som är för långt eller felaktigt."),
        ("to=2026-01%00", "Adressen innehåller ett värde som är för långt eller felaktigt."),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_in_swedish(text: str, message: str) -> None:
    with pytest.raises(BadQuery) as refused:
        query(text)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-99"},
        {"to": "9999-01"},
        {"months": "-3"},
        {"care_type": "x"},
        {"months": "1" * 400},
    ],
)
def test_the_pages_answer_400_with_the_form_and_the_message(
    params: dict[str, str], personas: Personas
) -> None:
    client = login(personas.joint_group)
    for url in (reverse("analysis:dashboard"), reverse("analysis:kommun", args=["2480"])):
        response = client.get(url, params)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html and 'name="from"' in html
        assert "Månadsuppföljning" in html or "Umeå" in html


def test_months_24_shows_24_columns(personas: Personas) -> None:
    response = login(personas.joint_group).get(reverse("analysis:dashboard"), {"months": "24"})
    heat = response.context["page"].heat_table
    assert len(heat.headers) == 1 + 24
    # Longer than 13 months: one heat map per calendar year, each fitting the screen.
    years = {h.text[:4] for h in heat.headers[1:]}
    assert len(response.context["page"].heat_maps) == len(years) > 1
