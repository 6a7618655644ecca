"""CSV import of historical episodes (e.g. a region moving its Lifecare SP history in).

Every row goes through the service functions of discharges.services, the one write path, with a
``BatchRecorder``: it runs the very same checks and projection as a page would, in memory, and
saves the whole file in bulk at the end. The file is one transaction: any invalid row aborts
the import with every error listed as ``row N, column X: reason`` and nothing is stored.
Re-importing a file changes nothing: rows are matched on ``episode_id``; a row adds only the
messages its stored episode lacks, and a value that differs from the stored one is an error.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from discharges import services
from discharges.bulk import insert_models
from discharges.clock import ZONE
from discharges.exports import FORMULA_STARTS
from discharges.models import (
    CareType,
    Destination,
    Episode,
    HealthCentre,
    Hospital,
    Kommun,
    Membership,
    Patient,
    Region,
    Role,
    TrackColour,
    Ward,
)
from discharges.personnummer import normalise_personnummer
from discharges.services import Actor, Refused
from discharges.services.batch import BatchRecorder

REQUIRED_COLUMNS = (
    "episode_id", "personnummer", "kommun", "care_type", "admitted_at", "admission_notice_at",
    "preliminary_ready_date", "ready_date", "ready_notice_at", "sip_needed",
    "sip_invitation_at", "discharged_at",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "hospital", "ward", "health_centre", "track_colour", "named_contact", "sip_held_date",
    "destination",
)  # fmt: skip
# Ids and names a spreadsheet would run as a formula (CSV injection) are refused.
TEXT_COLUMNS = ("episode_id", "hospital", "ward", "health_centre")
FORMULA_REFUSED = "starts with =, +, -, @, a tab or a carriage return (a spreadsheet would run it)"
IMPORT_HOSPITAL = "Okänt sjukhus (import)"
IMPORT_HEALTH_CENTRE = "Okänd hälsocentral (import)"
IMPORTED_CONTACT = "Namngiven (importerad uppgift)"


class ImportFailed(Exception):
    """The file was refused; ``errors`` lists every problem as ``row N, column X: reason``."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0


# --- Parsing ----------------------------------------------------------------------------------


class CellError(Exception):
    pass


def parse_date(value: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CellError("expected a date YYYY-MM-DD") from exc


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601; without an offset the time is Europe/Stockholm local time. Returned in UTC:
    an aware datetime in the repeated autumn hour never compares equal to one in another
    zone (PEP 495), which would make a re-import see a stored time as different."""
    if not value:
        return None
    if len(value) == 10:
        raise CellError("expected a date and time, YYYY-MM-DDTHH:MM (ISO 8601)")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise CellError("expected a date and time, YYYY-MM-DDTHH:MM (ISO 8601)") from exc
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    utc = parsed.replace(tzinfo=ZONE).astimezone(UTC)
    # A local time in the hour skipped when clocks go forward does not exist.
    if utc.astimezone(ZONE).replace(tzinfo=None) != parsed:
        raise CellError("this local time does not exist (daylight saving time starts)")
    return utc


def parse_yes_no(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in ("", "okänt"):
        return None
    if lowered in ("ja", "nej"):
        return lowered == "ja"
    raise CellError("expected ja or nej")


@dataclass
class Row:
    number: int  # the line in the file (the header is row 1)
    episode_id: str
    personnummer: str
    kommun: Kommun
    care_type: str
    admitted_at: datetime
    admission_notice_at: datetime | None
    preliminary_ready_date: date | None
    ready_date: date | None
    ready_notice_at: datetime | None
    sip_needed: bool | None
    sip_invitation_at: datetime | None
    discharged_at: datetime | None
    hospital: str = ""
    ward: str = ""
    health_centre: str = ""
    track_colour: str = ""
    named_contact: bool | None = None
    sip_held_date: date | None = None
    destination: str = ""


@dataclass
class Parser:
    kommuner: dict[str, Kommun]
    errors: list[str] = field(default_factory=list)

    def error(self, number: int, column: str, reason: str) -> None:
        self.errors.append(f"row {number}, column {column}: {reason}")

    def cell(
        self, number: int, raw: dict[str, str], column: str, parse: Callable[[str], Any]
    ) -> Any:
        try:
            return parse((raw.get(column) or "").strip())
        except CellError as exc:
            self.error(number, column, str(exc))
            return None

    def row(self, number: int, raw: dict[str, str]) -> Row | None:
        before = len(self.errors)
        episode_id = (raw.get("episode_id") or "").strip()
        if not episode_id:
            self.error(number, "episode_id", "required")
        elif len(episode_id) > 64:
            self.error(number, "episode_id", "at most 64 characters")
        for column in TEXT_COLUMNS:  # shown on pages and written to CSV files
            if (raw.get(column) or "").strip().startswith(FORMULA_STARTS):
                self.error(number, column, FORMULA_REFUSED)
        personnummer = ""
        try:
            personnummer = normalise_personnummer((raw.get("personnummer") or "").strip())
        except Exception as exc:  # ValidationError: say why, never echo the number
            self.error(number, "personnummer", " ".join(getattr(exc, "messages", [str(exc)])))
        code = (raw.get("kommun") or "").strip()
        kommun = self.kommuner.get(code)
        if kommun is None:
            self.error(number, "kommun", f"unknown kommunkod {code!r}")
        care_type = (raw.get("care_type") or "").strip().lower()
        if care_type not in CareType.values:
            self.error(number, "care_type", "expected somatik or psykiatri")
        admitted_at = self.cell(number, raw, "admitted_at", parse_datetime)
        if admitted_at is None and not any(
            e.startswith(f"row {number}, column admitted_at") for e in self.errors
        ):
            self.error(number, "admitted_at", "required")
        colour = (raw.get("track_colour") or "").strip().lower()
        colour = {"grön": "green", "gul": "yellow", "röd": "red", "blå": "blue"}.get(colour, colour)
        if colour and colour not in TrackColour.values:
            self.error(number, "track_colour", "expected grön, gul, röd or blå")
        destination = (raw.get("destination") or "").strip()
        if destination and destination not in Destination.values:
            self.error(number, "destination", f"expected one of {', '.join(Destination.values)}")
        values = {
            "admission_notice_at": self.cell(number, raw, "admission_notice_at", parse_datetime),
            "preliminary_ready_date": self.cell(number, raw, "preliminary_ready_date", parse_date),
            "ready_date": self.cell(number, raw, "ready_date", parse_date),
            "ready_notice_at": self.cell(number, raw, "ready_notice_at", parse_datetime),
            "sip_needed": self.cell(number, raw, "sip_needed", parse_yes_no),
            "sip_invitation_at": self.cell(number, raw, "sip_invitation_at", parse_datetime),
            "discharged_at": self.cell(number, raw, "discharged_at", parse_datetime),
            "named_contact": self.cell(number, raw, "named_contact", parse_yes_no),
            "sip_held_date": self.cell(number, raw, "sip_held_date", parse_date),
        }
        if values["ready_notice_at"] and not values["ready_date"]:
            self.error(number, "ready_date", "required when ready_notice_at is given")
        if values["preliminary_ready_date"] and not values["admission_notice_at"]:
            self.error(
                number, "preliminary_ready_date", "needs admission_notice_at (it is sent with it)"
            )
        if values["sip_held_date"] and not values["sip_invitation_at"]:
            self.error(number, "sip_held_date", "needs sip_invitation_at")
        if len(self.errors) > before:
            return None
        return Row(
            number=number,
            episode_id=episode_id,
            personnummer=personnummer,
            kommun=kommun,  # type: ignore[arg-type]
            care_type=care_type,
            admitted_at=admitted_at,
            hospital=(raw.get("hospital") or "").strip(),
            ward=(raw.get("ward") or "").strip(),
            health_centre=(raw.get("health_centre") or "").strip(),
            track_colour=colour,
            destination=destination,
            **values,
        )


# --- The import -------------------------------------------------------------------------------


@dataclass
class Context:
    """Organisations and accounts the rows refer to, resolved once per file."""

    integration_users: dict[str, Any] = field(default_factory=dict)
    wards: dict[tuple[str, str, str, str], Ward] = field(default_factory=dict)
    health_centres: dict[tuple[str, str], HealthCentre] = field(default_factory=dict)

    def integration_user(self, region: Region) -> Any:
        """The region's integration account, created on first use; it authors the history."""
        if region.code not in self.integration_users:
            user, _created = get_user_model().objects.get_or_create(
                username=f"integration-{region.code}",
                defaults={"first_name": "Import", "last_name": region.name},
            )
            if _created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            if not Membership.objects.filter(
                user=user, organisation=region, role=Role.INTEGRATION
            ).exists():
                services.add_membership(user=user, organisation=region, role=Role.INTEGRATION)
            self.integration_users[region.code] = user
        return self.integration_users[region.code]

    def ward(self, region: Region, hospital_name: str, ward_name: str, care_type: str) -> Ward:
        """The named ward of the region, created when unknown; unnamed wards go to a placeholder
        ward per care type ("Okänt sjukhus (import)")."""
        hospital_name = hospital_name or IMPORT_HOSPITAL
        ward_name = ward_name or f"Okänd avdelning, {care_type} (import)"
        key = (region.code, hospital_name, ward_name, care_type)
        if key not in self.wards:
            hospital = Hospital.objects.filter(region=region, name=hospital_name).first()
            if hospital is None:
                hospital = Hospital.objects.create(region=region, name=hospital_name)
            ward = Ward.objects.filter(hospital=hospital, name=ward_name).first()
            if ward is None:
                ward = Ward.objects.create(hospital=hospital, name=ward_name, care_type=care_type)
            self.wards[key] = ward
        return self.wards[key]

    def health_centre(self, kommun: Kommun, name: str) -> HealthCentre:
        region = kommun.region
        name = name or IMPORT_HEALTH_CENTRE
        key = (region.code, name)
        if key not in self.health_centres:
            centre = HealthCentre.objects.filter(region=region, name=name).first()
            if centre is None:
                centre = HealthCentre.objects.create(region=region, name=name)
            self.health_centres[key] = centre
        centre = self.health_centres[key]
        return centre


def _local_noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=ZONE).astimezone(UTC)


Step = tuple[datetime, int, str, Actor, Callable[..., Any], dict[str, Any]]


def _steps(row: Row, ward_actor: Actor, hc_actor: Callable[[], Actor]) -> list[Step]:
    """The messages a row stands for, in time order: (time, order, column, actor, service,
    kwargs). ``order`` breaks ties so that, e.g., the ready notice precedes a contact named
    at the same moment."""
    steps: list[Step] = []
    if row.admission_notice_at:
        notice = {"preliminary_ready_date": row.preliminary_ready_date}
        steps.append((row.admission_notice_at, 1, "admission_notice_at", ward_actor,
                      services.send_admission_notice, notice))  # fmt: skip
    first = row.admission_notice_at or row.admitted_at
    if row.track_colour or row.sip_needed is not None:
        column = "track_colour" if row.track_colour else "sip_needed"
        assessment = {"colour": row.track_colour, "sip_needed": row.sip_needed}
        steps.append((first, 2, column, ward_actor, services.assess_track_colour, assessment))
    ready_at = None
    if row.ready_date and row.ready_notice_at:
        ready_at = row.ready_notice_at
        steps.append((ready_at, 3, "ready_notice_at", ward_actor, services.send_ready_notice,
                      {"ready_date": row.ready_date}))  # fmt: skip
    elif row.ready_date:
        ready_at = max(
            datetime.combine(row.ready_date, time(0), tzinfo=ZONE).astimezone(UTC), first
        )
        steps.append((ready_at, 3, "ready_date", ward_actor, services.record_ready_date,
                      {"ready_date": row.ready_date}))  # fmt: skip
    if row.named_contact:
        # The hälsocentral acts once the episode is shared with it (notice or ready date).
        named_at = row.admission_notice_at or ready_at or row.admitted_at
        steps.append((named_at, 4, "named_contact", hc_actor(), services.name_care_contact,
                      {"name": IMPORTED_CONTACT}))  # fmt: skip
    if row.sip_invitation_at:
        steps.append((row.sip_invitation_at, 5, "sip_invitation_at", hc_actor(),
                      services.send_sip_invitation, {}))  # fmt: skip
    if row.sip_held_date and row.sip_invitation_at:
        held_at = max(_local_noon(row.sip_held_date), row.sip_invitation_at)
        steps.append((held_at, 6, "sip_held_date", hc_actor(), services.record_sip_held,
                      {"held_date": row.sip_held_date}))  # fmt: skip
    if row.discharged_at:
        steps.append((row.discharged_at, 7, "discharged_at", ward_actor,
                      services.register_discharge, {"destination": row.destination}))  # fmt: skip
    steps.sort(key=lambda s: (s[0], s[1]))
    return steps


def _compare(episode: Episode, row: Row, column: str) -> tuple[Any, Any, tuple[str, ...]]:
    """What the stored episode shows for the message behind ``column``, what the row says, and
    the columns compared (a message can carry two).

    The stored value is None when the episode lacks the message (it is then added); any other
    difference is a conflict.
    """
    stored: Any
    if column in ("track_colour", "sip_needed"):
        assessed = bool(episode.track_colour) or episode.sip_needed is not None
        stored = (episode.track_colour or None, episode.sip_needed) if assessed else None
        return stored, (row.track_colour or None, row.sip_needed), ("track_colour", "sip_needed")
    if column in ("ready_notice_at", "ready_date"):
        stored = (episode.ready_notice_at, episode.ready_date) if episode.ready_date else None
        return stored, (row.ready_notice_at, row.ready_date), ("ready_notice_at", "ready_date")
    if column == "discharged_at":
        stored = (episode.discharged_at, episode.destination) if episode.discharged_at else None
        return stored, (row.discharged_at, row.destination), ("discharged_at", "destination")
    if column == "named_contact":
        return (True if episode.named_contact else None), True, (column,)
    return getattr(episode, column), getattr(row, column), (column,)


def import_rows(
    rows: list[Row], *, recorder: BatchRecorder | None = None
) -> tuple[ImportResult, list[str]]:
    """Run the rows through the services; returns the result and the errors (nothing saved)."""
    recorder = recorder or BatchRecorder()
    result = ImportResult()
    errors: list[str] = []
    ctx = Context()
    existing = _existing_episodes([r.episode_id for r in rows])
    patients = _patients(rows)
    for row in rows:
        region = row.kommun.region
        user = ctx.integration_user(region)
        ward = ctx.ward(region, row.hospital, row.ward, row.care_type)
        ward_actor = Actor(user, ward)
        episode = existing.get(row.episode_id)
        centre_holder: dict[str, HealthCentre] = {}

        def hc_actor(
            row: Row = row, user: Any = user, holder: dict[str, HealthCentre] = centre_holder
        ) -> Actor:
            if "hc" not in holder:
                holder["hc"] = ctx.health_centre(row.kommun, row.health_centre)
            return Actor(user, holder["hc"])

        try:
            if episode is None:
                needs_hc = row.named_contact or row.sip_invitation_at or row.health_centre
                episode = services.register_episode(
                    actor=ward_actor,
                    patient=patients[row.personnummer],
                    ward=ward,
                    admitted_at=row.admitted_at,
                    kommun=row.kommun,
                    health_centre=hc_actor().organisation if needs_hc else None,  # type: ignore[arg-type]
                    care_type=row.care_type,
                    external_id=row.episode_id,
                    recorder=recorder,
                )
                result.created += 1
                pending = _steps(row, ward_actor, hc_actor)
            else:
                pending = _new_steps(row, episode, ward_actor, hc_actor, errors)
                pending = _with_health_centre(row, episode, pending, ward_actor, hc_actor, errors)
                if pending:
                    result.updated += 1
                else:
                    result.unchanged += 1
        except Refused as exc:
            errors.append(f"row {row.number}, column {_column(exc, 'episode_id')}: {exc.message}")
            continue
        for _at, _order, column, actor, service, kwargs in pending:
            try:
                service(actor=actor, episode=episode, occurred_at=_at, recorder=recorder, **kwargs)
            except Refused as exc:
                errors.append(f"row {row.number}, column {_column(exc, column)}: {exc.message}")
                break
    result.events = len(recorder.events)
    return result, errors


HEALTH_CENTRE_COLUMNS = frozenset({"named_contact", "sip_invitation_at", "sip_held_date"})


def _with_health_centre(
    row: Row,
    episode: Episode,
    pending: list[Any],
    ward_actor: Actor,
    hc_actor: Callable[[], Actor],
    errors: list[str],
) -> list[Any]:
    """A stored episode without a hälsocentral gets one (the ward's change of recipients)
    before the row's first message from a hälsocentral, as a fresh import would have."""
    if episode.health_centre_id or not any(s[2] in HEALTH_CENTRE_COLUMNS for s in pending):
        return pending
    if not episode.is_active:
        column = next(s[2] for s in pending if s[2] in HEALTH_CENTRE_COLUMNS)
        errors.append(
            f"row {row.number}, column {column}: the stored episode {row.episode_id} has no "
            "hälsocentral and is no longer active, so none can be added"
        )
        return []
    at = next(i for i, s in enumerate(pending) if s[2] in HEALTH_CENTRE_COLUMNS)
    change = (
        pending[at][0],
        0,
        "health_centre",
        ward_actor,
        services.change_recipients,
        {"kommun": episode.kommun, "health_centre": hc_actor().organisation},
    )
    return [*pending[:at], change, *pending[at:]]


def _column(exc: Refused, default: str) -> str:
    """The CSV column behind a service's refusal."""
    mapping = {
        "ready_date": "ready_date",
        "preliminary_ready_date": "preliminary_ready_date",
        "held_date": "sip_held_date",
        "destination": "destination",
        "care_type": "care_type",
        "external_id": "episode_id",
        "personnummer": "personnummer",
    }
    return mapping.get(exc.field or "", default)


def _new_steps(
    row: Row, episode: Episode, ward_actor: Actor, hc_actor: Callable[[], Actor], errors: list[str]
) -> list[Any]:
    """For a stored episode: the row's messages it lacks; a differing value is an error."""
    base = {
        "personnummer": (episode.patient.personnummer, row.personnummer),
        "kommun": (episode.kommun_id, row.kommun.pk),
        "care_type": (episode.care_type, row.care_type),
        "admitted_at": (episode.admitted_at, row.admitted_at),
    }
    for column, (stored, incoming) in base.items():
        if stored != incoming:
            errors.append(_differs(row, column))
            return []
    pending = []
    for step in _steps(row, ward_actor, hc_actor):
        stored, incoming, columns = _compare(episode, row, step[2])
        if stored is None:
            pending.append(step)
        elif stored != incoming:
            if len(columns) == 1:
                stored, incoming = (stored,), (incoming,)
            column = next(c for c, a, b in zip(columns, stored, incoming, strict=True) if a != b)
            errors.append(_differs(row, column))
            return []
    return pending


def _differs(row: Row, column: str) -> str:
    return f"row {row.number}, column {column}: differs from stored episode {row.episode_id}"


def _existing_episodes(ids: Iterable[str]) -> dict[str, Episode]:
    found: dict[str, Episode] = {}
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        for episode in (
            Episode.objects.select_for_update()
            .filter(external_id__in=chunk)
            .select_related("patient")
        ):
            found[episode.external_id] = episode  # type: ignore[index]
    return found


def _patients(rows: list[Row]) -> dict[str, Patient]:
    """Patients by personnummer; missing ones are created (kommun and listing from the row)."""
    wanted = {row.personnummer: row for row in rows}
    found: dict[str, Patient] = {}
    numbers = list(wanted)
    for start in range(0, len(numbers), 5000):
        for patient in Patient.objects.filter(personnummer__in=numbers[start : start + 5000]):
            found[patient.personnummer] = patient
    missing = [
        Patient(personnummer=number, kommun=row.kommun)
        for number, row in wanted.items()
        if number not in found
    ]
    insert_models(missing)
    found.update({p.personnummer: p for p in missing})
    return found


def read_rows(text: str) -> tuple[list[Row], list[str]]:
    """Parse the CSV text: rows that parsed, and every error found."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    errors = [
        f"row 1, column {c}: missing from the header" for c in REQUIRED_COLUMNS if c not in header
    ]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    errors += [f"row 1, column {c}: unknown column" for c in unknown]
    if errors:
        return [], errors
    parser = Parser(kommuner={k.code: k for k in Kommun.objects.select_related("region")})
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        if None in raw:
            parser.error(number, "-", "more cells than columns in the header")
            continue
        row = parser.row(number, raw)
        episode_id = (raw.get("episode_id") or "").strip()
        if episode_id in seen:
            parser.error(number, "episode_id", f"duplicate of row {seen[episode_id]}")
            continue
        if episode_id:
            seen[episode_id] = number
        if row is not None:
            rows.append(row)
    return rows, parser.errors


def import_csv(text: str) -> ImportResult:
    """Import the whole file or nothing. Raises ImportFailed listing every error: those of
    the cells and those the services find in the rows whose cells are valid."""
    rows, errors = read_rows(text)
    with transaction.atomic():
        recorder = BatchRecorder()
        result, service_errors = import_rows(rows, recorder=recorder)
        errors += service_errors
        if errors:
            errors.sort(key=_row_number)
            raise ImportFailed(errors)  # leaving the block rolls everything back
        recorder.flush()
    return result


def _row_number(error: str) -> int:
    return int(error.split(",", 1)[0].removeprefix("row "))
