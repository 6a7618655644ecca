"""discharges.views: a personnummer never lands in a URL, a redirect or a log line.

Finding a patient by personnummer goes through a POST and redirects by patient id; unknown and
out-of-scope patients are answered alike; the query string does not match numbers.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from discharges.models import Episode, EventKind
from tests.conftest import Personas, login
from tests.discharges.pages import (
    FIND_URL,
    LIST_URL,
    MISSING_ID,
    WORKLIST_URL,
    assert_no_number,
    detail_url,
    links,
    listed_ids,
    message_url,
)

# --- Personnummer never in a URL --------------------------------------------------------------


@pytest.mark.parametrize("form", ["twelve", "twelve-hyphen", "ten-hyphen"])
def test_it_finds_by_personnummer_through_post_and_redirects_by_patient_id(
    form: str, nurse: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    typed = {
        "twelve": number,
        "twelve-hyphen": f"{number[:8]}-{number[8:]}",
        "ten-hyphen": f"{number[2:8]}-{number[8:]}",
    }[form]
    response = nurse.post(FIND_URL, {"personnummer": typed})
    assert response.status_code == 302
    location = response["Location"]
    assert f"patient={noticed.patient_id}" in location
    assert_no_number(location, number)
    page = nurse.get(location)
    assert listed_ids(page) == {noticed.pk}


def test_it_answers_find_for_an_unknown_and_an_out_of_scope_patient_alike(
    personas: Personas, noticed: Episode, new_personnummer: Callable[..., str]
) -> None:
    user = personas.other_kommun_planner
    out_of_scope = login(user).post(FIND_URL, {"personnummer": noticed.patient.personnummer})
    unknown = login(user).post(FIND_URL, {"personnummer": new_personnummer()})
    assert out_of_scope.status_code == unknown.status_code == 302
    assert out_of_scope["Location"] == unknown["Location"] == LIST_URL
    levels = [m.level_tag for m in get_messages(out_of_scope.wsgi_request)]
    assert levels == [m.level_tag for m in get_messages(unknown.wsgi_request)] == ["info"]


def test_it_refuses_a_bad_personnummer_in_find_without_echoing_it(nurse: Client) -> None:
    typed = "194103151010"  # wrong check digit
    response = nurse.post(FIND_URL, {"personnummer": typed}, follow=True)
    assert response.redirect_chain == [(LIST_URL, 302)]
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert typed not in messages[0]
    assert typed not in response.content.decode()


def test_it_keeps_the_personnummer_out_of_every_link_and_redirect(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    found = nurse.post(FIND_URL, {"personnummer": number})
    sent = nurse.post(
        message_url(noticed.pk, EventKind.TRACK_COLOUR),
        {"version": noticed.version, "colour": "green"},
    )
    assert sent.status_code == 302
    responses = [found, sent]
    for client in (nurse, planner):
        responses += [
            client.get(LIST_URL),
            client.get(LIST_URL, {"status": "all"}),
            client.get(found["Location"]),
            client.get(detail_url(noticed.pk)),
            client.get(WORKLIST_URL),
        ]
    # The number is shown on the pages, never inside a link.
    assert f"{number[:8]}-{number[8:]}" in responses[-2].content.decode()
    for response in responses:
        if response.status_code in (301, 302):
            assert_no_number(response["Location"], number)
        else:
            assert response.status_code == 200
            for link in links(response.content):
                assert_no_number(link, number)


@pytest.mark.parametrize("form", ["twelve", "ten", "ten-hyphen"])
def test_it_does_not_match_a_personnummer_given_in_the_query_string(
    form: str, nurse: Client, noticed: Episode
) -> None:
    number = noticed.patient.personnummer
    query = {"twelve": number, "ten": number[2:], "ten-hyphen": f"{number[2:8]}-{number[8:]}"}
    response = nurse.get(LIST_URL, {"status": "all", "q": query[form]})
    assert response.status_code == 200
    assert listed_ids(response) == set()
    # By name it is found.
    by_name = nurse.get(LIST_URL, {"status": "all", "q": noticed.patient.name})
    assert listed_ids(by_name) == {noticed.pk}


@pytest.fixture
def request_log() -> Iterator[io.StringIO]:
    """What the configured handlers of the django.request logger write."""
    logger = logging.getLogger("django.request")
    streams = []
    for handler in logger.handlers:
        if isinstance(handler, logging.StreamHandler):
            stream = io.StringIO()
            streams.append((handler, handler.setStream(stream)))
    assert streams, "django.request has no stream handler"
    out = streams[0][0].stream
    try:
        yield out
    finally:
        for handler, old in streams:
            handler.setStream(old)


def test_it_keeps_the_personnummer_out_of_the_404_log(
    nurse: Client,
    noticed: Episode,
    caplog: pytest.LogCaptureFixture,
    request_log: io.StringIO,
) -> None:
    number = noticed.patient.personnummer
    logger = logging.getLogger("django.request")
    logger.addHandler(caplog.handler)  # django.request does not propagate to the root
    try:
        with caplog.at_level(logging.WARNING, logger="django.request"):
            for path in (
                f"/episodes/{number}/",
                f"/episodes/{number[2:]}/",
                f"/api/episodes/{number}/",
                f"/episodes/{MISSING_ID}/?q={number}",
            ):
                assert nurse.get(path).status_code == 404, path
    finally:
        logger.removeHandler(caplog.handler)
    assert len([r for r in caplog.records if r.status_code == 404]) == 4
    assert_no_number(caplog.text, number)
    written = request_log.getvalue()
    assert written.count("\n") >= 4
    assert_no_number(written, number)
