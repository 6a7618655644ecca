"""The tables of the analyses of delayed discharge.

``Analysis`` is one kommun-month (and care type) with its patients (``AnalysisPatient``: the
episodes discharged that month with 3 or more ready days, numbered in discharge order). Each
organisation's answers to the checklist are ``ChecklistAnswer`` rows, append-only: a change is a
new row, so the history of every answer stays. ``ImprovementAction`` and its append-only
``ActionFollowUp`` notes are the actions agreed; ``AnalysisNotice`` tells the region's follow-up
roles of a new analysis; ``AnalysisPdf`` is a PDF being built or built (the bytes in the
database, so that a worker on another machine and the web servers share it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analysis.models import StatCareType, _ratio
from discharges.append_only import AppendOnlyModel
from discharges.models import Episode, Kommun, Organisation
from payment import rules
from payment.models import Agreement

# Bounds of every free text (the pages and the services refuse longer ones, naming the field).
COMMENT_MAX = 1000
ACTION_TEXT_MAX = 2000
SUMMARY_MAX = 4000
OWNER_MAX = 200


class Column(models.TextChoices):
    """The three columns of Bilaga 1: the parties of an episode."""

    WARD = "ward", _("Inpatient care")
    HEALTH_CENTRE = "health_centre", _("Primary/outpatient care")
    KOMMUN = "kommun", _("Municipality")


class AnalysisStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Trigger(models.TextChoices):
    AUTOMATIC = "automatic", _("Started by the monthly statistics")
    MANUAL = "manual", _("Started by hand")


class Analysis(models.Model):
    """One analysis of delayed discharge: a kommun, a month of discharge and a care type."""

    kommun = models.ForeignKey(
        Kommun, on_delete=models.PROTECT, related_name="analyses", verbose_name=_("municipality")
    )
    care_type = models.CharField(_("care type"), max_length=10, choices=StatCareType.choices)
    month = models.DateField(_("month"), help_text=_("First day of the month of discharge."))
    trigger = models.CharField(_("started"), max_length=10, choices=Trigger.choices)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    threshold = models.DecimalField(_("threshold (days)"), max_digits=5, decimal_places=2)
    # The month's figures (R2) when the analysis was started, refreshed while it is open.
    episodes = models.PositiveIntegerField(_("discharged episodes with a ready date"))
    ready_days = models.PositiveIntegerField(_("ready days"))
    status = models.CharField(
        _("status"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.OPEN
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX, blank=True)
    # Touched by every answer, action and follow-up: a PDF older than this is out of date.
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        verbose_name = _("analysis of delayed discharge")
        verbose_name_plural = _("analyses of delayed discharge")
        ordering = ["-month", "kommun__code", "care_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun", "care_type", "month"], name="analysis_unique_kommun_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommun} {self.month:%Y-%m} {self.care_type}"

    @property
    def average(self) -> Decimal | None:
        """R2's average to 2 decimals, halves up, as the reports show it."""
        return _ratio(self.ready_days, self.episodes)

    @property
    def is_over(self) -> bool:
        """R3 on the exact ratio (never the rounded average)."""
        figures = rules.MonthFigures(self.month, self.episodes, self.ready_days, 0)
        return rules.is_over(figures, Decimal(self.threshold))

    @property
    def is_open(self) -> bool:
        return self.status == AnalysisStatus.OPEN


class AnalysisPatient(models.Model):
    """An episode of the analysis; ``number`` is the running number the group sees."""

    analysis = models.ForeignKey(Analysis, on_delete=models.PROTECT, related_name="patients")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"))
    ready_days = models.PositiveIntegerField(_("ready days"))
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("patient of an analysis")
        verbose_name_plural = _("patients of analyses")
        ordering = ["analysis", "number"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "episode"], name="analysis_patient_once"),
            models.UniqueConstraint(fields=["analysis", "number"], name="analysis_patient_number"),
        ]

    def __str__(self) -> str:
        return f"{self.analysis_id} #{self.number}"


class Choice(models.TextChoices):
    YES = "yes", _("yes")
    NO = "no", _("no")


class ChecklistAnswer(AppendOnlyModel):
    """One organisation's answer to one row of Bilaga 1 for one patient, as given at a time.

    The current answer of a (patient, row, column) is its newest row; ``replaces`` is the
    answer the author saw when changing it (None for the first), so a change based on an
    answer that was meanwhile replaced is refused instead of overwriting it silently.
    """

    patient = models.ForeignKey(AnalysisPatient, on_delete=models.PROTECT, related_name="answers")
    row = models.CharField(_("row"), max_length=40)
    column = models.CharField(_("column"), max_length=20, choices=Column.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)
    choice = models.CharField(_("answer"), max_length=3, choices=Choice.choices, blank=True)
    date = models.DateField(_("date"), null=True)
    comment = models.CharField(_("comment"), max_length=COMMENT_MAX, blank=True)
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("replaces")
    )

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["patient", "row", "column", "id"]
        indexes = [
            models.Index(fields=["patient", "row", "column", "id"], name="answer_current_idx")
        ]

    def __str__(self) -> str:
        return f"{self.patient} {self.row} {self.column} {self.answered_at:%Y-%m-%d %H:%M}"

    @property
    def is_empty(self) -> bool:
        return not (self.choice or self.date or self.comment)


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ImprovementAction(models.Model):
    """A förbättringsåtgärd agreed in an analysis. Its status changes only with a follow-up."""

    analysis = models.ForeignKey(Analysis, on_delete=models.PROTECT, related_name="actions")
    text = models.TextField(_("action"), max_length=ACTION_TEXT_MAX)
    responsible = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible organisation"),
    )
    owner = models.CharField(_("owner"), max_length=OWNER_MAX)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_open_due_idx")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_date < today


class ActionFollowUp(AppendOnlyModel):
    """A dated follow-up note on an action, with the status the action has after it."""

    action = models.ForeignKey(
        ImprovementAction, on_delete=models.PROTECT, related_name="follow_ups"
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), max_length=ACTION_TEXT_MAX)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("follow-up of an action")
        verbose_name_plural = _("follow-ups of actions")
        ordering = ["action", "date", "id"]

    def __str__(self) -> str:
        return f"{self.action_id} {self.date:%Y-%m-%d}"


class AnalysisNotice(models.Model):
    """Tells a processledare or a member of the group of a new analysis (start page)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="analysis_notices"
    )
    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="notices")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True)

    class Meta:
        verbose_name = _("analysis notice")
        verbose_name_plural = _("analysis notices")
        constraints = [
            models.UniqueConstraint(fields=["user", "analysis"], name="analysis_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.analysis_id}"


class PdfStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class PdfStage(models.TextChoices):
    WAITING = "waiting", _("Waiting for a worker")
    COLLECTING = "collecting", _("Gathering the checklists")
    LAYOUT = "layout", _("Laying out the pages")
    WRITING = "writing", _("Writing the file")
    FINISHED = "finished", _("Finished")


class AnalysisPdf(models.Model):
    """A PDF of an analysis, built in a request (small) or by a Celery task (large)."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="pdfs")
    pseudonymised = models.BooleanField(_("without names and personal identity numbers"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=PdfStatus.choices, default=PdfStatus.QUEUED
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=PdfStage.choices, default=PdfStage.WAITING
    )
    done = models.PositiveIntegerField(_("patients gathered"), default=0)
    total = models.PositiveIntegerField(_("patients"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True)
    content = models.BinaryField(_("file"), null=True, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("analysis PDF")
        verbose_name_plural = _("analysis PDFs")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.analysis_id} {self.requested_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self) -> int:
        """Progress for the page: gathering is the first half, layout and writing the rest."""
        if self.status == PdfStatus.DONE:
            return 100
        gathered = 50 * self.done // self.total if self.total else 0
        return {PdfStage.LAYOUT: 60, PdfStage.WRITING: 90}.get(PdfStage(self.stage), gathered)
