"""discharges.services registration: register_patient and register_episode.

A patient is found by personnummer (normalised to 12 digits) and never changed by a registration
(issue 7: changes are services.change_patient_identity, on record); an episode is
registered by its ward, for the ward only. Refused registrations create neither episode nor
event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from discharges import selectors, services
from discharges.models import CareType, Episode, EpisodeEvent, EpisodeStatus, EventKind, Patient
from discharges.services import NotPermitted, Refused
from tests.conftest import OrgTree, Personas

# --- register_patient -------------------------------------------------------------------------


def test_it_registers_a_patient_with_the_normalised_personnummer(org_tree: OrgTree) -> None:
    patient = services.register_patient(
        personnummer="121212-1212",
        kommun=org_tree.umea,
        name="Tolvan Tolvansson",
        address="Storgatan 12",
        health_centre=org_tree.hc_umea,
    )
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.personnummer == "201212121212"
    assert (stored.name, stored.address) == ("Tolvan Tolvansson", "Storgatan 12")
    assert (stored.kommun, stored.health_centre) == (org_tree.umea, org_tree.hc_umea)


def test_it_returns_the_patient_found_by_personnummer_unchanged(org_tree: OrgTree) -> None:
    first = services.register_patient(
        personnummer="191212121212", kommun=org_tree.umea, name="Tolvan", address="Storgatan 12"
    )
    again = services.register_patient(
        personnummer="19121212-1212",
        kommun=org_tree.skelleftea,
        name="Tolvan Tolvansson",
        address="Nygatan 1, Skellefteå",
        health_centre=org_tree.hc_skelleftea,
    )
    assert again.pk == first.pk
    assert Patient.objects.count() == 1
    stored = Patient.objects.get(pk=first.pk)
    assert (stored.name, stored.address) == ("Tolvan", "Storgatan 12")
    assert (stored.kommun, stored.health_centre) == (org_tree.umea, None)


def test_it_keeps_the_facts_that_are_not_given_again(org_tree: OrgTree) -> None:
    services.register_patient(
        personnummer="191212121212",
        kommun=org_tree.umea,
        name="Tolvan",
        address="Storgatan 12",
        health_centre=org_tree.hc_umea,
    )
    again = services.register_patient(personnummer="191212121212", kommun=org_tree.umea)
    stored = Patient.objects.get(pk=again.pk)
    assert (stored.name, stored.address, stored.health_centre) == (
        "Tolvan",
        "Storgatan 12",
        org_tree.hc_umea,
    )


@pytest.mark.parametrize("number", ["191212121213", "199913011234", "12345", ""])
def test_it_refuses_a_patient_with_a_bad_personnummer(number: str, org_tree: OrgTree) -> None:
    with pytest.raises(Refused) as info:
        services.register_patient(personnummer=number, kommun=org_tree.umea, name="X")
    assert info.value.field == "personnummer"
    assert not Patient.objects.exists()


# --- register_episode -------------------------------------------------------------------------


def test_it_registers_an_episode(org_tree: OrgTree, personas: Personas, patient: Patient) -> None:
    admitted = timezone.now() - timedelta(hours=5)
    started = timezone.now()
    episode = services.register_episode(
        actor=personas.ward_actor, patient=patient, ward=org_tree.ward, admitted_at=admitted
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.version == 1
    assert fresh.status == EpisodeStatus.REGISTERED
    assert fresh.admitted_at == admitted
    assert fresh.last_event_at == admitted
    assert fresh.patient == patient
    assert fresh.ward == org_tree.ward
    # Kommun and hälsocentral default to the patient's; the care type to the ward's.
    assert fresh.kommun == org_tree.umea
    assert fresh.health_centre == org_tree.hc_umea
    assert fresh.care_type == CareType.SOMATIC
    assert fresh.shared_at is None
    (event,) = EpisodeEvent.objects.filter(episode=episode)
    assert (event.seq, event.kind) == (1, EventKind.REGISTERED)
    assert event.author_id == personas.ward_nurse.pk
    assert event.organisation_id == org_tree.ward.pk
    assert event.occurred_at == admitted
    assert started <= event.recorded_at <= timezone.now()
    assert event.data == {
        "external_id": None,
        "patient_id": patient.pk,
        "ward_id": org_tree.ward.pk,
        "kommun_id": org_tree.umea.pk,
        "health_centre_id": org_tree.hc_umea.pk,
        "care_type": CareType.SOMATIC,
        "admitted_at": admitted.isoformat(),
        "admission_type": "",
    }


def test_it_registers_an_episode_with_explicit_recipients(
    org_tree: OrgTree, personas: Personas, patient: Patient
) -> None:
    episode = services.register_episode(
        actor=personas.psych_actor,
        patient=patient,
        ward=org_tree.psych_ward,
        admitted_at=timezone.now() - timedelta(days=1),
        kommun=org_tree.skelleftea,
        health_centre=org_tree.hc_skelleftea,
        external_id="COSMIC-4711",
    )
    fresh = Episode.objects.get(pk=episode.pk)
    assert fresh.care_type == CareType.PSYCHIATRIC
    assert (fresh.kommun, fresh.health_centre) == (org_tree.skelleftea, org_tree.hc_skelleftea)
    assert fresh.external_id == "COSMIC-4711"
    assert fresh.reference == "COSMIC-4711"


def test_it_accepts_an_admission_long_ago(
    org_tree: OrgTree, personas: Personas, patient: Patient
) -> None:
    # The admission time is a fact of the stay, not the time of a message: no back-dating limit.
    admitted = timezone.now() - settings.SVU_MAX_BACKDATE - timedelta(days=30)
    episode = services.register_episode(
        actor=personas.ward_actor, patient=patient, ward=org_tree.ward, admitted_at=admitted
    )
    assert Episode.objects.get(pk=episode.pk).admitted_at == admitted


def test_it_gives_the_new_episode_to_the_ward_only(episode: Episode, personas: Personas) -> None:
    assert selectors.visible_episodes(personas.ward_nurse).filter(pk=episode.pk).exists()
    assert not selectors.visible_episodes(personas.kommun_planner).exists()
    assert not selectors.visible_episodes(personas.hc_coordinator).exists()


def assert_not_registered(
    send: Callable[[], Any], exc_type: type[Refused], field: str | None
) -> None:
    episodes, events = Episode.objects.count(), EpisodeEvent.objects.count()
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type
    assert info.value.field == field
    assert (Episode.objects.count(), EpisodeEvent.objects.count()) == (episodes, events)


@dataclass(frozen=True)
class Registering:
    org_tree: OrgTree
    personas: Personas
    patient: Patient
    make_episode: Callable[..., Episode]

    def register(self, actor: str, ward: str, hours: int = 0) -> Episode:
        """``register_episode`` by the persona ``actor`` at ``ward``, admitted ``hours`` on."""
        return services.register_episode(
            actor=getattr(self.personas, actor),
            patient=self.patient,
            ward=getattr(self.org_tree, ward),
            admitted_at=timezone.now() + timedelta(hours=hours),
        )


@pytest.mark.parametrize(
    ("before", "send", "exc_type", "field"),
    [
        # Another ward's registration.
        (None, lambda r: r.register("ward_actor", "psych_ward"), NotPermitted, None),
        # A kommun registering a stay.
        (None, lambda r: r.register("kommun_actor", "ward"), NotPermitted, None),
        # Admitted in the future (the refusal names the registration's own field).
        (None, lambda r: r.register("ward_actor", "ward", hours=1), Refused, "admitted_at"),
        (
            lambda r: r.make_episode(r.patient, external_id="COSMIC-1"),
            lambda r: r.make_episode(r.patient, external_id="COSMIC-1"),
            Refused,
            "external_id",
        ),
        (
            None,
            lambda r: r.make_episode(r.patient, care_type="geriatrik"),
            Refused,
            "care_type",
        ),
    ],
    ids=["another-ward", "kommun", "future", "duplicate-external-id", "unknown-care-type"],
)
def test_it_refuses_a_registration(
    org_tree: OrgTree,
    personas: Personas,
    patient: Patient,
    make_episode: Callable[..., Episode],
    before: Callable[[Registering], Any] | None,
    send: Callable[[Registering], Any],
    exc_type: type[Refused],
    field: str | None,
) -> None:
    registering = Registering(org_tree, personas, patient, make_episode)
    if before is not None:
        before(registering)
    assert_not_registered(lambda: send(registering), exc_type, field)
