"""Patient identity and consent belong to the episode's parties (issue 7, point 1).

- Registering an episode for a known personnummer uses the stored patient: the name, address
  and kommun typed at registration never overwrite it; the register page says the patient is
  known and shows the stored values before it registers.
- Identity changes are explicit, append-only records (author, organisation, time, old and new
  values) made by a ward with an active episode of the patient, shown on the episode page.
- Consent is recorded per episode by that episode's ward and governs that episode only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discharges import selectors, services
from discharges.models import (
    AccessLogEntry,
    AppendOnlyError,
    ConsentAction,
    ConsentRecord,
    Episode,
    Patient,
    PatientIdentityChange,
)
from discharges.services import NotPermitted, Refused
from tests.conftest import SECRET_REASON, OrgTree, Personas, fresh, login, make_user
from tests.discharges.pages import REGISTER_URL, consent_url, detail_url

MALLORY = "Mallory Overwritten"


def identity(patient: Patient) -> tuple[Any, ...]:
    stored = Patient.objects.get(pk=patient.pk)
    return (stored.name, stored.address, stored.kommun_id, stored.health_centre_id)


def api_detail(user: AbstractUser, episode: Episode) -> dict[str, Any]:
    response = login(user).get(reverse("api:episode_detail", args=[episode.pk]))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def identity_url(episode: Episode) -> str:
    return reverse("discharges:patient_identity", args=[episode.pk])


# --- Registration uses the stored patient -----------------------------------------------------


def test_registering_a_known_personnummer_keeps_the_stored_patient(
    patient: Patient, org_tree: OrgTree
) -> None:
    before = identity(patient)
    found = services.register_patient(
        personnummer=patient.personnummer,
        kommun=org_tree.skelleftea,
        name=MALLORY,
        address="Nygatan 1, 931 30 Skellefteå",
        health_centre=org_tree.hc_skelleftea,
    )
    assert found.pk == patient.pk
    assert identity(patient) == before
    assert not PatientIdentityChange.objects.exists()


def register_form(org_tree: OrgTree, personnummer: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "personnummer": personnummer,
        "name": MALLORY,
        "address": "Nygatan 1, 931 30 Skellefteå",
        "kommun": org_tree.skelleftea.pk,
        "health_centre": org_tree.hc_skelleftea.pk,
        "ward": org_tree.psych_ward.pk,
        "care_type": "",
        "admitted_at": (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "admission_type": "planerad",
    }
    data.update(overrides)
    return data


def test_the_register_page_shows_a_known_patient_and_never_overwrites_them(
    personas: Personas, org_tree: OrgTree, noticed: Episode
) -> None:
    patient = noticed.patient
    before = identity(patient)
    psych = login(personas.psych_nurse)

    response = psych.post(REGISTER_URL, register_form(org_tree, patient.personnummer))
    assert identity(patient) == before  # the old code overwrote name, address and kommun here
    assert response.status_code == 200
    assert response.context["known_patient"].pk == patient.pk
    html = response.content.decode()
    assert patient.name in html
    assert patient.address in html
    assert MALLORY not in html  # the typed values are not used, nor shown back
    assert not Episode.objects.filter(ward=org_tree.psych_ward).exists()
    # Showing the stored values is a read of patient data: logged.
    [read] = AccessLogEntry.objects.filter(user=personas.psych_nurse, patient=patient)
    assert (read.organisation_id, read.detail) == (org_tree.psych_ward.pk, "register")

    confirmed = register_form(
        org_tree,
        patient.personnummer,
        known_patient=patient.pk,
        name="",
        address="",
        kommun="",
        health_centre="",
    )
    response = psych.post(REGISTER_URL, confirmed)
    assert response.status_code == 302
    new = Episode.objects.get(ward=org_tree.psych_ward)
    assert new.patient_id == patient.pk
    assert new.kommun_id == patient.kommun_id  # the stored folkbokföringskommun
    assert identity(patient) == before
    assert Patient.objects.count() == 1


def test_the_register_page_asks_again_when_the_confirmed_patient_is_another(
    personas: Personas, org_tree: OrgTree, patient: Patient, make_patient: Callable[..., Patient]
) -> None:
    other = make_patient()
    data = register_form(org_tree, patient.personnummer, known_patient=other.pk)
    response = login(personas.psych_nurse).post(REGISTER_URL, data)
    assert response.status_code == 200
    assert response.context["known_patient"].pk == patient.pk
    assert not Episode.objects.exists()


def test_the_register_page_requires_name_address_and_kommun_for_a_new_patient(
    personas: Personas, org_tree: OrgTree, new_personnummer: Callable[..., str]
) -> None:
    data = register_form(org_tree, new_personnummer(), name="", address="", kommun="")
    response = login(personas.psych_nurse).post(REGISTER_URL, data)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "address", "kommun"}
    assert not Patient.objects.exists()


# --- Identity changes are explicit -------------------------------------------------------------


def change_identity(actor: services.Actor, patient: Patient, **overrides: Any) -> Any:
    values: dict[str, Any] = {
        "name": "Greta Lindqvist-Berg",
        "address": "Nygatan 1, 931 30 Skellefteå",
        "kommun": patient.kommun,
        "health_centre": patient.health_centre,
        "note": "Flyttat enligt Skatteverket",
    }
    values.update(overrides)
    return services.change_patient_identity(actor=actor, patient=patient, **values)


def test_a_ward_caring_for_the_patient_changes_the_identity_explicitly(
    episode: Episode, patient: Patient, personas: Personas, org_tree: OrgTree
) -> None:
    started = timezone.now()
    change = change_identity(
        personas.ward_actor, patient, kommun=org_tree.skelleftea, health_centre=None
    )
    stored = PatientIdentityChange.objects.get(pk=change.pk)
    assert (stored.patient_id, stored.author_id, stored.organisation_id) == (
        patient.pk,
        personas.ward_nurse.pk,
        org_tree.ward.pk,
    )
    assert started <= stored.changed_at <= timezone.now()
    assert (stored.old_name, stored.name) == ("Greta Lindqvist", "Greta Lindqvist-Berg")
    assert (stored.old_address, stored.address) == (
        "Storgatan 1, 903 26 Umeå",
        "Nygatan 1, 931 30 Skellefteå",
    )
    assert (stored.old_kommun_id, stored.kommun_id) == (org_tree.umea.pk, org_tree.skelleftea.pk)
    assert (stored.old_health_centre_id, stored.health_centre_id) == (org_tree.hc_umea.pk, None)
    assert stored.note == "Flyttat enligt Skatteverket"
    assert identity(patient) == (
        "Greta Lindqvist-Berg",
        "Nygatan 1, 931 30 Skellefteå",
        org_tree.skelleftea.pk,
        None,
    )
    with pytest.raises(AppendOnlyError):
        stored.save()


@pytest.mark.parametrize(
    ("who", "state"),
    [
        ("psych_actor", "registered"),  # a ward with no episode of the patient
        ("kommun_actor", "noticed"),  # a recipient, not a ward
        ("hc_actor", "noticed"),
        ("ward_actor", "discharged"),  # the ward's only episode is over
        ("ward_actor", "closed"),
    ],
)
def test_only_a_ward_with_an_active_episode_changes_the_identity(
    who: str,
    state: str,
    episode: Episode,
    patient: Patient,
    personas: Personas,
    advance: Callable[..., Episode],
) -> None:
    advance(episode, state)
    before = identity(patient)
    with pytest.raises(NotPermitted):
        change_identity(getattr(personas, who), patient, name=MALLORY)
    assert identity(patient) == before
    assert not PatientIdentityChange.objects.exists()


def test_an_identity_change_that_changes_nothing_is_refused(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    with pytest.raises(Refused):
        change_identity(personas.ward_actor, patient, name=patient.name, address=patient.address)
    assert not PatientIdentityChange.objects.exists()


def test_the_episode_page_changes_the_identity_and_shows_the_history(
    nurse: Client, planner: Client, noticed: Episode, org_tree: OrgTree
) -> None:
    form = {
        "name": "Greta Lindqvist-Berg",
        "address": "Kungsgatan 9, 903 30 Umeå",
        "kommun": org_tree.umea.pk,
        "health_centre": org_tree.hc_umea.pk,
        "note": "",
    }
    response = nurse.post(identity_url(noticed), form)
    assert response.status_code == 302
    assert response["Location"] == detail_url(noticed.pk)
    change = PatientIdentityChange.objects.get()
    assert fresh(noticed).patient.name == "Greta Lindqvist-Berg"

    page = planner.get(detail_url(noticed.pk))
    [entry] = page.context["identity_history"]
    assert entry.change.pk == change.pk
    assert "Greta Lindqvist-Berg" in page.content.decode()
    # The kommun may not change the identity: refused, nothing stored.
    refused = planner.post(identity_url(noticed), {**form, "name": MALLORY})
    assert refused.status_code in (302, 403)
    assert PatientIdentityChange.objects.count() == 1
    assert fresh(noticed).patient.name == "Greta Lindqvist-Berg"


def test_the_history_does_not_name_another_wards_change(
    personas: Personas, org_tree: OrgTree, noticed: Episode, make_episode: Callable[..., Episode]
) -> None:
    # The psychiatric ward's stay must not show on the somatic episode's page: its change is
    # listed, its ward is not.
    theirs = make_episode(noticed.patient, ward=org_tree.psych_ward)
    change_identity(personas.psych_actor, noticed.patient)
    for user, episode, named in (
        (personas.kommun_planner, noticed, False),
        (personas.ward_nurse, noticed, False),
        (personas.psych_nurse, theirs, True),
    ):
        page = login(user).get(detail_url(episode.pk))
        [entry] = page.context["identity_history"]
        assert entry.show_author is named
        assert (org_tree.psych_ward.name in page.content.decode()) is named


def test_the_admin_shows_the_patients_details_read_only(
    patient: Patient, episode: Episode, personas: Personas
) -> None:
    change_identity(personas.ward_actor, patient)
    admin = make_user("systemforvaltare", is_staff=True, is_superuser=True)
    url = reverse("admin:discharges_patient_change", args=[patient.pk])
    page = login(admin).get(url)
    assert page.status_code == 200
    assert {"name", "address", "kommun", "health_centre"} <= set(
        page.context["adminform"].readonly_fields
    )
    assert "Greta Lindqvist-Berg" in page.content.decode()  # the change, inline
    before = identity(patient)
    login(admin).post(url, {"personnummer": patient.personnummer, "name": MALLORY})
    assert identity(patient) == before


# --- Consent is per episode ---------------------------------------------------------------------


def test_consent_on_another_wards_episode_does_not_reveal_this_one(
    personas: Personas, org_tree: OrgTree, noticed: Episode, make_episode: Callable[..., Episode]
) -> None:
    # The issue's story: the psychiatry ward registers a stay for Umeå's patient and gives
    # consent on it; the Umeå episode's details must stay hidden from Umeå's planner.
    theirs = make_episode(noticed.patient, ward=org_tree.psych_ward, kommun=org_tree.skelleftea)
    response = login(personas.psych_nurse).post(consent_url(theirs.pk, "give"))
    assert response.status_code == 302

    body = api_detail(personas.kommun_planner, noticed)
    assert body["details_visible"] is False  # the old code: True, the reason and colour shown
    assert body["details"] is None
    assert SECRET_REASON not in str(body)
    assert fresh(theirs).has_consent is True  # it governs the psychiatric ward's episode
    assert fresh(noticed).has_consent is False


def test_consent_is_recorded_for_the_episode_and_governs_it_only(
    personas: Personas, noticed: Episode, make_episode: Callable[..., Episode], advance: Any
) -> None:
    later = advance(make_episode(noticed.patient), "noticed")  # a second stay, same ward
    at = timezone.now() - timedelta(hours=1)
    record = services.record_consent(
        actor=personas.ward_actor, episode=noticed, occurred_at=at, note="Muntligt"
    )
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert (stored.episode_id, stored.patient_id, stored.action) == (
        noticed.pk,
        noticed.patient_id,
        ConsentAction.GIVEN,
    )
    assert (stored.recorded_by_id, stored.organisation_id) == (
        personas.ward_nurse.pk,
        noticed.ward_id,
    )
    assert (stored.occurred_at, stored.note) == (at, "Muntligt")
    assert api_detail(personas.kommun_planner, noticed)["details_visible"] is True
    assert api_detail(personas.kommun_planner, later)["details_visible"] is False

    services.withdraw_consent(actor=personas.ward_actor, episode=noticed)
    assert api_detail(personas.kommun_planner, noticed)["details_visible"] is False
    assert fresh(noticed).has_consent is False
    assert list(ConsentRecord.objects.filter(episode=noticed).values_list("action", flat=True)) == [
        ConsentAction.GIVEN,
        ConsentAction.WITHDRAWN,
    ]


@pytest.mark.parametrize("who", ["psych_actor", "kommun_actor", "hc_actor"])
def test_only_the_episodes_ward_records_its_consent(
    who: str,
    personas: Personas,
    org_tree: OrgTree,
    noticed: Episode,
    make_episode: Callable[..., Episode],
) -> None:
    # The psychiatric ward has an episode of the same patient; it still may not give consent
    # for the somatic ward's episode.
    make_episode(noticed.patient, ward=org_tree.psych_ward)
    with pytest.raises(NotPermitted):
        services.record_consent(actor=getattr(personas, who), episode=noticed)
    assert not ConsentRecord.objects.exists()
    assert fresh(noticed).has_consent is False
    assert selectors.can_see_details(personas.kommun_planner, fresh(noticed)) is False
