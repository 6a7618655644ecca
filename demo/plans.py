"""What the demo plans before it writes anything (pure: no database): the episodes, each with
its patient, ward, admission and the messages (steps) to send through ``discharges.services``.

Every time is an aware datetime in UTC; times of day are chosen in Europe/Stockholm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from discharges.clock import ZONE
from discharges.personnummer import luhn_check_digit

TZ = ZONE  # the domain's zone (settings.TIME_ZONE)

# --- Time and personnummer ------------------------------------------------------------------------


def local_time(day: date, hours: float) -> datetime:
    """``day`` at ``hours`` (e.g. 13.5 = 13:30) Stockholm time, as an aware UTC datetime."""
    minutes = max(0, min(round(hours * 60), 24 * 60 - 1))
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=TZ)
    return wall.astimezone(UTC)


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def make_personnummer(born: date, serial: int) -> str:
    """A valid 12-digit personnummer; serials 980-999 are the range Skatteverket keeps for tests."""
    nine = f"{born:%y%m%d}{serial:03d}"
    return f"{born:%Y%m%d}{serial:03d}{luhn_check_digit(nine)}"


def hours(value: float) -> timedelta:
    return timedelta(hours=value)


# --- Plans ----------------------------------------------------------------------------------------

Party = str  # "ward" | "kommun" | "health_centre"
ENDING_SERVICES = ("register_discharge", "close_episode")


@dataclass(frozen=True)
class PatientSpec:
    personnummer: str
    name: str
    address: str
    kommun: str  # code
    health_centre: str  # key


@dataclass(frozen=True)
class Step:
    """One message: ``service`` is the name of the function in ``discharges.services``."""

    at: datetime
    party: Party
    service: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    before_end: bool = True  # must happen while the episode is active
    receipt_by: tuple[Party, ...] = ()  # recipients that acknowledge it (recent episodes only)


@dataclass
class EpisodePlan:
    patient: PatientSpec
    ward: str  # key
    admitted_at: datetime
    steps: list[Step]
    kommun: str | None = None  # registered with another kommun than the patient's (corrected)
    health_centre: str | None = None  # likewise for the hälsocentral
    end: datetime | None = None  # discharge or closure; None while active
    admission_type: str = ""  # akut or planerad (demo.indicators)


@dataclass
class Plan:
    episodes: list[EpisodePlan]
    consents: list[tuple[PatientSpec, str, datetime]]  # patient, ward key, when
