"""The messages a row stands for, and which of them a stored episode still lacks.

Each message goes through its service function (discharges.services), the one write path: the
import has no rules of its own. A value known without the message that normally carries it
is recorded as such (``record_preliminary_date``, ``record_ready_date``,
``record_sip_held_without_invitation``): the value is kept and R5 reports the message missing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from discharges import services
from discharges.clock import ZONE, local_date
from discharges.imports.parsing import Row
from discharges.models import Episode
from discharges.services import Actor, Refused

IMPORTED_CONTACT = "Namngiven (importerad uppgift)"
HEALTH_CENTRE_COLUMNS = frozenset({"named_contact", "sip_invitation_at", "sip_held_date"})
# The columns of the ward's messages that carry a time, in the order a message is sent.
WARD_TIMES = ("admission_notice_at", "ready_notice_at")


class Step(NamedTuple):
    """One message: when it happened, where it sorts, the column it comes from, who sends it,
    the service and its arguments."""

    at: datetime
    sort: tuple[datetime, int]
    column: str
    actor: Actor
    service: Callable[..., Any]
    kwargs: dict[str, Any]


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE).astimezone(UTC)


def row_steps(row: Row, ward: Actor, hc: Callable[[], Actor]) -> list[Step]:
    """The row's messages in the order they are sent. ``order`` breaks ties of time (the ready
    notice precedes a contact named at the same moment). The ward's messages all precede its
    discharge: one dated after the discharge then makes the discharge's own checks refuse it,
    naming the discharge and the ready date that contradict each other."""
    steps: list[tuple[datetime, int, str, Actor, Callable[..., Any], dict[str, Any]]] = []
    first = row.admission_notice_at or row.admitted_at
    if row.admission_notice_at:
        steps.append((row.admission_notice_at, 1, "admission_notice_at", ward,
                      services.send_admission_notice,
                      {"preliminary_ready_date": row.preliminary_ready_date}))  # fmt: skip
    elif row.preliminary_ready_date:
        steps.append((row.admitted_at, 1, "preliminary_ready_date", ward,
                      services.record_preliminary_date,
                      {"preliminary_ready_date": row.preliminary_ready_date}))  # fmt: skip
    if row.track_colour or row.sip_needed is not None:
        column = "track_colour" if row.track_colour else "sip_needed"
        assessment = {"colour": row.track_colour, "sip_needed": row.sip_needed}
        steps.append((first, 2, column, ward, services.assess_track_colour, assessment))
    ready_at = None
    if row.ready_date and row.ready_notice_at:
        ready_at = row.ready_notice_at
        steps.append((ready_at, 3, "ready_notice_at", ward, services.send_ready_notice,
                      {"ready_date": row.ready_date}))  # fmt: skip
    elif row.ready_date:
        ready_at = max(_local(row.ready_date, 0), first)
        steps.append((ready_at, 3, "ready_date", ward, services.record_ready_date,
                      {"ready_date": row.ready_date}))  # fmt: skip
    steps += _health_centre_steps(row, hc, ready_at)
    if row.discharged_at:
        steps.append((row.discharged_at, 7, "discharged_at", ward,
                      services.register_discharge,
                      {"destination": row.destination,
                       "needs_outcome": row.needs_outcome}))  # fmt: skip
    return sorted(
        (Step._make((at, _sort(row, at, order, actor is ward), column, actor, service, kwargs))
         for at, order, column, actor, service, kwargs in steps),
        key=lambda step: step.sort,
    )  # fmt: skip


def _sort(row: Row, at: datetime, order: int, by_ward: bool) -> tuple[datetime, int]:
    if by_ward and row.discharged_at and at > row.discharged_at:
        return (row.discharged_at, order)
    return (at, order)


def _health_centre_steps(
    row: Row, hc: Callable[[], Actor], ready_at: datetime | None
) -> list[tuple[datetime, int, str, Actor, Callable[..., Any], dict[str, Any]]]:
    steps: list[tuple[datetime, int, str, Actor, Callable[..., Any], dict[str, Any]]] = []
    if row.named_contact:
        # Dated with the first message that reached the hälsocentral.
        named_at = row.admission_notice_at or ready_at or row.admitted_at
        steps.append((named_at, 4, "named_contact", hc(), services.name_care_contact,
                      {"name": IMPORTED_CONTACT}))  # fmt: skip
    if row.sip_invitation_at:
        steps.append((row.sip_invitation_at, 5, "sip_invitation_at", hc(),
                      services.send_sip_invitation, {}))  # fmt: skip
    if row.sip_held_date:
        # The meeting at noon of its day, never before the invitation or the admission.
        after = row.sip_invitation_at or row.admitted_at
        held_at = max(_local(row.sip_held_date, 12), after)
        service = (
            services.record_sip_held
            if row.sip_invitation_at
            else services.record_sip_held_without_invitation
        )
        steps.append((held_at, 6, "sip_held_date", hc(), service,
                      {"held_date": row.sip_held_date}))  # fmt: skip
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


Found = list[tuple[int, str, str]]  # errors: (row, column, reason)


def new_steps(
    row: Row, episode: Episode, ward: Actor, hc: Callable[[], Actor], errors: Found
) -> list[Step]:
    """For a stored episode: the row's messages it lacks; a differing value is an error
    (history is not rewritten by an import: corrections are new messages from the pages)."""
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
    for step in row_steps(row, ward, hc):
        stored, incoming, columns = _compare(episode, row, step.column)
        if stored is None:
            pending.append(step)
        elif stored != incoming:
            if len(columns) == 1:
                stored, incoming = (stored,), (incoming,)
            column = next(c for c, a, b in zip(columns, stored, incoming, strict=True) if a != b)
            errors.append(_differs(row, column))
            return []
    return _with_health_centre(row, episode, pending, ward, hc, errors)


def _differs(row: Row, column: str) -> tuple[int, str, str]:
    return (row.number, column, _("differs from stored episode %(id)s") % {"id": row.episode_id})


def _with_health_centre(
    row: Row, episode: Episode, pending: list[Step], ward: Actor, hc: Callable[[], Actor],
    errors: Found,
) -> list[Step]:  # fmt: skip
    """A stored episode without a hälsocentral gets one (the ward's change of recipients)
    before the row's first message from a hälsocentral, as a fresh import would have."""
    if episode.health_centre_id or not any(s.column in HEALTH_CENTRE_COLUMNS for s in pending):
        return pending
    at = next(i for i, s in enumerate(pending) if s.column in HEALTH_CENTRE_COLUMNS)
    if not episode.is_active:
        errors.append((row.number, pending[at].column, _(
            "the stored episode %(id)s has no hälsocentral and is no longer active, so none "
            "can be added") % {"id": row.episode_id}))  # fmt: skip
        return []
    change = Step(
        pending[at].at,
        (pending[at].sort[0], 0),
        "health_centre",
        ward,
        services.change_recipients,
        {"kommun": episode.kommun, "health_centre": hc().organisation},
    )
    return [*pending[:at], change, *pending[at:]]


# The CSV column behind a service's refusal of a field.
_FIELD_COLUMNS = {
    "ready_date": "ready_date",
    "preliminary_ready_date": "preliminary_ready_date",
    "held_date": "sip_held_date",
    "destination": "destination",
    "care_type": "care_type",
    "external_id": "episode_id",
    "personnummer": "personnummer",
    "admitted_at": "admitted_at",
}


def refusal(row: Row, step_column: str, exc: Refused) -> tuple[int, str, str]:
    """A service's refusal as (row, column, reason): the column of the refused field, else of
    the message. A discharge refused for a message dated after it names that message."""
    column = _FIELD_COLUMNS.get(exc.field or "", step_column)
    reason = exc.message
    if step_column == "discharged_at" and exc.field == "occurred_at" and row.discharged_at:
        later = _later_than(row, row.discharged_at)
        if later:
            reason = _("%(reason)s (%(columns)s later).") % {
                "reason": reason.rstrip("."),
                "columns": _(" and ").join(later),
            }
    return (row.number, column, reason)


def _later_than(row: Row, discharged_at: datetime) -> list[str]:
    """The row's columns that lie after its discharge: its ready date, else the ward's
    messages sent after it."""
    if row.ready_date and row.ready_date > local_date(discharged_at):
        return ["ready_date"]
    return [c for c in WARD_TIMES if (getattr(row, c) or discharged_at) > discharged_at]
