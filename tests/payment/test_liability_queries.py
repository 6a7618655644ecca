"""The liability month page reads as many queries for many episodes as for one (issue 15).

Each episode line's explanation asked the agreement for its terms, and each time the daily
amounts were read anew: one query per line (29 on a month page of the benchmark's Stockholm
at 20,000 episodes). The agreements of the page are now read with their daily amounts.
The set of stays is tests/payment/test_views.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from discharges.models import Episode, Patient
from tests.conftest import Personas, login
from tests.payment.test_views import agreement, month_url, stays  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> tuple[int, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["shown"])


def test_the_month_page_reads_the_same_queries_for_one_episode_and_for_five(
    personas: Personas,
    stays: dict[str, list[Episode]],  # noqa: F811
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> None:
    client = login(personas.kommun_planner)
    url = month_url("2480", "2024-04")
    one, shown = _queries(client, url)
    assert shown == 1
    add_stay = stays_adder(personas, make_patient, make_episode)
    for _ in range(4):
        add_stay(date(2024, 4, 10), date(2024, 4, 12))
    many, shown = _queries(client, url)
    assert shown == 5
    assert many == one


def stays_adder(
    personas: Personas,
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
) -> Callable[[date, date], Episode]:
    from discharges import services
    from discharges.models import Destination
    from discharges.services import Actor
    from tests.payment.test_views import at

    def stay(ready: date, discharged: date) -> Episode:
        admitted = ready - timedelta(days=2)
        episode = make_episode(make_patient(), admitted_at=at(admitted, 8))
        ward = Actor(personas.integration, episode.ward)
        services.send_admission_notice(
            actor=ward, episode=episode, preliminary_ready_date=ready, occurred_at=at(admitted, 9)
        )
        services.send_ready_notice(
            actor=ward, episode=episode, ready_date=ready, occurred_at=at(ready, 10)
        )
        services.register_discharge(
            actor=ward,
            episode=episode,
            destination=Destination.HOME,
            occurred_at=at(discharged, 11),
        )
        return episode

    return stay


def test_the_month_page_shows_a_page_of_lines_liable_first_with_the_totals_over_all(
    personas: Personas,
    stays: dict[str, list[Episode]],  # noqa: F811
    make_patient: Callable[..., Patient],
    make_episode: Callable[..., Episode],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """April 2024 in Umeå is liable: the stay of the fixture (11, 12 April) and three more
    with liable days, and two discharged in April on their ready date (no waiting day)."""
    from discharges.models import AccessLogEntry
    from payment import views

    monkeypatch.setattr(views, "MONTH_PAGE_LINES", 2)
    add_stay = stays_adder(personas, make_patient, make_episode)
    free = [add_stay(date(2024, 4, 5), date(2024, 4, 5)) for _ in range(2)]
    liable = [add_stay(date(2024, 4, 20), date(2024, 4, 22)) for _ in range(3)]
    client = login(personas.kommun_planner)
    url = month_url("2480", "2024-04")
    pages = [client.get(url, {"page": n}) for n in (1, 2, 3)]
    shown = [[item["line"].pk for item in page.context["shown"]] for page in pages]
    assert [len(s) for s in shown] == [2, 2, 2]
    # The four lines with liable days in April first, then the two without.
    assert set(shown[2]) == {e.pk for e in free}
    assert {e.pk for e in liable} < set(shown[0] + shown[1])
    text = pages[0].content.decode()
    assert "Visar 1–2 av 6, de med betalningsansvar i månaden först." in text
    assert "Sida 1 av 3" in text
    # The totals are the month's, over every line: 4 stays x 2 days x 9 300 kr.
    assert pages[2].context["row"].liable_days == 8
    assert pages[2].context["row"].amount_sek == 8 * 9300
    # Each page logs the lines it shows, and only those.
    logged = AccessLogEntry.objects.filter(detail="liability vasterbotten 2024-04")
    every_shown = sorted(pk for page in shown for pk in page)
    assert sorted(logged.values_list("episode_id", flat=True)) == every_shown
