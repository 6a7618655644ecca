"""The checklist of each patient as one reader sees it: the event log's values, the current
answers, the comments and every answer's history, for the page and the PDF alike.

Loaded for many patients at once (the PDF has up to hundreds): the episodes' answer and SIP
initiative messages in one query, the checklist answers in another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext

from analysis.analyses.access import AnalysisAccess
from analysis.analyses.checklist import (
    COLUMNS,
    ROWS,
    UNITS,
    AnswerFact,
    LogFacts,
    Row,
    prefilled,
    yes_no,
)
from analysis.analyses.models import AnalysisPatient, ChecklistAnswer, Choice, Column
from discharges.clock import ZONE, local_date
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.personnummer import format_personnummer


def _column(episode: Episode, organisation_id: int) -> str | None:
    if organisation_id == episode.ward_id:
        return Column.WARD
    if organisation_id == episode.health_centre_id:
        return Column.HEALTH_CENTRE
    if organisation_id == episode.kommun_id:
        return Column.KOMMUN
    return None


def log_facts(episodes: list[Episode]) -> dict[int, LogFacts]:
    """What the event log says of each episode, keyed by episode id (one query for the
    answers to the admission notice and the SIP initiatives; the rest is the projection)."""
    answers: dict[int, dict[str, AnswerFact]] = defaultdict(dict)
    initiatives: dict[int, dict[str, date]] = defaultdict(dict)
    by_id = {ep.pk: ep for ep in episodes}
    events = (
        EpisodeEvent.objects.filter(
            episode_id__in=list(by_id),
            kind__in=[EventKind.ADMISSION_ANSWER, EventKind.SIP_INITIATIVE],
        )
        .order_by("episode_id", "seq")
        .values_list("episode_id", "kind", "organisation_id", "occurred_at", "data")
    )
    for episode_id, kind, organisation_id, occurred_at, data in events:
        episode = by_id[episode_id]
        column = data.get("party") or _column(episode, organisation_id)
        if column is None:
            continue
        if kind == EventKind.ADMISSION_ANSWER:
            described = bool(str(data.get("services", "")).strip())
            answers[episode_id][column] = AnswerFact(bool(data.get("current_services")), described)
        else:
            initiatives[episode_id][column] = local_date(occurred_at)
    return {ep.pk: _facts(ep, answers[ep.pk], initiatives[ep.pk]) for ep in episodes}


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment is not None else None


def _facts(
    episode: Episode, answers: dict[str, AnswerFact], initiatives: dict[str, date]
) -> LogFacts:
    notice = episode.ready_notice_at
    return LogFacts(
        admission_notice_date=_day(episode.admission_notice_at),
        preliminary_changes=episode.preliminary_date_changes,
        ready_date=episode.ready_date,
        ready_notice_time=f"{notice.astimezone(ZONE):%H:%M}" if notice is not None else None,
        discharge_date=episode.discharge_date,
        answers=answers,
        named_contact=episode.named_contact_at is not None,
        sip_initiatives=initiatives,
        sip_invitation_date=_day(episode.sip_invitation_at),
        sip_held_date=episode.sip_held_date,
        sol_planning_date=_day(episode.sol_planning_done_at),
        hsl_planning_date=_day(episode.hsl_planning_done_at),
        kommun_ready_date=_day(episode.kommun_ready_at),
    )


History = dict[tuple[str, str], list[ChecklistAnswer]]


def load_answers(patients: list[AnalysisPatient]) -> dict[int, History]:
    """Every answer of the patients, oldest first, per (row, column); the last is current."""
    found: dict[int, History] = defaultdict(lambda: defaultdict(list))
    answers = (
        ChecklistAnswer.objects.filter(patient__in=patients)
        .select_related("author", "organisation")
        .order_by("id")
    )
    for answer in answers:
        found[answer.patient_id][(answer.row, answer.column)].append(answer)
    return found


def answer_text(row: Row, answer: ChecklistAnswer | None) -> str:
    """An answer as the checklist shows it in its column ("" when there is none)."""
    if answer is None or answer.is_empty:
        return ""
    yes = answer.choice == Choice.YES
    if row.kind == "text":
        return answer.comment
    if row.kind == "date":
        return answer.date.isoformat() if answer.date else yes_no(False)
    if not answer.choice:
        return ""
    if row.kind == "yes_no_date" and yes and answer.date:
        return f"{yes_no(True)}, {answer.date.isoformat()}"
    return yes_no(yes)


@dataclass
class Cell:
    column: str
    text: str = ""
    from_log: bool = False
    answerable: bool = False  # the row is answered in this column
    hidden: bool = False  # the reader may not see this column of the patient
    answer: ChecklistAnswer | None = None  # the current answer (or comment)
    editable: bool = False


@dataclass
class RowView:
    row: Row
    cells: list[Cell]
    comments: list[tuple[str, str]]  # (column label, comment) of the current answers
    history: list[ChecklistAnswer] = field(default_factory=list)


@dataclass
class Sheet:
    """One patient's checklist for one reader."""

    patient: AnalysisPatient
    label: str  # name and personnummer, or "Patient N" for the group
    hospital_ward: str
    health_centre: str
    kommun: str
    column: str | None  # the reader's own column (a party), else None
    all_columns: bool  # False: a party without consent sees its own column only
    units: RowView
    rows: list[RowView]

    @property
    def answered(self) -> int:
        """Answered rows of the reader's column (or of all columns) that hold an answer."""
        return sum(
            1
            for view in (self.units, *self.rows)
            for cell in view.cells
            if cell.answerable and cell.text and (self.column is None or cell.column == self.column)
        )


def patient_label(patient: AnalysisPatient, identified: bool) -> str:
    if not identified:
        return gettext("Patient %(number)s") % {"number": patient.number}
    person = patient.episode.patient
    return f"{person.name}, {format_personnummer(person.personnummer)}"


def build_sheets(access: AnalysisAccess, patients: list[AnalysisPatient]) -> list[Sheet]:
    facts = log_facts([p.episode for p in patients])
    answers = load_answers(patients)
    return [_sheet(access, p, facts[p.episode_id], answers[p.pk]) for p in patients]


def _sheet(
    access: AnalysisAccess, patient: AnalysisPatient, facts: LogFacts, history: History
) -> Sheet:
    episode = patient.episode
    mine = access.column_of(patient)
    all_columns = access.sees_all_columns(patient)
    visible: set[str | None] = set(COLUMNS) if all_columns else {mine}
    editable = mine if access.analysis.is_open else None
    rows = [_row_view(row, facts, history, visible, editable) for row in ROWS]
    units = _row_view(UNITS, facts, history, visible, editable)
    return Sheet(
        patient=patient,
        label=patient_label(patient, access.identified),
        hospital_ward=str(episode.ward),
        health_centre=episode.health_centre.name if episode.health_centre else "",
        kommun=str(episode.kommun),
        column=mine,
        all_columns=all_columns,
        units=units,
        rows=rows,
    )


def _row_view(
    row: Row, facts: LogFacts, history: History, visible: set[str | None], editable: str | None
) -> RowView:
    from_log = prefilled(row, facts)
    cells: list[Cell] = []
    comments: list[tuple[str, str]] = []
    shown: list[ChecklistAnswer] = []
    for column in COLUMNS:
        answers = history.get((row.code, column), [])
        current = answers[-1] if answers else None
        cell = Cell(column, answer=current, hidden=column not in visible)
        cell.answerable = not row.from_log and column in row.columns
        if column == editable and (cell.answerable or row.from_log):
            cell.editable = column in row.columns
        if not cell.hidden:
            cell.from_log = column in from_log
            cell.text = from_log.get(column) or answer_text(row, current)
            shown.extend(answers)
            if current is not None and current.comment and row.kind != "text":
                comments.append((str(Column(column).label), current.comment))
        cells.append(cell)
    shown.sort(key=lambda a: a.pk)
    return RowView(row, cells, comments, shown)
