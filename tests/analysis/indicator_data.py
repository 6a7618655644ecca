"""Hand-built stays for the tests of seed 003's indicators and the national export, sent
through the services as history (an integration account, so that dates months back are
accepted), with the new message fields (issue 14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from discharges import services
from discharges.models import Destination, Episode, HealthCentre, Kommun, Patient, Ward
from tests.conftest import OrgTree, Personas, personnummer_for

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


@dataclass(frozen=True)
class Sip:
    invited: date
    held: date
    place: str = ""
    follow_up: date | None = None
    done: date | None = None


class Builder:
    """``stay(...)``: one episode, from registration to discharge, as history."""

    def __init__(self, personas: Personas, org_tree: OrgTree) -> None:
        self.personas = personas
        self.org_tree = org_tree
        self.serial = 100

    def patient(
        self,
        born: date = date(1941, 3, 15),
        *,
        coordination: bool = False,
        kommun: Kommun | None = None,
        health_centre: HealthCentre | None = None,
    ) -> Patient:
        self.serial += 1
        return services.register_patient(
            personnummer=personnummer_for(born, self.serial, coordination=coordination),
            kommun=kommun or self.org_tree.umea,
            name=f"Patient {self.serial}",
            health_centre=health_centre,
        )

    def actor(self, organisation: Ward | HealthCentre | Kommun) -> services.Actor:
        return services.Actor(self.personas.integration, organisation)

    def stay(
        self,
        patient: Patient,
        admitted: datetime,
        *,
        admission_type: str = "",
        ward: Ward | None = None,
        notice: bool = True,
        ready: date | None = None,
        sip: Sip | None = None,
        discharged: datetime | None = None,
        needs: str = "",
    ) -> Episode:
        ward = ward or self.org_tree.ward
        actor = self.actor(ward)
        episode = services.register_episode(
            actor=actor,
            patient=patient,
            ward=ward,
            admitted_at=admitted,
            admission_type=admission_type,
        )
        if notice:
            services.send_admission_notice(
                actor=actor,
                episode=episode,
                preliminary_ready_date=ready or admitted.date(),
                occurred_at=admitted.replace(hour=admitted.hour + 1),
            )
        if ready is not None:
            services.send_ready_notice(
                actor=actor, episode=episode, ready_date=ready, occurred_at=at(ready, 9)
            )
        if sip is not None:
            self._sip(episode, sip)
        if discharged is not None:
            services.register_discharge(
                actor=actor,
                episode=episode,
                destination=Destination.HOME,
                needs_outcome=needs,
                occurred_at=discharged,
            )
        if sip is not None and sip.done is not None:
            services.record_sip_follow_up_done(
                actor=self.actor(episode.health_centre),  # type: ignore[arg-type]
                episode=episode,
                done_date=sip.done,
                occurred_at=at(sip.done, 16),
            )
        return episode

    def _sip(self, episode: Episode, sip: Sip) -> None:
        assert episode.health_centre is not None
        hc = self.actor(episode.health_centre)
        services.send_sip_invitation(actor=hc, episode=episode, occurred_at=at(sip.invited, 8))
        services.record_sip_held(
            actor=hc,
            episode=episode,
            held_date=sip.held,
            place=sip.place,
            follow_up_date=sip.follow_up,
            occurred_at=at(sip.held, 8, 30),
        )
