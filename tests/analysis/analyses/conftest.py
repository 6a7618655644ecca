"""Fixtures of the analysis tests: stays months back with every message the checklist reads,
the Västerbotten agreement, an analysis opened by the trigger, and (``filled``) that analysis
with a kommun's answers and an action followed up (the PDF tests).

Stays are written through ``discharges.services`` by the region's integration account (the
only account that may date messages months back), each message by its own party's
organisation, so the event log is what the pages would have written.

``full_stay`` (ready date R, discharged D, in Umeå at the somatic ward):

| message | party | when |
|---|---|---|
| registered | ward | R-5 08:00 |
| admission notice, preliminary date R-1 | ward | R-5 10:00 |
| preliminary date changed to R (twice: R+1, then R) | ward | R-4, R-3 |
| answer: current services, described | kommun | R-4 09:00 |
| answer: no current services, nothing described | hälsocentral | R-4 11:00 |
| named care contact | hälsocentral | R-4 12:00 |
| red track, SIP needed | ward | R-3 09:00 |
| SIP initiative | kommun | R-2 10:00 |
| ready notice | ward | R 10:35 |
| SIP invitation | hälsocentral | R+1 09:00 |
| SIP held R+2 | hälsocentral | R+2 15:00 |
| SoL planning done, HSL planning done, kommunklar | kommun | R+2 16:00, R+3 09:00, D-1 13:00 |
| discharge | ward | D 14:00 |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from analysis.analyses.answers import AnswerInput, save_column
from analysis.analyses.models import Analysis
from analysis.analyses.services import ActionInput, add_action, follow_up_action
from analysis.analyses.trigger import open_triggered_analyses
from analysis.statistics import compute_statistics
from discharges import services
from discharges.models import Destination, Episode, Patient, TrackColour, Ward
from discharges.services import Actor
from payment.loader import load_agreement
from payment.models import Agreement
from tests.conftest import OrgTree, Personas

STOCKHOLM = ZoneInfo("Europe/Stockholm")
AGREEMENTS = Path(settings.BASE_DIR) / "payment" / "agreements"
# A month that has ended, with room for every message before today.
MONTH = date(2026, 3, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


@pytest.fixture
def agreement(db: None) -> Agreement:
    loaded, _created = load_agreement(AGREEMENTS / "vasterbotten.toml")
    loaded.refresh_from_db()
    return loaded


@pytest.fixture
def simple_stay(
    personas: Personas, org_tree: OrgTree, make_episode: Callable[..., Episode]
) -> Callable[..., Episode]:
    """``simple_stay(ready, discharged, ward=..., patient=...)``: admission notice, ready notice
    and discharge only."""

    def make(ready: date, discharged: date, *, ward: Ward | None = None, **kwargs: Any) -> Episode:
        ward = ward or org_tree.ward
        episode = make_episode(ward=ward, admitted_at=at(ready - timedelta(days=3), 8), **kwargs)
        actor = Actor(personas.integration, ward)
        services.send_admission_notice(
            actor=actor,
            episode=episode,
            preliminary_ready_date=ready,
            occurred_at=at(ready - timedelta(days=3), 9),
        )
        services.send_ready_notice(
            actor=actor, episode=episode, ready_date=ready, occurred_at=at(ready, 9)
        )
        services.register_discharge(
            actor=actor,
            episode=episode,
            destination=Destination.HOME,
            occurred_at=at(discharged, 14),
        )
        episode.refresh_from_db()
        return episode

    return make


@pytest.fixture
def full_stay(
    personas: Personas, org_tree: OrgTree, make_episode: Callable[..., Episode]
) -> Callable[..., Episode]:
    """``full_stay(ready, discharged, patient=None)``: every message of the table above."""

    def make(ready: date, discharged: date, patient: Patient | None = None) -> Episode:
        day = lambda n: ready + timedelta(days=n)  # noqa: E731
        episode = make_episode(patient, admitted_at=at(day(-5), 8))
        ward = Actor(personas.integration, org_tree.ward)
        kommun = Actor(personas.integration, org_tree.umea)
        hc = Actor(personas.integration, org_tree.hc_umea)
        steps: list[tuple[Callable[..., Any], Actor, datetime, dict[str, Any]]] = [
            (services.send_admission_notice, ward, at(day(-5), 10),
             {"preliminary_ready_date": day(-1), "reason": "Fall i hemmet"}),
            (services.change_preliminary_date, ward, at(day(-4), 8),
             {"preliminary_ready_date": day(1)}),
            (services.change_preliminary_date, ward, at(day(-3), 8),
             {"preliminary_ready_date": ready}),
            (services.answer_admission, kommun, at(day(-4), 9),
             {"current_services": True, "services": "Hemtjänst morgon och kväll"}),
            (services.answer_admission, hc, at(day(-4), 11), {"current_services": False}),
            (services.name_care_contact, hc, at(day(-4), 12), {"name": "Ulla Sköterska"}),
            (services.assess_track_colour, ward, at(day(-3), 9),
             {"colour": TrackColour.RED, "sip_needed": True}),
            (services.take_sip_initiative, kommun, at(day(-2), 10), {"note": ""}),
            (services.send_ready_notice, ward, at(ready, 10, 35), {"ready_date": ready}),
            (services.send_sip_invitation, hc, at(day(1), 9), {"meeting_at": at(day(2), 13)}),
            (services.record_sip_held, hc, at(day(2), 15), {"held_date": day(2)}),
            (services.mark_sol_planning_done, kommun, at(day(2), 16), {}),
            (services.mark_hsl_planning_done, kommun, at(day(3), 9), {}),
            (services.mark_kommun_ready, kommun, at(discharged - timedelta(days=1), 13), {}),
            (services.register_discharge, ward, at(discharged, 14),
             {"destination": Destination.HOME}),
        ]  # fmt: skip
        for service, actor, when, data in steps:
            service(actor=actor, episode=episode, occurred_at=when, **data)
        episode.refresh_from_db()
        return episode

    return make


@pytest.fixture
def triggered(agreement: Agreement) -> Callable[[], list[Analysis]]:
    """Compute the statistics and run the trigger as the nightly task does."""

    def run() -> list[Analysis]:
        compute_statistics()
        return open_triggered_analyses()

    return run


@dataclass(frozen=True)
class March:
    """March 2026 in Umeå: three patients with 6, 4 and 5 ready days (average 5.00)."""

    analysis: Analysis
    first: Episode  # full_stay at the somatic ward, patient 1
    second: Episode  # full_stay at the somatic ward, patient 2
    psych: Episode  # simple_stay at the psychiatric ward, patient 3


@pytest.fixture
def march(
    full_stay: Callable[..., Episode],
    simple_stay: Callable[..., Episode],
    triggered: Callable[[], list[Analysis]],
    org_tree: OrgTree,
) -> March:
    first = full_stay(date(2026, 3, 10), date(2026, 3, 16))
    second = full_stay(date(2026, 3, 14), date(2026, 3, 18))
    psych = simple_stay(date(2026, 3, 20), date(2026, 3, 25), ward=org_tree.psych_ward)
    [analysis] = triggered()
    return March(analysis, first, second, psych)


@pytest.fixture
def filled(march: March, personas: Personas) -> March:
    patient = march.analysis.patients.get(episode=march.first)
    save_column(
        user=personas.kommun_planner, patient=patient, column="kommun",
        entries={
            "delay_capacity": AnswerInput(choice="yes", comment="Ingen korttidsplats ledig"),
            "kommun_units": AnswerInput(comment="BHL, EC hemtjänst Ersboda"),
        },
    )  # fmt: skip
    action = add_action(
        user=personas.processledare,
        analysis=march.analysis,
        data=ActionInput(
            "Korttidsplatser bokas via gemensam lista",
            march.analysis.kommun,
            "Enhetschef korttidsboende",
            timezone.localdate() + timedelta(days=30),
        ),
    )
    follow_up_action(
        user=personas.processledare, action=action, day=timezone.localdate(),
        note="Listan införd på två enheter", status="in_progress",
    )  # fmt: skip
    return march
