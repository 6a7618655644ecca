"""Free text in messages has a length limit, defined once (issue 7, point 9).

``discharges.events.TEXT_LIMITS`` gives, per kind, the most characters each free-text payload
field holds. Every service refuses a longer text naming the field (Swedish message) and
stores nothing; a text of exactly the limit is stored. The page forms declare the same
``max_length`` (and so the API, which validates with them).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from discharges import services
from discharges.events import TEXT_LIMITS
from discharges.forms import MESSAGE_FORMS
from discharges.models import ClosureReason, Episode, EpisodeEvent, EventKind
from tests.conftest import Personas, login

TEN_MB = "x" * (10 * 1024 * 1024)

# kind -> (state of the episode, the sending persona's actor, the other arguments)
SENT: dict[str, tuple[str, str, dict[str, Any]]] = {
    EventKind.ADMISSION_NOTICE: (
        "registered",
        "ward_actor",
        {"preliminary_ready_date": timezone.localdate() + timedelta(days=2)},
    ),
    EventKind.ADMISSION_ANSWER: ("noticed", "kommun_actor", {"current_services": True}),
    EventKind.NAMED_CARE_CONTACT: ("noticed", "hc_actor", {"name": "Anna Berg"}),
    EventKind.READY_NOTICE_WITHDRAWN: ("ready", "ward_actor", {}),
    EventKind.SIP_INITIATIVE: ("noticed", "ward_actor", {}),
    EventKind.SIP_CANCELLED: ("sip_invited", "ward_actor", {}),
    EventKind.CLOSED: ("noticed", "ward_actor", {"reason": ClosureReason.NO_NEEDS}),
}
FIELDS = [(kind, field) for kind, limits in TEXT_LIMITS.items() for field in limits]
# Fields holding a code, refused unless a known one: limited, but not free text.
CODES = {(EventKind.CLOSED, "reason")}
FREE_TEXT = [f for f in FIELDS if f not in CODES]


def test_the_limits_cover_the_free_text_of_the_issue() -> None:
    assert set(FIELDS) >= {
        (EventKind.ADMISSION_NOTICE, "reason"),
        (EventKind.ADMISSION_ANSWER, "services"),
        (EventKind.ADMISSION_ANSWER, "social_network"),
        (EventKind.ADMISSION_ANSWER, "aids"),
        (EventKind.NAMED_CARE_CONTACT, "name"),
        (EventKind.NAMED_CARE_CONTACT, "phone"),
        (EventKind.READY_NOTICE_WITHDRAWN, "reason"),
        (EventKind.SIP_INITIATIVE, "note"),
        (EventKind.SIP_CANCELLED, "reason"),
    }
    assert set(SENT) == set(TEXT_LIMITS)


def send(
    kind: str, field: str, text: str, personas: Personas, episode: Episode
) -> EpisodeEvent:
    _state, sender, others = SENT[kind]
    _form, service = MESSAGE_FORMS[kind]
    result: EpisodeEvent = service(
        actor=getattr(personas, sender), episode=episode, **{**others, field: text}
    )
    return result


@pytest.fixture
def at_state(episode: Episode, advance: Callable[..., Episode]) -> Callable[[str], Episode]:
    def make(kind: str) -> Episode:
        advance(episode, SENT[kind][0])
        return Episode.objects.get(pk=episode.pk)

    return make


@pytest.mark.parametrize(("kind", "field"), FIELDS)
def test_a_10_mb_text_is_refused_naming_the_field_and_nothing_is_stored(
    kind: str, field: str, personas: Personas, at_state: Callable[[str], Episode]
) -> None:
    episode = at_state(kind)
    events = EpisodeEvent.objects.count()
    with pytest.raises(services.Refused) as refused:
        send(kind, field, TEN_MB, personas, episode)
    assert refused.value.field == field
    limit = TEXT_LIMITS[kind][field]
    assert refused.value.message == f"Högst {limit} tecken här; texten har {len(TEN_MB)}."
    assert Episode.objects.get(pk=episode.pk).version == episode.version
    assert EpisodeEvent.objects.count() == events


@pytest.mark.parametrize(("kind", "field"), FREE_TEXT)
def test_a_text_of_exactly_the_limit_is_stored_and_one_more_is_refused(
    kind: str, field: str, personas: Personas, at_state: Callable[[str], Episode]
) -> None:
    episode = at_state(kind)
    limit = TEXT_LIMITS[kind][field]
    with pytest.raises(services.Refused):
        send(kind, field, "å" * (limit + 1), personas, episode)
    event = send(kind, field, "å" * limit, personas, episode)
    assert EpisodeEvent.objects.get(pk=event.pk).data[field] == "å" * limit


@pytest.mark.parametrize(("kind", "field"), FREE_TEXT)
def test_the_forms_declare_the_same_limit(kind: str, field: str) -> None:
    form_class, _service = MESSAGE_FORMS[kind]
    limit = TEXT_LIMITS[kind][field]
    assert form_class.base_fields[field].max_length == limit
    assert f'maxlength="{limit}"' in str(form_class()[field])


@pytest.mark.parametrize(("kind", "field"), FREE_TEXT)
def test_the_api_refuses_one_character_too_many_naming_the_field(
    kind: str, field: str, personas: Personas, at_state: Callable[[str], Episode]
) -> None:
    episode = at_state(kind)
    sender = {"ward_actor": "ward_nurse", "kommun_actor": "kommun_planner"}
    user = getattr(personas, sender.get(SENT[kind][1], "hc_coordinator"))
    body = {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in SENT[kind][2].items()
    }
    body.update({field: "å" * (TEXT_LIMITS[kind][field] + 1), "version": episode.version})
    response = login(user).post(
        reverse("api:send_message", args=[episode.pk, kind]),
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    assert Episode.objects.get(pk=episode.pk).version == episode.version
