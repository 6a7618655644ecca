"""Bilaga 1 of seed 000: the checklist for analysing delayed discharge at patient level.

Every row of the checklist, in its order, with its three columns (slutenvård, primär-/
öppenvård, kommun) and a comment. A row is either *from the log* (the event log knows it: the
value is filled in for the column of the party that sends the message) or *answered* (each
organisation answers in its own column; ``kind`` says what an answer holds). Pure: the facts
of an episode come in as ``LogFacts`` (see ``access.log_facts``) and the texts are gettext
strings, Swedish on the pages and in the PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from analysis.analyses.models import Column

COLUMNS: tuple[str, ...] = (Column.WARD, Column.HEALTH_CENTRE, Column.KOMMUN)

# What an answered row holds besides its comment:
# "date": a date, or "no" (not done); "yes_no": yes or no; "yes_no_date": yes with a date, or
# no; "yes_no_text": yes or no, a yes described in the comment; "text": the comment is the
# answer (the units concerned). Rows from the log take a comment only.
Kind = Literal["log", "date", "yes_no", "yes_no_date", "yes_no_text", "text"]


@dataclass(frozen=True)
class AnswerFact:
    """An organisation's answer to the admission notice, as its last message said."""

    current_services: bool
    described: bool


@dataclass(frozen=True)
class LogFacts:
    """What the event log says about one episode, as the checklist reads it."""

    admission_notice_date: date | None
    preliminary_changes: int
    ready_date: date | None
    ready_notice_time: str | None  # HH:MM local, None when no ready notice was sent
    discharge_date: date | None
    answers: dict[str, AnswerFact]  # column -> the last answer to the admission notice
    named_contact: bool
    sip_initiatives: dict[str, date]  # column -> the date its (last) SIP initiative was sent
    sip_invitation_date: date | None
    sip_held_date: date | None
    sol_planning_date: date | None
    hsl_planning_date: date | None
    kommun_ready_date: date | None


Prefill = Callable[[LogFacts], dict[str, str]]


def _iso(value: date | None, missing: Promise | str = "") -> str:
    return value.isoformat() if value is not None else str(missing)


def yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def _ward(text: str) -> dict[str, str]:
    return {Column.WARD: text}


def _health_centre(text: str) -> dict[str, str]:
    return {Column.HEALTH_CENTRE: text}


def _kommun(text: str) -> dict[str, str]:
    return {Column.KOMMUN: text}


def _not_sent(value: date | None) -> str:
    """A date, or "nej" for a message that was never sent (the checklist's "nej = ej skickat")."""
    return _iso(value, gettext("no"))


def _answers(facts: LogFacts, fact: Callable[[AnswerFact], bool]) -> dict[str, str]:
    """The recipients' answers to the admission notice; "no answer" where none came."""
    return {
        column: yes_no(fact(facts.answers[column]))
        if column in facts.answers
        else gettext("no answer")
        for column in (Column.HEALTH_CENTRE, Column.KOMMUN)
    }


def _sip_initiative(facts: LogFacts) -> dict[str, str]:
    """Any party may take the initiative: its date in that party's column, "no" in the others."""
    return {column: _not_sent(facts.sip_initiatives.get(column)) for column in COLUMNS}


@dataclass(frozen=True)
class Row:
    code: str
    label: Promise  # Bilaga 1's wording (the Swedish translation is the checklist's text)
    kind: Kind
    prefill: Prefill | None = None
    hint: Promise | None = None
    # The columns that answer the row; every column unless the row belongs to one party.
    columns: tuple[str, ...] = field(default=COLUMNS)

    @property
    def from_log(self) -> bool:
        return self.prefill is not None


# The rows under "Steg i processen", in Bilaga 1's order.
ROWS: tuple[Row, ...] = (
    Row(
        "admission_notice",
        _("Admission notice: date"),
        "log",
        lambda f: _ward(_not_sent(f.admission_notice_date)),
    ),
    Row(
        "preliminary_changes",
        _("Preliminary ready date changed: number of times"),
        "log",
        lambda f: _ward(str(f.preliminary_changes)),
    ),
    Row("discharge_report_started", _("Discharge report started: date"), "date"),
    Row("ready_date", _("Ready for discharge: date"), "log", lambda f: _ward(_iso(f.ready_date))),
    Row(
        "homecoming",
        _("Actual homecoming: date"),
        "log",
        lambda f: _ward(_iso(f.discharge_date)),
    ),
    Row(
        "ready_notice_time",
        _("Ready notice sent: clock time, only under payment liability"),
        "log",
        lambda f: _ward(f.ready_notice_time or gettext("not sent")),
    ),
    Row(
        "answer_current_services",
        _("Answer to the admission notice with ongoing or recent services: yes/no"),
        "log",
        lambda f: _answers(f, lambda a: a.current_services),
    ),
    Row(
        "named_care_contact",
        _("Named care contact given: yes/no"),
        "log",
        lambda f: _health_centre(yes_no(f.named_contact)),
    ),
    Row("sip_initiative", _("SIP initiative sent: date, or no = not sent"), "log", _sip_initiative),
    Row("sbar", _("SBAR: yes or no"), "yes_no"),
    Row("home_health_care", _("Enrolled in home health care: yes or no"), "yes_no"),
    Row("initiative_cancelled", _("Initiative cancelled: yes or no"), "yes_no"),
    Row(
        "sip_invitation",
        _("SIP invitation sent: date, or no = not sent"),
        "log",
        lambda f: _health_centre(_not_sent(f.sip_invitation_date)),
    ),
    Row(
        "sip_held",
        _("SIP held: date, or no = not sent"),
        "log",
        lambda f: _health_centre(_not_sent(f.sip_held_date)),
    ),
    Row(
        "answer_described",
        _(
            "Answer to the admission notice with earlier or ongoing services, which "
            "professions' services described, yes or no."
        ),
        "log",
        lambda f: _answers(f, lambda a: a.described),
    ),
    Row(
        "sol_planning",
        _("Planning of SoL services done: date"),
        "log",
        lambda f: _kommun(_not_sent(f.sol_planning_date)),
    ),
    Row(
        "hsl_planning",
        _("Planning of HSL services done: date"),
        "log",
        lambda f: _kommun(_not_sent(f.hsl_planning_date)),
    ),
    Row(
        "kommun_ready",
        _("Municipality ready: date"),
        "log",
        lambda f: _kommun(_not_sent(f.kommun_ready_date)),
    ),
    Row(
        "planned_services_shared",
        _("Planned services from SoL and HSL shared: yes/no and date"),
        "yes_no_date",
    ),
    Row(
        "delay_capacity",
        _("Delayed homecoming due to lack of places or resources: yes or no"),
        "yes_no",
    ),
    Row(
        "delay_complex_needs",
        _("Delayed homecoming due to complex needs and conditions in the home"),
        "yes_no_text",
        hint=_("Describe in the comment field"),
    ),
)

# "Kommun, ange berörda enheter" of the checklist's main details: the kommun names the units
# that had the patient (its column only); the comment is the answer.
UNITS = Row(
    "kommun_units",
    _("Municipality, name the units concerned"),
    "text",
    hint=_("BHL, EC home care, AT, FT, SSK"),
    columns=(Column.KOMMUN,),
)

# The main details (Huvuduppgifter) shown above the steps; filled in from the episode.
MAIN_DETAILS: tuple[Promise, ...] = (
    _("Patient, name and personal identity number"),
    _("Hospital and ward"),
    _("Health centre/outpatient clinic"),
    UNITS.label,
)

ANSWERABLE: dict[str, Row] = {row.code: row for row in (*ROWS, UNITS)}


def all_labels() -> list[str]:
    """Every row label of Bilaga 1 in the current language (main details, then the steps)."""
    return [str(label) for label in MAIN_DETAILS] + [str(row.label) for row in ROWS]


def prefilled(row: Row, facts: LogFacts) -> dict[str, str]:
    """The texts the event log gives the row's columns ({} for answered rows)."""
    return row.prefill(facts) if row.prefill is not None else {}
