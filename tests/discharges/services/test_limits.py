"""Free texts stored outside an event's payload have the model's limits in the services too: the
patient's name and address at registration, an episode's external id, a consent note. (Issue 7,
point 9: the forms had limits; the services, and so any other caller, had none.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from discharges import services
from discharges.models import ConsentRecord, Episode, Patient
from discharges.services import Refused
from tests.conftest import OrgTree, Personas


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "x" * 201), ("address", "x" * 301), ("name", "Anna\x00"), ("address", "\x00")],
)
def test_a_new_patients_text_over_its_limit_is_refused(
    org_tree: OrgTree, db: None, field: str, value: str
) -> None:
    with pytest.raises(Refused) as info:
        services.register_patient(
            personnummer="191212121212", kommun=org_tree.umea, **{field: value}
        )
    assert info.value.field == field
    assert not Patient.objects.exists()


def test_an_external_id_over_its_limit_is_refused(
    personas: Personas, org_tree: OrgTree, patient: Patient
) -> None:
    with pytest.raises(Refused) as info:
        services.register_episode(
            actor=personas.ward_actor,
            patient=patient,
            ward=org_tree.ward,
            admitted_at=patient.created_at,
            external_id="E" * 65,
        )
    assert info.value.field == "external_id"
    assert not Episode.objects.exists()


def test_a_consent_note_over_its_limit_is_refused(
    personas: Personas, make_episode: Callable[..., Episode]
) -> None:
    episode = make_episode()
    with pytest.raises(Refused) as info:
        services.record_consent(actor=personas.ward_actor, episode=episode, note="n" * 301)
    assert info.value.field == "note"
    assert not ConsentRecord.objects.exists()


def test_texts_at_their_limits_are_stored(org_tree: OrgTree, db: None) -> None:
    patient = services.register_patient(
        personnummer="191212121212", kommun=org_tree.umea, name="n" * 200, address="a" * 300
    )
    assert (len(patient.name), len(patient.address)) == (200, 300)
