"""discharges.services consent: record_consent and withdraw_consent.

The episode's ward records consent for the episode and its withdrawal; refusals (twice, nothing
to withdraw, the kommun, another ward, a time in the future) as one table, changing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from discharges import services
from discharges.models import ConsentAction, ConsentRecord, Episode, Patient
from discharges.services import NotPermitted, Refused
from tests.conftest import Personas


def test_it_records_and_withdraws_consent(
    episode: Episode, patient: Patient, personas: Personas
) -> None:
    given_at = timezone.now() - timedelta(hours=2)
    record = services.record_consent(
        actor=personas.ward_actor, episode=episode, occurred_at=given_at, note="Muntligt"
    )
    stored = ConsentRecord.objects.get(pk=record.pk)
    assert stored.action == ConsentAction.GIVEN
    assert (stored.episode_id, stored.patient_id) == (episode.pk, patient.pk)
    assert stored.recorded_by_id == personas.ward_nurse.pk
    assert stored.organisation_id == personas.ward_actor.organisation.pk
    assert stored.occurred_at == given_at
    assert stored.note == "Muntligt"
    assert Episode.objects.get(pk=episode.pk).has_consent is True
    assert episode.has_consent is True

    withdrawn = services.withdraw_consent(actor=personas.ward_actor, episode=episode)
    assert ConsentRecord.objects.get(pk=withdrawn.pk).action == ConsentAction.WITHDRAWN
    assert Episode.objects.get(pk=episode.pk).has_consent is False
    assert ConsentRecord.objects.filter(episode=episode).count() == 2


def assert_no_consent_change(
    episode: Episode, send: Callable[[], Any], exc_type: type, field: str | None = None
) -> None:
    records = ConsentRecord.objects.count()
    consent = Episode.objects.get(pk=episode.pk).has_consent
    with pytest.raises(Refused) as info:
        send()
    assert type(info.value) is exc_type
    assert info.value.field == field
    assert ConsentRecord.objects.count() == records
    assert Episode.objects.get(pk=episode.pk).has_consent is consent


@dataclass(frozen=True)
class Consenting:
    episode: Episode
    patient: Patient
    personas: Personas
    advance: Callable[..., Episode]


@pytest.mark.parametrize(
    ("before", "send", "exc_type", "field"),
    [
        (
            lambda c: services.record_consent(actor=c.personas.ward_actor, episode=c.episode),
            lambda c: services.record_consent(actor=c.personas.ward_actor, episode=c.episode),
            Refused,
            None,
        ),
        (
            None,
            lambda c: services.withdraw_consent(actor=c.personas.ward_actor, episode=c.episode),
            Refused,
            None,
        ),
        (
            lambda c: c.advance(c.episode, "noticed"),
            lambda c: services.record_consent(actor=c.personas.kommun_actor, episode=c.episode),
            NotPermitted,
            None,
        ),
        (
            None,
            lambda c: services.record_consent(actor=c.personas.psych_actor, episode=c.episode),
            NotPermitted,
            None,
        ),
        (
            None,
            lambda c: services.record_consent(
                actor=c.personas.ward_actor,
                episode=c.episode,
                occurred_at=timezone.now() + timedelta(hours=1),
            ),
            Refused,
            "occurred_at",
        ),
    ],
    ids=[
        "twice",
        "withdrawal-of-consent-not-given",
        "recorded-by-the-kommun",
        "recorded-by-another-ward",
        "dated-in-the-future",
    ],
)
def test_it_refuses_consent(
    episode: Episode,
    patient: Patient,
    personas: Personas,
    advance: Callable[..., Episode],
    before: Callable[[Consenting], Any] | None,
    send: Callable[[Consenting], Any],
    exc_type: type[Refused],
    field: str | None,
) -> None:
    consenting = Consenting(episode, patient, personas, advance)
    if before is not None:
        before(consenting)
    assert_no_consent_change(episode, lambda: send(consenting), exc_type, field)
