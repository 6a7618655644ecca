"""Forms of the analysis pages. They parse and bound the input; the services decide."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from analysis.analyses.answers import AnswerInput
from analysis.analyses.checklist import Row
from analysis.analyses.models import (
    ACTION_TEXT_MAX,
    COMMENT_MAX,
    OWNER_MAX,
    SUMMARY_MAX,
    ActionStatus,
    Choice,
)
from analysis.analyses.sheets import Sheet
from analysis.models import StatCareType
from discharges.forms import MAX_ID, IdChoiceField
from discharges.models import Kommun, Organisation


class DateInput(forms.DateInput):
    input_type = "date"


class MonthField(forms.CharField):
    """A month as YYYY-MM (the browser's month input sends that); which months are allowed
    is the service's to say (``services.start_analysis``)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "ÅÅÅÅ-MM"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=7, **kwargs)

    def clean(self, value: Any) -> date:
        text = super().clean(value)
        match = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            raise forms.ValidationError(_("Give the month as YYYY-MM."), code="month")
        return date(int(match[1]), int(match[2]), 1)


class StartAnalysisForm(forms.Form):
    kommun = IdChoiceField(queryset=Kommun.objects.none(), label=_("Municipality"))
    month = MonthField(label=_("Month of discharge"))
    care_type = forms.ChoiceField(
        choices=StatCareType.choices, initial=StatCareType.ALL, label=_("Care type")
    )

    def __init__(self, *args: Any, kommuner: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kommun"].queryset = kommuner  # type: ignore[attr-defined]


class CloseAnalysisForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary of the analysis"),
        max_length=SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the analysis found and what was agreed. No names or numbers."),
    )


class ActionForm(forms.Form):
    text = forms.CharField(
        label=_("Improvement action"),
        max_length=ACTION_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    responsible = IdChoiceField(
        queryset=Organisation.objects.none(), label=_("Responsible organisation")
    )
    owner = forms.CharField(label=_("Owner"), max_length=OWNER_MAX)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible"]
        field.queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            pk__in=[o.pk for o in organisations]
        ).order_by("kind", "name")


class FollowUpForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(
        label=_("Follow-up"), max_length=ACTION_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label=_("Status after"), choices=ActionStatus.choices)


class PdfForm(forms.Form):
    pseudonymised = forms.BooleanField(
        label=_("Without names and personal identity numbers (for the joint group)"),
        required=False,
    )


CHOICES = [("", "–"), *Choice.choices]


class ColumnForm(forms.Form):
    """One organisation's column of a patient's checklist: for each row it answers a choice,
    a date and a comment as the row's kind takes them, and the answer the author saw."""

    def __init__(self, *args: Any, sheet: Sheet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows: list[Row] = []
        for view in (sheet.units, *sheet.rows):
            cell = next((c for c in view.cells if c.editable), None)
            if cell is None:
                continue
            self._add_row(view.row, cell.answer)

    def _add_row(self, row: Row, answer: Any) -> None:
        code = row.code
        self.rows.append(row)
        label = str(row.label)
        if row.kind in ("date", "yes_no", "yes_no_date", "yes_no_text"):
            self.fields[f"{code}-choice"] = forms.ChoiceField(
                label=label, choices=CHOICES, required=False
            )
        if row.kind in ("date", "yes_no_date"):
            self.fields[f"{code}-date"] = forms.DateField(
                label=label, required=False, widget=DateInput
            )
        placeholder = _("Units concerned") if row.kind == "text" else _("Comment")
        self.fields[f"{code}-comment"] = forms.CharField(
            label=label,
            required=False,
            max_length=COMMENT_MAX,
            widget=forms.Textarea(
                attrs={"rows": 1 if row.kind != "text" else 2, "placeholder": placeholder}
            ),
        )
        self.fields[f"{code}-based_on"] = forms.IntegerField(
            required=False, widget=forms.HiddenInput, min_value=1, max_value=MAX_ID
        )
        if answer is not None:
            self.initial.update(
                {
                    f"{code}-choice": answer.choice,
                    f"{code}-date": answer.date,
                    f"{code}-comment": answer.comment,
                    f"{code}-based_on": answer.pk,
                }
            )

    def entries(self) -> dict[str, AnswerInput]:
        data = self.cleaned_data
        return {
            row.code: AnswerInput(
                choice=data.get(f"{row.code}-choice") or "",
                date=data.get(f"{row.code}-date"),
                comment=data.get(f"{row.code}-comment") or "",
                based_on=data.get(f"{row.code}-based_on"),
            )
            for row in self.rows
        }

    def fields_for(self, code: str) -> RowFields | None:
        """The bound fields of a row of this column, or None when the column does not
        answer it."""
        if f"{code}-comment" not in self.fields:
            return None
        parts = {
            part: self[f"{code}-{part}"] if f"{code}-{part}" in self.fields else None
            for part in ("choice", "date", "comment", "based_on")
        }
        return RowFields(**parts)


@dataclass(frozen=True)
class RowFields:
    choice: forms.BoundField | None
    date: forms.BoundField | None
    comment: forms.BoundField | None
    based_on: forms.BoundField | None

    @property
    def errors(self) -> list[str]:
        return [
            str(error)
            for field in (self.choice, self.date, self.comment)
            if field is not None
            for error in field.errors
        ]
