"""Reading one row's cells: strict formats, and a message naming the expected form.

Dates are ``YYYY-MM-DD``; times ``YYYY-MM-DD HH:MM`` (``T`` or a space between, optional
``:SS``, optional offset ``Z``/``+01:00``/``+0100``). Nothing else is guessed: ``12.30`` is not
read as 12:00:00.3 (which ``datetime.fromisoformat`` does, moving a ready notice before the noon
cut-off), ``12:30 PM`` and ``2026-2-3`` are refused with the row and column named. A cell's
value is never repeated in a message unless it is short and cannot be a personnummer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from discharges.clock import ZONE
from discharges.exports import FORMULA_STARTS
from discharges.models import (
    AdmissionType,
    CareType,
    Destination,
    Kommun,
    NeedsOutcome,
    TrackColour,
)
from discharges.personnummer import normalise_personnummer

REQUIRED_COLUMNS = (
    "episode_id", "personnummer", "kommun", "care_type", "admitted_at", "admission_notice_at",
    "preliminary_ready_date", "ready_date", "ready_notice_at", "sip_needed",
    "sip_invitation_at", "discharged_at",
)  # fmt: skip
OPTIONAL_COLUMNS = (
    "hospital", "ward", "health_centre", "track_colour", "named_contact", "sip_held_date",
    "destination", "admission_type", "needs_outcome",
)  # fmt: skip
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# Ids and names a spreadsheet would run as a formula (CSV injection) are refused.
TEXT_COLUMNS = ("episode_id", "hospital", "ward", "health_centre")
FORMULA_REFUSED = gettext_lazy(
    "starts with =, +, -, @, a tab or a carriage return (a spreadsheet would run it)"
)
# What a decoder puts where the file's bytes are not a character of its encoding.
REPLACEMENT = "\ufffd"
TEXT_LIMIT = 200  # hospital, ward and health centre names (Organisation.name)

_ASCII = re.ASCII
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", _ASCII)
_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}(?::?\d{2})?)?", _ASCII
)
_LOOSE_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}", _ASCII)
_DOTTED_TIME = re.compile(r"\d{1,2}\.\d{2}(\.\d{2})?$", _ASCII)
_AM_PM = re.compile(r"\b[AaPp]\.?[Mm]\.?$")

DATE_FORM = gettext_lazy("expected a date YYYY-MM-DD, e.g. 2026-02-13")
TIME_FORM = gettext_lazy(
    "expected a date and time YYYY-MM-DD HH:MM (a T or a space between, seconds and an offset "
    "such as +01:00 optional), e.g. 2026-02-13 12:30"
)


REQUIRED = gettext_lazy("required")
UNREADABLE = gettext_lazy(
    "holds bytes that are not characters in the file's encoding (give --encoding, or save the "
    "file as CSV UTF-8)"
)
_TWO_DIGITS = gettext_lazy("month and day take two digits")


class CellError(Exception):
    """The cell cannot be read; the message says what was expected."""


def shown(value: str) -> str:
    """``value`` quoted for a message when it is short and cannot be a personnummer."""
    if len(value) <= 12 and sum(c.isdigit() for c in value) < 6:
        return repr(value)
    return _("a value of %(n)s characters") % {"n": len(value)}


def parse_date(value: str) -> date | None:
    if not value:
        return None
    match = _DATE.fullmatch(value)
    if match is None:
        if _LOOSE_DATE.fullmatch(value):
            raise CellError(f"{DATE_FORM}: {_TWO_DIGITS}")
        raise CellError(str(DATE_FORM))
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise CellError(_("no such date in the calendar (%(form)s)") % {"form": DATE_FORM}) from exc


def _time_hint(value: str) -> str:
    """Why a value is not a date and time, for the commonest mistakes."""
    rest = value[10:].strip(" T")
    if _LOOSE_DATE.fullmatch(value) or _DATE.fullmatch(value):
        return _("the time of day is missing")
    if _AM_PM.search(value):
        return _("AM/PM is not read; give the 24-hour clock (12:30, 00:30)")
    if _DOTTED_TIME.match(rest):
        return _("the time is written with '.'; write HH:MM with ':' (12:30)")
    if _LOOSE_DATE.match(value) and not _DATE.match(value):
        return str(_TWO_DIGITS)
    if re.search(r"\d:\d{2}:\d{2}[.,]\d", value):
        return _("fractions of a second are not read")
    return ""


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError("offset out of range")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@lru_cache(maxsize=8192)
def _day_offset(year: int, month: int, day: int) -> timedelta | None:
    """Local time's offset from UTC throughout the day, or None on a day the clocks change
    (each time of that day is then converted on its own). Converting every time through the
    zone was a tenth of the parsing; a file's times fall on a few thousand days."""
    first = datetime(year, month, day)  # noqa: DTZ001 (local wall-clock time)
    offsets = set()
    for wall in (first, first.replace(hour=23, minute=59, second=59)):
        utc = wall.replace(tzinfo=ZONE).astimezone(UTC)
        if utc.astimezone(ZONE).replace(tzinfo=None) != wall:  # in a gap: clocks change
            return None
        offsets.add(wall - utc.replace(tzinfo=None))
    return offsets.pop() if len(offsets) == 1 else None


def parse_datetime(value: str) -> datetime | None:
    """Without an offset the time is Europe/Stockholm local time. Returned in UTC: an aware
    datetime in the repeated autumn hour never compares equal to one in another zone
    (PEP 495), which would make a re-import see a stored time as different."""
    if not value:
        return None
    match = _TIME.fullmatch(value)
    if match is None:
        hint = _time_hint(value)
        raise CellError(f"{TIME_FORM}; {hint}" if hint else str(TIME_FORM))
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        # Naive: local time (Europe/Stockholm) or the offset given, attached below.
        parsed = datetime(  # noqa: DTZ001
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
        )
        zone = _offset(offset) if offset else None
    except ValueError as exc:
        raise CellError(_("no such date and time (%(form)s)") % {"form": TIME_FORM}) from exc
    if zone is not None:
        return parsed.replace(tzinfo=zone).astimezone(UTC)
    offset = _day_offset(parsed.year, parsed.month, parsed.day)
    if offset is not None:
        return (parsed - offset).replace(tzinfo=UTC)
    utc = parsed.replace(tzinfo=ZONE).astimezone(UTC)
    # A local time in the hour skipped when clocks go forward does not exist.
    if utc.astimezone(ZONE).replace(tzinfo=None) != parsed:
        raise CellError(_("this local time does not exist (daylight saving time starts)"))
    return utc


def parse_yes_no(value: str) -> bool | None:
    lowered = value.lower()
    if lowered in ("", "okänt"):
        return None
    if lowered in ("ja", "nej"):
        return lowered == "ja"
    raise CellError(_("expected ja or nej (empty: not known)"))


# The choices' values, once (``Choices.values`` builds its list on every call).
_CARE_TYPES = frozenset(CareType.values)
_TRACK_COLOURS = frozenset(TrackColour.values)
_DESTINATIONS = frozenset(Destination.values)


def parse_care_type(value: str) -> str:
    lowered = value.lower()
    if lowered not in _CARE_TYPES:
        raise CellError(_("expected somatik or psykiatri"))
    return lowered


_COLOURS = {"grön": "green", "gul": "yellow", "röd": "red", "blå": "blue"}


def parse_colour(value: str) -> str:
    lowered = value.lower()
    colour = _COLOURS.get(lowered, lowered)
    if colour and colour not in _TRACK_COLOURS:
        raise CellError(_("expected grön, gul, röd or blå"))
    return colour


def parse_destination(value: str) -> str:
    if value and value not in _DESTINATIONS:
        raise CellError(_("expected one of %(values)s") % {"values": ", ".join(Destination.values)})
    return value


def parse_admission_type(value: str) -> str:
    lowered = value.lower()
    if lowered and lowered not in AdmissionType.values:
        raise CellError(_("expected akut or planerad (empty: not known)"))
    return lowered


def parse_needs_outcome(value: str) -> str:
    if value and value not in NeedsOutcome.values:
        raise CellError(
            _("expected one of %(values)s") % {"values": ", ".join(NeedsOutcome.values)}
        )
    return value


def parse_personnummer(value: str, today: date | None = None) -> str:
    if not value:
        raise CellError(str(REQUIRED))
    try:
        return normalise_personnummer(value, today=today)
    except Exception as exc:  # ValidationError: say why, never echo the number
        raise CellError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc


def parse_episode_id(value: str) -> str:
    if not value:
        raise CellError(str(REQUIRED))
    if len(value) > 64:
        raise CellError(_("at most %(n)s characters") % {"n": 64})
    return _text(value)


def _text(value: str) -> str:
    if value.startswith(FORMULA_STARTS):
        raise CellError(str(FORMULA_REFUSED))
    if len(value) > TEXT_LIMIT:
        raise CellError(_("at most %(n)s characters") % {"n": TEXT_LIMIT})
    return value


def parse_name(value: str) -> str:
    """A hospital, ward or health centre name; a line break or run of spaces inside it (a
    wrapped cell in the source system) is one space."""
    return " ".join(_text(value).split())


@dataclass
class Row:
    number: int  # the row as a spreadsheet shows it: the header is row 1
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
    admission_type: str = ""  # issue 14: optional, "" = not known
    needs_outcome: str = ""


# The parser of each column (kommun is looked up by the Parser).
CELLS: dict[str, Callable[[str], Any]] = {
    "episode_id": parse_episode_id,
    "personnummer": parse_personnummer,
    "care_type": parse_care_type,
    "admitted_at": parse_datetime,
    "admission_notice_at": parse_datetime,
    "preliminary_ready_date": parse_date,
    "ready_date": parse_date,
    "ready_notice_at": parse_datetime,
    "sip_needed": parse_yes_no,
    "sip_invitation_at": parse_datetime,
    "discharged_at": parse_datetime,
    "hospital": parse_name,
    "ward": parse_name,
    "health_centre": parse_name,
    "track_colour": parse_colour,
    "named_contact": parse_yes_no,
    "sip_held_date": parse_date,
    "destination": parse_destination,
    "admission_type": parse_admission_type,
    "needs_outcome": parse_needs_outcome,
}


class Parser:
    """Turns a row's cells into a ``Row``, or records why it cannot (``errors``)."""

    def __init__(self, kommuner: dict[str, Kommun]) -> None:
        self.kommuner = kommuner
        self.errors: list[tuple[int, str, str]] = []  # (row, column, reason)
        self.today = localdate()
        self._numbers: dict[str, str] = {}

    def new_batch(self) -> None:
        """Read the date again (a 10-digit personnummer's century depends on it) and forget
        the numbers read (a patient's stays are mostly near each other in a file)."""
        self.today = localdate()
        self._numbers.clear()

    def _personnummer(self, value: str) -> str:
        number = self._numbers.get(value)
        if number is None:
            number = self._numbers[value] = parse_personnummer(value, self.today)
        return number

    def error(self, number: int, column: str, reason: str) -> None:
        self.errors.append((number, column, reason))

    def _kommun(self, value: str) -> Kommun:
        if not value:
            raise CellError(str(REQUIRED))
        kommun = self.kommuner.get(value)
        if kommun is None:
            if len(value) != 4 or not value.isdigit():
                raise CellError(_("expected a kommunkod of 4 digits, e.g. 2480"))
            raise CellError(_("unknown kommunkod %(code)s") % {"code": repr(value)})
        return kommun

    def row(self, number: int, cells: dict[str, str]) -> Row | None:
        """The row, or None when a cell or a pair of cells cannot be read (recorded)."""
        before = len(self.errors)
        values: dict[str, Any] = {}
        for column, value in cells.items():
            if REPLACEMENT in value:
                self.error(number, column, str(UNREADABLE))
                continue
            try:
                if column == "kommun":
                    values[column] = self._kommun(value)
                elif column == "personnummer":
                    values[column] = self._personnummer(value)
                else:
                    values[column] = CELLS[column](value)
            except CellError as exc:
                self.error(number, column, str(exc))
        if "admitted_at" in values and values["admitted_at"] is None:
            self.error(number, "admitted_at", str(REQUIRED))
        self._pairs(number, values)
        if len(self.errors) > before:
            return None
        return Row(number=number, **values)

    def _pairs(self, number: int, values: dict[str, Any]) -> None:
        """Values that cannot be kept without another: a message without its content. (Not
        when the other cell was given but could not be read: that error says it already.)"""

        def missing(column: str) -> bool:
            return column in values and values[column] is None

        if values.get("ready_notice_at") and missing("ready_date"):
            self.error(number, "ready_date", _("required when ready_notice_at is given "
                       "(the ready notice carries the ready date)"))  # fmt: skip
        if values.get("destination") and missing("discharged_at"):
            self.error(number, "destination", _("given without discharged_at "
                       "(the destination belongs to the discharge)"))  # fmt: skip
        if values.get("needs_outcome") and missing("discharged_at"):
            self.error(number, "needs_outcome", _("given without discharged_at "
                       "(the outcome of needs belongs to the discharge)"))  # fmt: skip
