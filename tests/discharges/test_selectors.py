"""discharges.selectors: who sees which episode, how much of it, and the access log.

The access matrix uses the personas of tests/conftest.py; an episode out of scope is a 404,
the same answer as a missing one.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from discharges import selectors, services
from discharges.models import (
    Episode,
    EpisodeEvent,
    EpisodeStatus,
    EventKind,
    Patient,
    TrackColour,
)
from discharges.selectors import BASIC_FIELDS
from tests.conftest import OrgTree, Personas, make_user
from tests.personas import PERSONAS, SEES_NOTICED


def sees(user: object, episode: Episode) -> bool:
    return selectors.visible_episodes(user).filter(pk=episode.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_registered_episode_to_the_ward_only(
    persona: str, episode: Episode, personas: Personas
) -> None:
    user = getattr(personas, persona)
    assert sees(user, episode) == (persona == "ward_nurse")


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_a_noticed_episode_to_its_three_parties_only(
    persona: str, episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    user = getattr(personas, persona)
    assert sees(user, episode) == (persona in SEES_NOTICED)


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - SEES_NOTICED))
def test_it_answers_404_to_everyone_else_as_for_a_missing_episode(
    persona: str, episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    user = getattr(personas, persona)
    with pytest.raises(Http404):
        selectors.get_visible_episode(user, episode.pk)
    with pytest.raises(Http404):
        selectors.get_visible_episode(personas.ward_nurse, episode.pk + 1000)


@pytest.mark.parametrize("persona", sorted(SEES_NOTICED))
def test_it_returns_the_episode_to_its_parties(
    persona: str, episode: Episode, personas: Personas, advance: Callable[..., Episode]
) -> None:
    advance(episode, "noticed")
    found = selectors.get_visible_episode(getattr(personas, persona), str(episode.pk))
    assert found.pk == episode.pk


@pytest.mark.parametrize("bad_id", ["abc", None, "", "1.5", [1]])
def test_it_answers_404_to_a_malformed_id(bad_id: object, personas: Personas) -> None:
    with pytest.raises(Http404):
        selectors.get_visible_episode(personas.ward_nurse, bad_id)


def test_it_shows_nothing_to_a_superuser_without_membership(episode: Episode) -> None:
    admin = make_user("root", is_superuser=True, is_staff=True)
    assert not selectors.visible_episodes(admin).exists()
    with pytest.raises(Http404):
        selectors.get_visible_episode(admin, episode.pk)


def test_it_shows_nothing_to_an_anonymous_user(episode: Episode) -> None:
    assert not selectors.visible_episodes(AnonymousUser()).exists()


def test_it_scopes_the_list_to_the_users_episodes(
    make_episode: Callable[..., Episode],
    make_patient: Callable[..., Patient],
    org_tree: OrgTree,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    umea = advance(make_episode(), "noticed")
    skelleftea_patient = make_patient(kommun=org_tree.skelleftea, health_centre=None)
    skelleftea = advance(make_episode(skelleftea_patient), "noticed")
    registered = make_episode()
    psych = advance(make_episode(ward=org_tree.psych_ward), "noticed")

    def ids(user: object) -> set[int]:
        return set(selectors.episode_list(user).values_list("pk", flat=True))

    assert ids(personas.ward_nurse) == {umea.pk, skelleftea.pk, registered.pk}
    assert ids(personas.psych_nurse) == {psych.pk}
    assert ids(personas.kommun_planner) == {umea.pk, psych.pk}
    assert ids(personas.other_kommun_planner) == {skelleftea.pk}
    assert ids(personas.hc_coordinator) == {umea.pk, psych.pk}
    assert ids(personas.processledare) == set()


def test_it_filters_the_list_by_status_and_name(
    make_episode: Callable[..., Episode],
    make_patient: Callable[..., Patient],
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    registered = make_episode(make_patient(name="Astrid Ek"))
    discharged = advance(make_episode(make_patient(name="Bertil Ek")), "discharged")
    nurse = personas.ward_nurse
    assert list(selectors.episode_list(nurse, status="active")) == [registered]
    assert list(selectors.episode_list(nurse, status=EpisodeStatus.DISCHARGED)) == [discharged]
    assert list(selectors.episode_list(nurse, query="bertil")) == [discharged]
    assert set(selectors.episode_list(nurse, query="Ek")) == {registered, discharged}


# --- Consent ----------------------------------------------------------------------------------


def detail_fields(view: selectors.EpisodeView) -> dict[str, object]:
    return {k: v for k, v in view.fields.items() if k not in BASIC_FIELDS}


@pytest.fixture
def planned(episode: Episode, personas: Personas, advance: Callable[..., Episode]) -> Episode:
    """A ready episode with details: reason, track colour, named contact."""
    advance(episode, "noticed")
    services.assess_track_colour(
        actor=personas.ward_actor, episode=episode, colour=TrackColour.YELLOW, sip_needed=False
    )
    services.name_care_contact(actor=personas.hc_actor, episode=episode, name="Anna Berg")
    advance(episode, "ready")
    return episode


def view_for(user: object, episode: Episode) -> selectors.EpisodeView:
    # Fetched again, as a page would, so that the episode's consent is current.
    return selectors.present_episode(user, selectors.get_visible_episode(user, episode.pk))


@pytest.mark.parametrize("persona", ["kommun_planner", "hc_coordinator"])
def test_it_hides_the_details_without_consent(
    persona: str, planned: Episode, patient: Patient, personas: Personas
) -> None:
    view = view_for(getattr(personas, persona), planned)
    assert view.details is False
    details = detail_fields(view)
    assert {"admission_reason", "ward", "care_type", "track_colour", "hospital"} <= set(details)
    assert all(value is None for value in details.values()), details
    assert view.fields["name"] == patient.name
    assert view.fields["personnummer"] == patient.personnummer
    assert view.fields["address"] == patient.address
    assert view.fields["preliminary_ready_date"] == planned.preliminary_ready_date
    assert view.fields["ready_date"] == planned.ready_date
    assert view.fields["ready_date"] is not None


def test_it_always_shows_the_details_to_the_ward(planned: Episode, personas: Personas) -> None:
    view = view_for(personas.ward_nurse, planned)
    assert view.details is True
    assert view.party == "ward"
    assert view.fields["admission_reason"] == planned.admission_reason
    assert view.fields["admission_reason"]
    assert view.fields["ward"] == planned.ward.name
    assert view.fields["track_colour"] == TrackColour.YELLOW.label
    assert view.fields["named_contact"] == "Anna Berg"


@pytest.mark.parametrize("persona", ["kommun_planner", "hc_coordinator"])
def test_it_shows_the_details_under_consent_and_hides_them_again_after_withdrawal(
    persona: str, planned: Episode, patient: Patient, personas: Personas
) -> None:
    user = getattr(personas, persona)
    services.record_consent(actor=personas.ward_actor, episode=planned)
    view = view_for(user, planned)
    assert view.details is True
    assert view.fields["admission_reason"] == planned.admission_reason
    assert view.fields["ward"] == planned.ward.name
    assert view.fields["track_colour"] == TrackColour.YELLOW.label

    services.withdraw_consent(actor=personas.ward_actor, episode=planned)
    view = view_for(user, planned)
    assert view.details is False
    assert all(value is None for value in detail_fields(view).values())


def test_it_names_the_party_of_each_user(planned: Episode, personas: Personas) -> None:
    assert view_for(personas.kommun_planner, planned).party == "kommun"
    assert view_for(personas.hc_coordinator, planned).party == "health_centre"
    assert selectors.party_for_user(personas.outsider, planned) is None
    acting = selectors.acting_organisation(personas.kommun_planner, planned)
    assert acting is not None
    assert acting.pk == planned.kommun_id
    assert selectors.acting_organisation(personas.outsider, planned) is None


# --- Timeline ---------------------------------------------------------------------------------


def entries_by_kind(user: object, episode: Episode) -> dict[str, selectors.TimelineEntry]:
    return {entry.event.kind: entry for entry in selectors.timeline(user, episode)}


@pytest.fixture
def answered(episode: Episode, personas: Personas, advance: Callable[..., Episode]) -> Episode:
    advance(episode, "noticed")
    services.answer_admission(
        actor=personas.kommun_actor, episode=episode, current_services=True, services="Hemtjänst"
    )
    return episode


def test_it_hides_other_organisations_message_contents_without_consent(
    answered: Episode, personas: Personas
) -> None:
    entries = entries_by_kind(personas.kommun_planner, answered)
    assert [e.event.seq for e in selectors.timeline(personas.kommun_planner, answered)] == [1, 2, 3]
    assert entries[EventKind.ADMISSION_NOTICE].show_data is False
    assert entries[EventKind.REGISTERED].show_data is False
    # An organisation always sees the contents of its own messages.
    assert entries[EventKind.ADMISSION_ANSWER].show_data is True
    # The health centre sees neither the ward's nor the kommun's contents.
    hc_entries = entries_by_kind(personas.hc_coordinator, answered)
    assert not any(entry.show_data for entry in hc_entries.values())


def test_it_shows_every_message_content_to_the_ward(answered: Episode, personas: Personas) -> None:
    entries = selectors.timeline(personas.ward_nurse, answered)
    assert len(entries) == 3
    assert all(entry.show_data for entry in entries)


def test_it_shows_message_contents_under_consent_only(
    answered: Episode, patient: Patient, personas: Personas
) -> None:
    services.record_consent(actor=personas.ward_actor, episode=answered)
    episode = selectors.get_visible_episode(personas.hc_coordinator, answered.pk)
    assert all(entry.show_data for entry in selectors.timeline(personas.hc_coordinator, episode))
    services.withdraw_consent(actor=personas.ward_actor, episode=answered)
    episode = selectors.get_visible_episode(personas.hc_coordinator, answered.pk)
    assert not any(e.show_data for e in selectors.timeline(personas.hc_coordinator, episode))


def test_it_marks_the_receipts_of_the_users_organisation_in_the_timeline(
    answered: Episode, personas: Personas
) -> None:
    notice = EpisodeEvent.objects.get(episode=answered, kind=EventKind.ADMISSION_NOTICE)
    entries = entries_by_kind(personas.kommun_planner, answered)
    assert entries[EventKind.ADMISSION_NOTICE].can_acknowledge is True
    assert entries[EventKind.ADMISSION_ANSWER].can_acknowledge is False  # its own message
    services.acknowledge_receipt(actor=personas.kommun_actor, event=notice)
    entry = entries_by_kind(personas.kommun_planner, answered)[EventKind.ADMISSION_NOTICE]
    assert (entry.acknowledged_by_me, entry.can_acknowledge) == (True, False)
    # The health centre's receipt is its own.
    hc_entry = entries_by_kind(personas.hc_coordinator, answered)[EventKind.ADMISSION_NOTICE]
    assert (hc_entry.acknowledged_by_me, hc_entry.can_acknowledge) == (False, True)
