"""An organisation fills its column of a patient's checklist: one write per changed row.

Answers are append-only (``ChecklistAnswer``): a change is a new answer, the old ones stay as
the row's history. Each row of the form carries the id of the answer its author saw; when
another answer has replaced it meanwhile, the whole save is refused (``Stale``, 409) rather
than overwriting what the other person wrote. A row whose values did not change writes
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.analyses.checklist import ANSWERABLE, Row
from analysis.analyses.models import (
    COMMENT_MAX,
    AnalysisPatient,
    ChecklistAnswer,
    Choice,
    Column,
)
from analysis.analyses.services import check_text, touch
from discharges.clock import local_date
from discharges.models import Organisation
from discharges.selectors import acting_organisation, party_of, visible_episodes
from discharges.services import NotPermitted, Refused, Stale


@dataclass(frozen=True)
class AnswerInput:
    """One row of a column as the form sends it; ``based_on`` is the answer the author saw
    (None when the row had none)."""

    choice: str = ""
    date: date | None = None
    comment: str = ""
    based_on: int | None = None


class InvalidAnswers(Refused):
    """Some rows are not valid; ``errors`` maps each field (``<row>-<part>``) to why."""

    def __init__(self, errors: dict[str, str]) -> None:
        field, message = next(iter(errors.items()))
        super().__init__(message, field=field)
        self.errors = errors


def column_organisation(user: User, patient: AnalysisPatient, column: str) -> Organisation:
    """The organisation the user answers for in ``column``; NotPermitted when the column is
    another party's (or the user is no party of the episode)."""
    episode = patient.episode
    organisation = None
    if visible_episodes(user).filter(pk=episode.pk).exists():
        organisation = acting_organisation(user, episode)
    if organisation is None or party_of(episode, organisation) != column:
        raise NotPermitted(
            _("You may fill in only your own organisation's column (%(column)s is not yours).")
            % {"column": Column(column).label if column in Column.values else column}
        )
    return organisation


def clean(row: Row, value: AnswerInput, admitted: date) -> tuple[AnswerInput, dict[str, str]]:
    """The value as stored, and the errors of its fields."""
    errors: dict[str, str] = {}
    prefix = row.code
    try:
        comment = check_text(value.comment, f"{prefix}-comment", COMMENT_MAX)
    except Refused as exc:
        errors[str(exc.field)] = exc.message
        comment = value.comment
    choice, day = value.choice, value.date
    takes_choice = row.kind in ("date", "yes_no", "yes_no_date", "yes_no_text")
    takes_date = row.kind in ("date", "yes_no_date")
    if choice not in ("", *Choice.values) or (choice and not takes_choice):
        errors[f"{prefix}-choice"] = _("This row takes no such answer.")
    if day is not None and not takes_date:
        errors[f"{prefix}-date"] = _("This row takes no date.")
    elif day is not None and not admitted <= day <= timezone.localdate():
        errors[f"{prefix}-date"] = _(
            "The date must lie from the admission (%(first)s) to today."
        ) % {"first": admitted.isoformat()}
    if row.kind == "date":
        if day is not None and choice == Choice.NO:
            errors[f"{prefix}-choice"] = _("Give either a date or “no”.")
        choice = Choice.YES if day is not None else choice
        if choice == Choice.YES and day is None:
            errors[f"{prefix}-date"] = _("Give the date.")
    if row.kind == "yes_no_date" and choice == Choice.YES and day is None:
        errors[f"{prefix}-date"] = _("Give the date when the answer is yes.")
    if row.kind == "yes_no_date" and choice != Choice.YES and day is not None:
        errors[f"{prefix}-date"] = _("A date goes with a yes only.")
    if row.kind == "yes_no_text" and choice == Choice.YES and not comment:
        errors[f"{prefix}-comment"] = _("Describe the needs and conditions in the comment.")
    if row.kind == "text" and (choice or day):
        errors[f"{prefix}-comment"] = _("Name the units in the text.")
    return AnswerInput(choice, day, comment, value.based_on), errors


def _same(answer: ChecklistAnswer | None, value: AnswerInput) -> bool:
    if answer is None:
        return not (value.choice or value.date or value.comment)
    return (answer.choice, answer.date, answer.comment) == (value.choice, value.date, value.comment)


def save_column(
    *, user: User, patient: AnalysisPatient, column: str, entries: dict[str, AnswerInput]
) -> list[ChecklistAnswer]:
    """Store the user's answers of ``column`` for the patient (rows by code). Returns the new
    answers; raises NotPermitted (another party's column), Refused (closed analysis, unknown
    row), InvalidAnswers (bad values, every field named) or Stale (changed meanwhile)."""
    organisation = column_organisation(user, patient, column)
    rows: dict[str, Row] = {}
    for code in entries:
        row = ANSWERABLE.get(code)
        if row is None or column not in row.columns:
            raise Refused(_("The checklist has no such row for this column."), field=code)
        rows[code] = row
    admitted = local_date(patient.episode.admitted_at)
    cleaned: dict[str, AnswerInput] = {}
    errors: dict[str, str] = {}
    for code, value in entries.items():
        cleaned[code], row_errors = clean(rows[code], value, admitted)
        errors.update(row_errors)
    if errors:
        raise InvalidAnswers(errors)
    with transaction.atomic():
        locked = (
            AnalysisPatient.objects.select_for_update()
            .select_related("analysis")
            .get(pk=patient.pk)
        )
        if not locked.analysis.is_open:
            raise Refused(_("The analysis is closed; its checklists can no longer change."))
        current = _current(locked, column, list(cleaned))
        new: list[ChecklistAnswer] = []
        for code, value in cleaned.items():
            before = current.get(code)
            if _same(before, value):
                continue
            if (before.pk if before else None) != value.based_on:
                raise Stale(
                    _(
                        "“%(row)s” was changed by someone else after you opened the page. "
                        "Read the new answer and save again."
                    )
                    % {"row": rows[code].label},
                    field=code,
                )
            new.append(
                ChecklistAnswer(
                    patient=locked,
                    row=code,
                    column=column,
                    organisation=organisation,
                    author=user,
                    choice=value.choice,
                    date=value.date,
                    comment=value.comment,
                    replaces=before,
                )
            )
        for answer in new:
            answer.save()
        if new:
            touch(locked.analysis)
    return new


def _current(patient: AnalysisPatient, column: str, codes: list[str]) -> dict[str, ChecklistAnswer]:
    """The current (newest) answer of each row in the column."""
    current: dict[str, ChecklistAnswer] = {}
    for answer in ChecklistAnswer.objects.filter(
        patient=patient, column=column, row__in=codes
    ).order_by("id"):
        current[answer.row] = answer
    return current
