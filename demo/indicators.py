"""The demo's draws for issue 14's message fields: admission type, where a SIP is held and
its follow-up, the outcome of needs at discharge. They use a random stream of their own, seeded
by the stay (patient and admission time), so that the rest of the demo's history is what it was
before these fields existed; returning patients (``Planner.patient_for``) admitted as akut
within 30 days of a discharge give the readmissions of indicator 5.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.plans import EpisodePlan
from discharges.models import AdmissionType, NeedsOutcome, SipPlace


def stream(plan: EpisodePlan, purpose: str) -> random.Random:
    seed = f"{purpose}/{plan.patient.personnummer}/{plan.admitted_at.isoformat()}"
    return random.Random(seed)  # noqa: S311 (demo data, not secrets)


def admission_type(rng: random.Random, psychiatric: bool) -> str:
    acute = 0.85 if psychiatric else 0.7
    return AdmissionType.ACUTE if rng.random() < acute else AdmissionType.PLANNED


def sip_place(rng: random.Random, in_hospital: bool) -> str:
    if in_hospital:
        return rng.choices((SipPlace.HOSPITAL, SipPlace.VIDEO), weights=(70, 30))[0]
    return rng.choices(
        (SipPlace.HOME, SipPlace.PHONE, SipPlace.VIDEO, ""), weights=(55, 20, 20, 5)
    )[0]


def follow_up(rng: random.Random, held: date) -> tuple[date | None, date | None]:
    """The planned follow-up (about six SIPs in ten) and the day it is done (most of them on
    time, some late, a few never): (planned, done)."""
    if rng.random() > 0.6:
        return None, None
    planned = held + timedelta(days=rng.randint(14, 35))
    if rng.random() < 0.1:
        return planned, None
    return planned, planned + timedelta(days=rng.choice((-3, -1, 0, 0, 0, 1, 4)))


def needs_outcome(rng: random.Random, track_colour: str) -> str:
    choices: list[str] = [NeedsOutcome.UNCHANGED, NeedsOutcome.NEW_SOCIAL, NeedsOutcome.NONE, ""]
    weights = [75, 0, 20, 5] if track_colour == "green" else [20, 65, 5, 10]
    return rng.choices(choices, weights=weights)[0]
