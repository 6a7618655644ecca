"""discharges.views: messages through the page, registering an episode, worklist deadlines.

- Messages: sent (302 to the episode), stale (409), refused (400, the error in the form), wrong
  party (403), unknown kind (404); each party is offered its own forms.
- Registering an episode is for ward staff only, at their own wards.
- The worklist shows dated and timed deadlines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import escape
from typing import Any

from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from discharges import services
from discharges.models import Episode, EpisodeEvent, EpisodeStatus, EventKind, Patient
from tests.conftest import OrgTree, Personas, fresh, login
from tests.discharges.pages import (
    REGISTER_URL,
    WORKLIST_URL,
    assert_no_number,
    detail_url,
    events,
    form_item,
    message_url,
)

# --- Messages through the page ----------------------------------------------------------------


def test_it_sends_a_message_and_redirects_to_the_episode(
    nurse: Client, personas: Personas, org_tree: OrgTree, episode: Episode
) -> None:
    preliminary = timezone.localdate() + timedelta(days=4)
    response = nurse.post(
        message_url(episode.pk, EventKind.ADMISSION_NOTICE),
        {"version": episode.version, "preliminary_ready_date": preliminary, "reason": "Stroke"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(episode.pk)
    event = EpisodeEvent.objects.filter(episode=episode).latest("seq")
    assert (event.kind, event.seq, event.author_id, event.organisation_id) == (
        EventKind.ADMISSION_NOTICE,
        2,
        personas.ward_nurse.pk,
        org_tree.ward.pk,
    )
    episode = fresh(episode)
    assert episode.version == 2
    assert episode.status == EpisodeStatus.PLANNING
    assert episode.preliminary_ready_date == preliminary
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_it_sends_a_kommun_message(planner: Client, org_tree: OrgTree, noticed: Episode) -> None:
    response = planner.post(
        message_url(noticed.pk, EventKind.ADMISSION_ANSWER),
        {"version": noticed.version, "current_services": "false", "social_network": "Dotter"},
    )
    assert response.status_code == 302
    event = EpisodeEvent.objects.filter(episode=noticed).latest("seq")
    assert event.kind == EventKind.ADMISSION_ANSWER
    assert event.organisation_id == org_tree.umea.pk
    assert event.data["current_services"] is False
    assert fresh(noticed).kommun_answered_at is not None


def test_it_answers_409_for_a_stale_version_and_adds_nothing(
    nurse: Client, personas: Personas, noticed: Episode
) -> None:
    opened = noticed.version
    services.answer_admission(actor=personas.kommun_actor, episode=noticed, current_services=True)
    response = nurse.post(
        message_url(noticed.pk, EventKind.PRELIMINARY_DATE_CHANGED),
        {
            "version": opened,
            "preliminary_ready_date": timezone.localdate() + timedelta(days=9),
        },
    )
    assert response.status_code == 409
    assert events(noticed) == opened + 1
    assert fresh(noticed).preliminary_date_changes == 0
    item = form_item(response, EventKind.PRELIMINARY_DATE_CHANGED)
    assert item is not None
    assert item["form"].is_bound
    [error] = item["form"].non_field_errors()
    assert escape(error) in response.content.decode()
    # The page now carries the current version for the next attempt.
    assert response.context["episode"].version == opened + 1


def test_it_shows_a_refused_field_in_the_form_without_echoing_the_personnummer(
    nurse: Client, noticed: Episode
) -> None:
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.PRELIMINARY_DATE_CHANGED),
        {"version": noticed.version, "preliminary_ready_date": noticed.preliminary_ready_date},
    )
    assert response.status_code == 400
    assert events(noticed) == before
    item = form_item(response, EventKind.PRELIMINARY_DATE_CHANGED)
    assert item is not None
    errors = item["form"].errors["preliminary_ready_date"]
    assert len(errors) == 1
    html = response.content.decode()
    assert escape(errors[0]) in html
    assert_no_number(errors[0], noticed.patient.personnummer)


def test_it_answers_400_for_a_refused_step_and_shows_the_error_in_the_form(
    nurse: Client, noticed: Episode, advance: Callable
) -> None:
    """Ready notice twice: refused by the service. The page must say why."""
    advance(noticed, "ready")
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.READY_NOTICE),
        {"version": noticed.version, "ready_date": timezone.localdate()},
    )
    assert response.status_code == 400
    assert events(noticed) == before
    item = form_item(response, EventKind.READY_NOTICE)
    assert item is not None, "the refused form is not on the page: the error is not shown"
    errors = item["form"].non_field_errors()
    assert len(errors) == 1
    assert escape(errors[0]) in response.content.decode()
    assert_no_number(errors[0], noticed.patient.personnummer)


def test_it_answers_400_for_invalid_input(nurse: Client, noticed: Episode) -> None:
    before = events(noticed)
    response = nurse.post(
        message_url(noticed.pk, EventKind.READY_NOTICE), {"version": noticed.version}
    )
    assert response.status_code == 400
    item = form_item(response, EventKind.READY_NOTICE)
    assert item is not None
    assert "ready_date" in item["form"].errors
    assert events(noticed) == before


def test_it_answers_403_when_the_kommun_sends_a_ward_message(
    planner: Client, noticed: Episode
) -> None:
    before = events(noticed)
    for kind, data in (
        (EventKind.READY_NOTICE, {"ready_date": timezone.localdate()}),
        (EventKind.TRACK_COLOUR, {"colour": "red"}),
        (EventKind.DISCHARGE, {"destination": "ordinary_home"}),
    ):
        response = planner.post(message_url(noticed.pk, kind), {"version": noticed.version, **data})
        assert response.status_code == 403, kind
    assert events(noticed) == before
    assert fresh(noticed).status == EpisodeStatus.PLANNING


def test_it_answers_403_when_the_ward_sends_a_kommun_message(
    nurse: Client, noticed: Episode
) -> None:
    response = nurse.post(
        message_url(noticed.pk, EventKind.KOMMUN_READY), {"version": noticed.version}
    )
    assert response.status_code == 403
    assert events(noticed) == 2


def test_it_answers_404_for_an_unknown_message_kind(nurse: Client, noticed: Episode) -> None:
    response = nurse.post(message_url(noticed.pk, "ready"), {"version": noticed.version})
    assert response.status_code == 404
    assert events(noticed) == 2


def test_it_offers_each_party_its_own_forms(
    nurse: Client, planner: Client, noticed: Episode
) -> None:
    ward_kinds = {item["kind"] for item in nurse.get(detail_url(noticed.pk)).context["forms"]}
    kommun_page = planner.get(detail_url(noticed.pk))
    kommun_kinds = {item["kind"] for item in kommun_page.context["forms"]}
    assert EventKind.READY_NOTICE in ward_kinds
    assert EventKind.ADMISSION_ANSWER not in ward_kinds
    assert EventKind.ADMISSION_ANSWER in kommun_kinds
    assert EventKind.READY_NOTICE not in kommun_kinds
    html = kommun_page.content.decode()
    assert f'id="form-{EventKind.ADMISSION_ANSWER}"' in html
    assert f'id="form-{EventKind.READY_NOTICE}"' not in html


# --- Register episode -------------------------------------------------------------------------


def register_data(org_tree: OrgTree, personnummer: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "personnummer": personnummer,
        "name": "Sven Ek",
        "address": "Kungsgatan 3, 903 30 Umeå",
        "kommun": org_tree.umea.pk,
        "health_centre": org_tree.hc_umea.pk,
        "ward": org_tree.ward.pk,
        "care_type": "",
        "admitted_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "admission_type": "planerad",
    }
    data.update(overrides)
    return data


def test_it_registers_a_patient_and_an_episode(
    nurse: Client, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    number = new_personnummer()
    typed = f"{number[2:8]}-{number[8:]}"  # the 10-digit form
    response = nurse.post(REGISTER_URL, register_data(org_tree, typed))
    assert response.status_code == 302
    patient = Patient.objects.get()
    assert patient.personnummer == number
    assert (patient.name, patient.kommun_id, patient.health_centre_id) == (
        "Sven Ek",
        org_tree.umea.pk,
        org_tree.hc_umea.pk,
    )
    episode = Episode.objects.get()
    assert (episode.patient_id, episode.ward_id, episode.care_type) == (
        patient.pk,
        org_tree.ward.pk,
        org_tree.ward.care_type,
    )
    assert episode.status == EpisodeStatus.REGISTERED
    assert response["Location"] == detail_url(episode.pk)
    assert_no_number(response["Location"], number)
    assert nurse.get(response["Location"]).status_code == 200


def test_it_refuses_a_bad_personnummer_and_creates_nothing(
    nurse: Client, org_tree: OrgTree
) -> None:
    typed = "194103151010"  # wrong check digit
    response = nurse.post(REGISTER_URL, register_data(org_tree, typed))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["personnummer"]
    for error in errors["personnummer"]:
        assert escape(error) in response.content.decode()
        assert typed not in error
    assert not Patient.objects.exists()
    assert not Episode.objects.exists()


def test_it_refuses_to_register_at_another_ward(
    nurse: Client, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    response = nurse.post(
        REGISTER_URL, register_data(org_tree, new_personnummer(), ward=org_tree.psych_ward.pk)
    )
    assert response.status_code == 400
    assert "ward" in response.context["form"].errors
    assert not Episode.objects.exists()
    assert not Patient.objects.exists()


def test_it_offers_the_nurse_only_her_own_wards(nurse: Client, org_tree: OrgTree) -> None:
    response = nurse.get(REGISTER_URL)
    assert list(response.context["form"].fields["ward"].queryset) == [org_tree.ward]


def test_it_shows_dated_and_timed_deadlines_on_the_worklist(
    personas: Personas, make_episode: Callable[..., Episode]
) -> None:
    # An unsent admission notice is due at a time (admission + 24 h); a SIP invitation on a
    # day (ready date + 3): both kinds render, the overdue ones marked.
    late = make_episode(admitted_at=timezone.now() - timedelta(days=3))
    ready = make_episode(admitted_at=timezone.now() - timedelta(days=6))
    ready_date = timezone.localdate() - timedelta(days=5)
    services.send_ready_notice(actor=personas.ward_actor, episode=ready, ready_date=ready_date)
    services.assess_track_colour(
        actor=personas.ward_actor, episode=ready, colour="red", sip_needed=True
    )
    nurse = login(personas.ward_nurse).get(WORKLIST_URL)
    assert nurse.status_code == 200
    due = timezone.localtime(late.admitted_at + timedelta(hours=24))
    assert f"{due:%Y-%m-%d %H:%M}" in nurse.content.decode()
    coordinator = login(personas.hc_coordinator).get(WORKLIST_URL)
    assert coordinator.status_code == 200
    sip_due = ready_date + timedelta(days=3)
    html = coordinator.content.decode()
    assert sip_due.isoformat() in html
    assert 'class="overdue"' in html
