"""The demo's plans written through ``discharges.services``, one message at a time, exactly as
the pages send them; the integration account acts for the organisation that sends each one (so
back-dating is allowed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from demo.organisations import DemoOrganisations
from demo.plans import EpisodePlan, Party, PatientSpec, hours
from discharges import services
from discharges.models import Episode, EpisodeEvent, Organisation, Patient


@dataclass
class Counts:
    patients: int = 0
    episodes: int = 0
    events: int = 0
    receipts: int = 0
    consents: int = 0


class Executor:
    def __init__(self, orgs: DemoOrganisations, integration_user: Any) -> None:
        self.orgs = orgs
        self.user = integration_user
        self.patients: dict[str, Patient] = {}
        self.kommun_by_id = {k.pk: k for k in orgs.kommuner.values()}
        self.hc_by_id = {hc.pk: hc for hc in orgs.health_centres.values()}
        self.counts = Counts()

    def actor(self, organisation: Organisation) -> services.Actor:
        return services.Actor(self.user, organisation)

    def patient(self, spec: PatientSpec) -> Patient:
        patient = self.patients.get(spec.personnummer)
        if patient is None:
            patient = services.register_patient(
                personnummer=spec.personnummer,
                kommun=self.orgs.kommuner[spec.kommun],
                name=spec.name,
                address=spec.address,
                health_centre=self.orgs.health_centres[spec.health_centre],
            )
            self.patients[spec.personnummer] = patient
            self.counts.patients += 1
        return patient

    def party_organisation(self, episode: Episode, party: Party) -> Organisation:
        if party == "ward":
            return self.orgs.wards_by_id[episode.ward_id]
        if party == "kommun":
            return self.kommun_by_id[episode.kommun_id]
        return self.hc_by_id[episode.health_centre_id]

    def run(self, plan: EpisodePlan, *, with_receipts: bool) -> Episode:
        ward = self.orgs.wards[plan.ward]
        episode = services.register_episode(
            actor=self.actor(ward),
            patient=self.patient(plan.patient),
            ward=ward,
            admitted_at=plan.admitted_at,
            kommun=self.orgs.kommuner[plan.kommun] if plan.kommun else None,
            health_centre=(
                self.orgs.health_centres[plan.health_centre] if plan.health_centre else None
            ),
            admission_type=plan.admission_type,
        )
        self.counts.episodes += 1
        self.counts.events += 1
        receipts: list[tuple[EpisodeEvent, Organisation]] = []
        for step in plan.steps:
            kwargs = dict(step.kwargs)
            if step.service == "change_recipients":
                kwargs["kommun"] = self.orgs.kommuner[kwargs["kommun"]]
                kwargs["health_centre"] = self.orgs.health_centres[kwargs["health_centre"]]
            organisation = self.party_organisation(episode, step.party)
            function: Callable[..., EpisodeEvent] = getattr(services, step.service)
            event = function(
                actor=self.actor(organisation), episode=episode, occurred_at=step.at, **kwargs
            )
            self.counts.events += 1
            if with_receipts and not (plan.kommun or plan.health_centre):
                for party in step.receipt_by:
                    if party != "ward" and episode.shared_at is None:
                        continue
                    receipts.append((event, self.party_organisation(episode, party)))
        for event, organisation in receipts:
            services.acknowledge_receipt(
                actor=self.actor(organisation),
                event=event,
                occurred_at=min(event.occurred_at + hours(2), timezone.now()),
            )
            self.counts.receipts += 1
        return episode

    def consent(self, spec: PatientSpec, ward_key: str, at: datetime) -> None:
        """Samtycke for the patient's first stay, recorded by its ward a few hours into it."""
        ward = self.orgs.wards[ward_key]
        # The plan's consents follow its stays: the patient has a stay at the ward.
        episode = Episode.objects.filter(
            patient=self.patients[spec.personnummer], ward=ward
        ).earliest("admitted_at", "id")
        services.record_consent(
            actor=self.actor(ward), episode=episode, occurred_at=at, note="Muntligt samtycke"
        )
        self.counts.consents += 1
