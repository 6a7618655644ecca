"""Hostile and boundary input never answers 500 and never changes anything (issue 7).

DEBUG is off and the test client returns the 500 page instead of raising, as in production.

- List filters and ids in URLs (pages, API, liability, follow-up, admin): NUL bytes, 10 MB
  strings, huge and negative numbers, far months. Each answer is a 4xx, or a 200 where the
  value is ignored with a sensible default.
- Message forms, on the page and through the API: each field of each kind gets the hostile
  values of its type, every other field a valid value (``VALID``: accepted as such, see
  ``test_the_valid_values_of_each_kind_are_accepted``). Each answer is a 4xx and the episode's
  version and the number of events and episodes stay as they were.

``DATE_VALUES`` is the table of boundary dates (year 1, year 9999, ...): its rows are sent to
every date and date-time field of every message form.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import services
from discharges.forms import MESSAGE_FORMS
from discharges.models import (
    AccessLogEntry,
    ClosureReason,
    Destination,
    Episode,
    EpisodeEvent,
    EventKind,
    TrackColour,
)
from payment.loader import load_agreement
from tests.conftest import OrgTree, Personas, make_user
from tests.csvfiles import run_command

NUL = "a\x00b"
TEN_MB = "x" * (10 * 1024 * 1024)
HUGE = "99999999999999999999"  # beyond a 64-bit integer
NEGATIVE = "-1"
HUGE_NEGATIVE = "-99999999999999999999"

# Boundary dates for every date and date-time field of the message forms (``YYYY-MM-DD``;
# date-time fields get ``T12:00`` appended). Add rows here.
DATE_VALUES: list[str] = ["0001-01-01", "1899-12-31", "9999-12-31", "2026-02-30"]


def quiet_client(user: AbstractUser) -> Client:
    """A client that answers as production does: the 500 page instead of an exception."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def debug_off(settings: Any) -> None:
    settings.DEBUG = False


@pytest.fixture
def superuser(db: None) -> AbstractUser:
    return make_user("systemforvaltare", is_staff=True, is_superuser=True)


@dataclass
class Stored:
    """What a refused request must leave unchanged."""

    episode: Episode

    def now(self) -> tuple[int, int, int, int]:
        version = Episode.objects.get(pk=self.episode.pk).version
        return (
            version,
            EpisodeEvent.objects.filter(episode_id=self.episode.pk).count(),
            EpisodeEvent.objects.count(),
            Episode.objects.count(),
        )


# --- List filters and ids in URLs --------------------------------------------------------------

EPISODES = "/episodes/"
API_EPISODES = "/api/episodes/"
LIABILITY = "/liability/"
EXPORT = "/liability/vasterbotten/export.csv"
FOLLOW_UP = "/follow-up/"
ADMIN_PATIENTS = "/admin/discharges/patient/"
ADMIN_EPISODES = "/admin/discharges/episode/"
ADMIN_EVENTS = "/admin/discharges/episodeevent/"

# (path, query, who asks)
QUERIES = [
    (EPISODES, {"q": NUL}, "ward_nurse"),
    (EPISODES, {"q": TEN_MB}, "ward_nurse"),
    (EPISODES, {"status": NUL}, "ward_nurse"),
    (EPISODES, {"status": TEN_MB}, "ward_nurse"),
    (EPISODES, {"page": HUGE}, "ward_nurse"),
    (EPISODES, {"page": HUGE_NEGATIVE}, "ward_nurse"),
    (EPISODES, {"page": NEGATIVE}, "ward_nurse"),
    (EPISODES, {"page": NUL}, "ward_nurse"),
    (EPISODES, {"page": "2"}, "ward_nurse"),
    (EPISODES, {"patient": HUGE}, "ward_nurse"),
    (EPISODES, {"patient": NEGATIVE}, "ward_nurse"),
    (EPISODES, {"patient": "²"}, "ward_nurse"),  # a digit to str.isdigit, not to int()
    (EPISODES, {"patient": NUL}, "ward_nurse"),
    (API_EPISODES, {"page": HUGE}, "ward_nurse"),
    (API_EPISODES, {"page": NEGATIVE}, "ward_nurse"),
    (API_EPISODES, {"page": NUL}, "ward_nurse"),
    (API_EPISODES, {"status": NUL}, "ward_nurse"),
    (API_EPISODES, {"status": TEN_MB}, "ward_nurse"),
    (LIABILITY, {"from": "0001-01", "to": "9999-12"}, "kommun_planner"),
    (LIABILITY, {"from": "9999-12", "to": "9999-12"}, "kommun_planner"),
    (LIABILITY, {"from": NUL, "to": HUGE}, "kommun_planner"),
    (LIABILITY, {"from": "2024-01", "to": TEN_MB}, "kommun_planner"),
    (LIABILITY, {"agreement": NUL, "kommun": NUL}, "kommun_planner"),
    (EXPORT, {"from": "0001-01", "to": "9999-12"}, "kommun_planner"),
    (EXPORT, {"from": "0001-01", "to": "9999-12", "detail": "1"}, "kommun_planner"),
    (EXPORT, {"from": "2024-01", "to": "2024-02", "kommun": NUL}, "kommun_planner"),
    (FOLLOW_UP, {"months": HUGE}, "kommun_planner"),
    (FOLLOW_UP, {"months": NUL, "care_type": NUL, "kommun": NUL}, "kommun_planner"),
    (ADMIN_PATIENTS, {"q": NUL}, "superuser"),
    (ADMIN_PATIENTS, {"q": TEN_MB}, "superuser"),
    (ADMIN_PATIENTS, {"p": HUGE}, "superuser"),
    (ADMIN_PATIENTS, {"kommun__region__organisation_ptr__exact": HUGE}, "superuser"),
    (ADMIN_EPISODES, {"q": NUL}, "superuser"),
    (ADMIN_EPISODES, {"admitted_at__year": HUGE}, "superuser"),
    (ADMIN_EVENTS, {"recorded_at__year": HUGE, "recorded_at__month": "13"}, "superuser"),
    (ADMIN_EVENTS, {"recorded_at__year": "9999"}, "superuser"),
    (ADMIN_EVENTS, {"recorded_at__year": "9999", "recorded_at__month": "12"}, "superuser"),
    (
        ADMIN_EPISODES,
        {"admitted_at__year": "2026", "admitted_at__month": "1", "admitted_at__day": HUGE},
        "superuser",
    ),
    ("/admin/discharges/accesslogentry/", {"at__year": "9999", "e": NUL}, "superuser"),
    ("/admin/discharges/kommun/", {"region__organisation_ptr__exact": HUGE}, "superuser"),
    ("/admin/discharges/membership/", {"q": TEN_MB}, "superuser"),
    ("/admin/payment/agreement/", {"region__organisation_ptr__exact": HUGE}, "superuser"),
    ("/admin/analysis/monthlystatistic/", {"month__year": "9999"}, "superuser"),
]

PATHS = [
    ("/episodes/99999999999999999999/", "ward_nurse"),
    ("/api/episodes/99999999999999999999/", "ward_nurse"),
    ("/liability/vasterbotten/2480/all/9999-12/", "kommun_planner"),
    ("/liability/vasterbotten/2480/all/0001-01/", "kommun_planner"),
    ("/liability/vasterbotten/2480/all/99999999999999999999-01/", "kommun_planner"),
    ("/admin/discharges/patient/999999/change/", "superuser"),
    ("/admin/discharges/patient/abc/change/", "superuser"),
    ("/admin/discharges/patient/99999999999999999999/change/", "superuser"),
    ("/admin/discharges/patient/999999/history/", "superuser"),
    ("/admin/discharges/episode/999999/change/", "superuser"),
    ("/admin/discharges/episode/abc/history/", "superuser"),
    ("/admin/discharges/episodeevent/999999/change/", "superuser"),
    ("/admin/discharges/consentrecord/abc/change/", "superuser"),
]


@pytest.fixture
def scenery(personas: Personas, superuser: AbstractUser, episode: Episode) -> dict[str, Any]:
    load_agreement(Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml")
    users = {"superuser": superuser, "ward_nurse": personas.ward_nurse}
    users["kommun_planner"] = personas.kommun_planner
    return users


def label(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else f"{text[:20]}...({len(text)} chars)"


@pytest.mark.parametrize(
    ("path", "query", "who"),
    QUERIES,
    ids=[f"{p}{'&'.join(f'{k}={label(v)}' for k, v in q.items())}" for p, q, _w in QUERIES],
)
def test_a_hostile_list_filter_is_a_4xx_or_ignored_never_a_500(
    scenery: dict[str, Any], episode: Episode, path: str, query: dict[str, str], who: str
) -> None:
    stored = Stored(episode)
    before = stored.now()
    response = quiet_client(scenery[who]).get(path, query)
    assert response.status_code < 500
    assert stored.now() == before
    if response.status_code < 300 and response.get("Content-Type", "").startswith("text/html"):
        assert "\x00" not in response.content.decode()


@pytest.mark.parametrize(("path", "who"), PATHS, ids=[p for p, _w in PATHS])
def test_a_hostile_id_in_the_path_is_a_4xx_or_a_redirect_never_a_500(
    scenery: dict[str, Any], episode: Episode, path: str, who: str
) -> None:
    before = AccessLogEntry.objects.count()
    response = quiet_client(scenery[who]).get(path)
    assert response.status_code < 500
    if response.status_code >= 300:
        # Nothing was shown, so nothing is logged (a row for a missing patient would not even
        # be storable: it breaks the foreign key).
        assert AccessLogEntry.objects.count() == before


def test_a_page_beyond_the_end_of_the_list_is_not_found(
    scenery: dict[str, Any], episode: Episode
) -> None:
    client = quiet_client(scenery["ward_nurse"])
    assert client.get(EPISODES, {"page": "1"}).status_code == 200
    for page in ("2", "20000", HUGE):
        response = client.get(EPISODES, {"page": page})
        assert response.status_code == 404, page
    # Not a number: the first page, as a user following an old link expects.
    assert client.get(EPISODES, {"page": "sista"}).context["page"].number == 1


@pytest.mark.parametrize(
    "query",
    [
        {"from": "0001-01", "to": "9999-12"},
        {"from": "1999-12", "to": "2000-01"},
        {"from": "2000-01", "to": "2010-01"},
        {"from": "2024-13"},
        {"to": NUL},
    ],
    ids=["year-1-to-9999", "before-2000", "over-ten-years", "month-13", "nul"],
)
def test_a_liability_period_out_of_range_is_refused_in_swedish(
    scenery: dict[str, Any], query: dict[str, str]
) -> None:
    client = quiet_client(scenery["kommun_planner"])
    page = client.get(LIABILITY, query)
    assert page.status_code == 400
    assert "Perioden" in page.content.decode()
    export = client.get(EXPORT, query)
    assert export.status_code == 400
    assert "Perioden" in export.content.decode()


# --- Message forms: pages and API --------------------------------------------------------------


@dataclass(frozen=True)
class KindCase:
    state: str  # a ``conftest.FLOW_STATES`` state in which the kind is offered
    sender: str  # the persona who sends it
    then: Callable[[Episode, Personas], Any] | None = None  # a step beyond the state


def _sip_held(episode: Episode, personas: Personas) -> None:
    services.record_sip_held(
        actor=personas.hc_actor, episode=episode, held_date=timezone.localdate()
    )


CASES: dict[str, KindCase] = {
    EventKind.ADMISSION_NOTICE: KindCase("registered", "ward_nurse"),
    EventKind.PRELIMINARY_DATE_CHANGED: KindCase("noticed", "ward_nurse"),
    EventKind.ADMISSION_ANSWER: KindCase("noticed", "kommun_planner"),
    EventKind.NAMED_CARE_CONTACT: KindCase("noticed", "hc_coordinator"),
    EventKind.TRACK_COLOUR: KindCase("noticed", "ward_nurse"),
    EventKind.READY_NOTICE: KindCase("noticed", "ward_nurse"),
    EventKind.READY_NOTICE_WITHDRAWN: KindCase("ready", "ward_nurse"),
    EventKind.SIP_INITIATIVE: KindCase("noticed", "ward_nurse"),
    EventKind.SIP_INVITATION: KindCase("noticed", "hc_coordinator"),
    EventKind.SIP_HELD: KindCase("sip_invited", "hc_coordinator"),
    EventKind.SIP_CANCELLED: KindCase("sip_invited", "ward_nurse"),
    EventKind.SIP_FOLLOW_UP_DONE: KindCase("sip_invited", "hc_coordinator", _sip_held),
    EventKind.SOL_PLANNING_DONE: KindCase("noticed", "kommun_planner"),
    EventKind.HSL_PLANNING_DONE: KindCase("noticed", "kommun_planner"),
    EventKind.KOMMUN_READY: KindCase("noticed", "kommun_planner"),
    EventKind.HOMECOMING_PROPOSED: KindCase("ready", "ward_nurse"),
    EventKind.HOMECOMING_ACKNOWLEDGED: KindCase("ready", "kommun_planner"),
    EventKind.DISCHARGE: KindCase("noticed", "ward_nurse"),
    EventKind.CLOSED: KindCase("noticed", "ward_nurse"),
    EventKind.RECIPIENTS_CHANGED: KindCase("noticed", "ward_nurse"),
}


def valid_values(kind: str, org_tree: OrgTree) -> dict[str, str]:
    """Values of every field but ``version`` that the kind's form and service accept."""
    today = timezone.localdate()
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    values = {
        EventKind.ADMISSION_NOTICE: {
            "preliminary_ready_date": str(today + timedelta(days=2)),
            "reason": "Höftfraktur",
        },
        EventKind.PRELIMINARY_DATE_CHANGED: {"preliminary_ready_date": str(today + timedelta(5))},
        EventKind.ADMISSION_ANSWER: {
            "current_services": "true",
            "services": "Hemtjänst",
            "social_network": "Make",
            "aids": "Rollator",
        },
        EventKind.NAMED_CARE_CONTACT: {"name": "Anna Berg, distriktssköterska", "phone": "090-1"},
        EventKind.TRACK_COLOUR: {"colour": TrackColour.YELLOW, "sip_needed": "true"},
        EventKind.READY_NOTICE: {"ready_date": str(today)},
        EventKind.READY_NOTICE_WITHDRAWN: {"reason": "Feber"},
        EventKind.SIP_INITIATIVE: {"note": "Behov av SIP"},
        EventKind.SIP_INVITATION: {"meeting_at": tomorrow},
        EventKind.SIP_HELD: {
            "held_date": str(today),
            "place": "home",
            "follow_up_date": str(today + timedelta(days=14)),
        },
        EventKind.SIP_FOLLOW_UP_DONE: {"done_date": str(today)},
        EventKind.SIP_CANCELLED: {"reason": "Inte längre aktuellt"},
        EventKind.HOMECOMING_PROPOSED: {"homecoming_at": tomorrow},
        EventKind.HOMECOMING_ACKNOWLEDGED: {"homecoming_at": tomorrow},
        EventKind.DISCHARGE: {"destination": Destination.HOME, "needs_outcome": "unchanged"},
        EventKind.CLOSED: {"reason": ClosureReason.NO_NEEDS},
        EventKind.RECIPIENTS_CHANGED: {
            "kommun": str(org_tree.skelleftea.pk),
            "health_centre": str(org_tree.hc_skelleftea.pk),
        },
    }.get(kind, {})
    # Sent as confirmed: the page's warnings for unlikely values (discharges.plausibility) are
    # not what these tests are about.
    return {"occurred_at": "", "confirmed": "1", **values}


def hostile_values(field: forms.Field) -> list[str]:
    """The hostile values for a field of this type (text fields take any short text)."""
    values = [NUL, TEN_MB]
    if isinstance(field, forms.DateField | forms.DateTimeField):
        suffix = "T12:00" if isinstance(field, forms.DateTimeField) else ""
        values += [HUGE, NEGATIVE, *(f"{d}{suffix}" for d in DATE_VALUES)]
    elif isinstance(field, forms.IntegerField | forms.ChoiceField):
        values += [HUGE, NEGATIVE, HUGE_NEGATIVE]
    return values


HOSTILE_FIELDS = [
    (kind, name, value)
    for kind, (form_class, _service) in MESSAGE_FORMS.items()
    for name, field in form_class.base_fields.items()
    for value in hostile_values(field)
]


@pytest.fixture
def at_state(
    episode: Episode, advance: Callable[..., Episode], personas: Personas
) -> Callable[[str], tuple[Episode, Client, Client]]:
    """The episode brought to the kind's state; the sender's page and API clients."""

    def make(kind: str) -> tuple[Episode, Client, Client]:
        case = CASES[kind]
        advance(episode, case.state)
        if case.then is not None:
            case.then(Episode.objects.get(pk=episode.pk), personas)
        user = getattr(personas, case.sender)
        return Episode.objects.get(pk=episode.pk), quiet_client(user), quiet_client(user)

    return make


def page_url(episode: Episode, kind: str) -> str:
    return reverse("discharges:send_message", args=[episode.pk, kind])


def api_url(episode: Episode, kind: str) -> str:
    return reverse("api:send_message", args=[episode.pk, kind])


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("kind", list(MESSAGE_FORMS))
def test_the_valid_values_of_each_kind_are_accepted(
    kind: str,
    at_state: Callable[[str], tuple[Episode, Client, Client]],
    org_tree: OrgTree,
) -> None:
    """The baseline of the hostile tests: with no hostile value the message is stored."""
    episode, page, _api = at_state(kind)
    values = {**valid_values(kind, org_tree), "version": str(episode.version)}
    response = page.post(page_url(episode, kind), values)
    assert response.status_code == 302, response.context and response.context["forms"]
    assert Episode.objects.get(pk=episode.pk).version == episode.version + 1
    assert set(CASES) == set(MESSAGE_FORMS)


@pytest.mark.parametrize("kind", list(MESSAGE_FORMS))
def test_the_valid_values_of_each_kind_are_accepted_by_the_api(
    kind: str,
    at_state: Callable[[str], tuple[Episode, Client, Client]],
    org_tree: OrgTree,
) -> None:
    episode, _page, api = at_state(kind)
    values = {**valid_values(kind, org_tree), "version": episode.version}
    response = post_json(api, api_url(episode, kind), values)
    assert response.status_code == 201, response.content
    assert Episode.objects.get(pk=episode.pk).version == episode.version + 1


def hostile_case(kind: str, field: str, value: str, through: str) -> str:
    """The name of one hostile case (as its test id was when each case was a test)."""
    return f"{through}-{kind}-{field}-{label(value)}"


@pytest.mark.parametrize("kind", list(MESSAGE_FORMS))
@pytest.mark.parametrize("through", ["page", "api"])
def test_a_hostile_value_in_a_message_form_is_refused_and_changes_nothing(
    kind: str,
    through: str,
    at_state: Callable[[str], tuple[Episode, Client, Client]],
    org_tree: OrgTree,
) -> None:
    """Every hostile value of every field of the kind (``HOSTILE_FIELDS``), one request each.

    The cases of a kind share one episode brought to the kind's state (the setup is most of a
    case's cost): each case is refused and changes nothing, so the next one starts from the
    same state; each runs in a savepoint, and every failing case is named in the message."""
    episode, page, api = at_state(kind)
    stored = Stored(episode)
    before = stored.now()
    cases = [(field, value) for k, field, value in HOSTILE_FIELDS if k == kind]
    assert cases, f"no hostile values for {kind}"
    failures: list[str] = []
    for field, value in cases:
        name = hostile_case(kind, field, value, through)
        values: dict[str, Any] = {**valid_values(kind, org_tree), "version": str(episode.version)}
        values[field] = value
        try:
            with transaction.atomic():
                if through == "page":
                    response = page.post(page_url(episode, kind), values)
                else:
                    response = post_json(api, api_url(episode, kind), values)
                after = stored.now()
        except Exception as exc:  # reported with the case's name below
            failures.append(f"{name}: raised {exc!r}")
            continue
        if not 400 <= response.status_code < 500:
            failures.append(f"{name}: answered {response.status_code}, not a 4xx")
        if after != before:
            failures.append(
                f"{name}: changed (version, events, all events, episodes) {before} -> {after}"
            )
    if failures:
        listed = "\n".join(failures)
        pytest.fail(f"{len(failures)} of {len(cases)} hostile cases failed:\n{listed}")


@pytest.mark.parametrize(
    "body",
    [[], ["version", 1], "note", 7, None, {"note": ["a", "b"]}, {"note": {"a": 1}}],
    ids=["empty-list", "list", "string", "number", "null", "list-value", "object-value"],
)
def test_the_api_refuses_a_body_that_is_not_an_object_of_plain_values(
    body: Any, at_state: Callable[[str], tuple[Episode, Client, Client]]
) -> None:
    episode, _page, api = at_state(EventKind.SIP_INITIATIVE)
    stored = Stored(episode)
    before = stored.now()
    if isinstance(body, dict):
        body = {**body, "version": episode.version}
    response = post_json(api, api_url(episode, EventKind.SIP_INITIATIVE), body)
    assert response.status_code == 400, response.content
    assert stored.now() == before


def test_the_api_refuses_broken_json(
    at_state: Callable[[str], tuple[Episode, Client, Client]],
) -> None:
    episode, _page, api = at_state(EventKind.SIP_INITIATIVE)
    url = api_url(episode, EventKind.SIP_INITIATIVE)
    response = api.post(url, "{", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("value", [NUL, TEN_MB], ids=label)
@pytest.mark.parametrize("action", ["give", "withdraw"])
def test_a_hostile_consent_note_is_refused_and_changes_nothing(
    value: str, action: str, episode: Episode, personas: Personas
) -> None:
    patient = episode.patient
    response = quiet_client(personas.ward_nurse).post(
        reverse("discharges:consent", args=[episode.pk, action]), {"note": value}
    )
    assert 300 <= response.status_code < 500
    assert patient.consent_records.count() == 0


@pytest.mark.parametrize("through", ["page", "api"])
def test_a_huge_event_id_to_acknowledge_is_not_found(
    through: str, at_state: Callable[[str], tuple[Episode, Client, Client]]
) -> None:
    episode, page, api = at_state(EventKind.ADMISSION_ANSWER)
    name = "discharges:acknowledge" if through == "page" else "api:acknowledge"
    client = page if through == "page" else api
    response = client.post(reverse(name, args=[episode.pk, 1]).replace("/1/", f"/{HUGE}/"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("first", "last"),
    [("0001-01", "9999-12"), ("2026-01", "99999999999999999999-01"), ("1999-12", "2000-01")],
)
def test_the_payment_report_command_refuses_months_out_of_range(
    db: None, first: str, last: str
) -> None:
    load_agreement(Path(settings.BASE_DIR) / "payment" / "agreements" / "vasterbotten.toml")
    with pytest.raises(CommandError, match=r"is outside the months a report covers|not a month"):
        run_command("payment_report", "--agreement", "vasterbotten", "--from", first, "--to", last)


def test_a_bad_request_is_answered_in_swedish(
    scenery: dict[str, Any], at_state: Callable[[str], tuple[Episode, Client, Client]]
) -> None:
    admin_list = quiet_client(scenery["superuser"]).get(ADMIN_PATIENTS, {"q": NUL})
    episode, page, _api = at_state(EventKind.SIP_INITIATIVE)
    too_big = page.post(page_url(episode, EventKind.SIP_INITIATIVE), {"note": TEN_MB})
    for response in (admin_list, too_big):
        assert response.status_code == 400
        assert "Begäran kunde inte läsas" in response.content.decode()
