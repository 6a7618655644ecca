"""The liability pages in Swedish: a kommun's name where the table showed its bare code
("2480"), the care type's label where it showed "all", and amounts and counts with a no-break
space between thousands ("18 600 kr", not "18600"), on the list and on the month page, for the
kommun planner and the region's roles alike. The stays are tests/payment/test_views.py's
(Umeå liable in 2024-04: 2 days, 18 600 kr)."""

from __future__ import annotations

import html
import re

import pytest

from payment.templatetags.liability import care_type_label, integer, kronor
from tests.conftest import Personas, login, persona
from tests.payment.test_views import (  # noqa: F401 (fixtures)
    LIABILITY_URL,
    PERIOD,
    agreement,
    month_url,
    stays,
)

NBSP = "\u00a0"


def cells(page: str, element: str = "td") -> list[str]:
    """The text of every cell of the liability table (tags dropped, entities read)."""
    table = page[page.index('id="liability-rows"') :]
    table = table[: table.index("</table>")]
    found = re.findall(rf"<{element}[^>]*>(.*?)</{element}>", table, flags=re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in found]


def rows(page: str) -> list[list[str]]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [cells(f'id="liability-rows"{tr}</table>') for tr in body.split("<tr>")[1:]]


def test_the_filters_write_swedish_numbers_and_labels() -> None:
    assert integer(1134600) == f"1{NBSP}134{NBSP}600"
    assert integer(0) == "0"
    assert kronor(18600) == f"18{NBSP}600{NBSP}kr"
    assert kronor(None) == f"–{NBSP}kr"
    assert (care_type_label("all"), care_type_label("somatik")) == ("Alla", "Somatik")
    assert care_type_label("psykiatri") == "Psykiatri"


@pytest.mark.usefixtures("stays")
@pytest.mark.parametrize("name", ["processledare", "joint_group", "kommun_planner"])
def test_the_list_shows_names_labels_and_formatted_amounts(name: str, personas: Personas) -> None:
    response = login(persona(personas, name)).get(LIABILITY_URL, PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    table = rows(page)
    april = next(r for r in table if r[0] == "Umeå" and r[2] == "2024-04")
    assert april[1] == "Alla"
    assert april[8:10] == ["2", f"18{NBSP}600{NBSP}kr"]
    # No cell shows a bare code or an unformatted amount.
    every = [cell for row in table for cell in row]
    assert not {"2480", "2482", "all", "somatik", "psykiatri", "18600"} & set(every)
    assert {r[0] for r in table} <= {"Umeå", "Skellefteå"}
    total = cells(page, "th")[-3:-1]  # the foot's liable days and amount
    assert total == ["2", f"18{NBSP}600{NBSP}kr"]


@pytest.mark.usefixtures("stays")
def test_the_month_page_shows_the_amount_and_care_type_in_swedish(personas: Personas) -> None:
    client = login(personas.kommun_planner)
    page = client.get(month_url("2480", "2024-04")).content.decode()
    text = html.unescape(page)
    assert f"belopp 18{NBSP}600 kr." in text  # "Liable days this month: 2, amount ..."
    assert f"2 dagar med betalningsansvar · 18{NBSP}600{NBSP}kr" in text  # the episode
    assert "18600" not in text
    psychiatric = html.unescape(
        client.get(month_url("2480", "2024-04", "psykiatri")).content.decode()
    )
    heading = re.search(r"<h1>(.*?)</h1>", psychiatric, flags=re.S)
    assert heading is not None
    assert heading.group(1).strip() == "2480 Umeå · 2024-04 · Psykiatri"
