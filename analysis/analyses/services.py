"""Every write of the analyses: start (by the trigger or by hand), refresh, answer, act, close.

Each function checks who acts, validates its input (a refusal names the field and changes
nothing: ``discharges.services.Refused`` and its kinds, the same as the messages use) and
writes in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.analyses.access import lead_regions
from analysis.analyses.models import (
    ACTION_TEXT_MAX,
    OWNER_MAX,
    SUMMARY_MAX,
    ActionFollowUp,
    ActionStatus,
    Analysis,
    AnalysisNotice,
    AnalysisPatient,
    AnalysisStatus,
    ImprovementAction,
    Trigger,
)
from analysis.models import StatCareType
from discharges.aggregates import discharged_with_ready_date, grouped_counts
from discharges.models import Kommun, Organisation
from discharges.personnummer import PERSONNUMMER_IN_TEXT
from discharges.services import NotPermitted, Refused
from payment.models import Agreement
from payment.rules import month_start

# Lag (2017:612) applies from 2018-01-01: no analysis of an earlier month.
FIRST_MONTH = date(2018, 1, 1)
# R2's "3 or more ready days": the episodes an analysis looks at.
LONG_WAIT_DAYS = 3
# An action's due date lies at most this far ahead.
MAX_DUE_AHEAD = timedelta(days=3 * 366)
DEFAULT_THRESHOLD = Agreement._meta.get_field("threshold_days").get_default()


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _in_month(kommun: Kommun, care_type: str, month: date) -> Q:
    where = Q(kommun=kommun, discharge_date__gte=month, discharge_date__lte=month_end(month))
    if care_type != StatCareType.ALL:
        where &= Q(care_type=care_type)
    return where


def month_figures(kommun: Kommun, care_type: str, month: date) -> tuple[int, int]:
    """R2's (episodes, ready days) of the kommun-month, from the same GROUP BY as the
    statistics and the payment report."""
    rows = grouped_counts(_in_month(kommun, care_type, month))
    return sum(r["n_episodes"] for r in rows), sum(r["n_ready_days"] for r in rows)


def agreement_in_force(kommun: Kommun, month: date) -> Agreement | None:
    """The region's agreement for the month: the latest whose first month is not after it."""
    return (
        Agreement.objects.filter(region__code=kommun.code[:2], first_month__lte=month)
        .order_by("-first_month", "-pk")
        .first()
    )


def check_text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    """A free text: trimmed, within ``limit``, and without a personnummer (the group reads it)."""
    value = value.strip()
    if "\x00" in value:
        raise Refused(_("The text holds a null character."), field=field)
    if required and not value:
        raise Refused(_("This field is required."), field=field)
    if len(value) > limit:
        raise Refused(
            _("At most %(limit)s characters (this is %(length)s).")
            % {"limit": limit, "length": len(value)},
            field=field,
        )
    if PERSONNUMMER_IN_TEXT.search(value):
        raise Refused(
            _(
                "Write no personal identity number here: the joint group reads the analysis "
                "without them. Refer to the patient's number in the analysis instead."
            ),
            field=field,
        )
    return value


# --- Starting and refreshing ------------------------------------------------------------------


def sync_patients(analysis: Analysis) -> int:
    """Adds the month's episodes with 3 or more ready days that the analysis lacks (history
    imported later), numbered on after the last. Never removes one. Returns how many."""
    known = set(analysis.patients.values_list("episode_id", flat=True))
    last = max(analysis.patients.values_list("number", flat=True), default=0)
    wanted = (
        discharged_with_ready_date()
        .filter(_in_month(analysis.kommun, analysis.care_type, analysis.month))
        .filter(ready_days__gte=LONG_WAIT_DAYS)
        .order_by("discharge_date", "id")
        .values_list("id", "ready_days")
    )
    new = [
        AnalysisPatient(analysis=analysis, episode_id=pk, number=last + i, ready_days=days or 0)
        for i, (pk, days) in enumerate((row for row in wanted if row[0] not in known), start=1)
    ]
    AnalysisPatient.objects.bulk_create(new)
    return len(new)


def ensure_analysis(
    *,
    kommun: Kommun,
    care_type: str,
    month: date,
    trigger: str,
    user: User | None = None,
) -> tuple[Analysis, bool]:
    """The kommun-month's analysis, created when missing (True) with its patients; an open
    one has its figures and patients brought up to date. Never a second one (a unique
    constraint backs this when two runs race)."""
    with transaction.atomic():
        analysis = (
            Analysis.objects.select_for_update()
            .filter(kommun=kommun, care_type=care_type, month=month)
            .first()
        )
        created = analysis is None
        if analysis is None:
            agreement = agreement_in_force(kommun, month)
            try:
                with transaction.atomic():
                    analysis = Analysis.objects.create(
                        kommun=kommun,
                        care_type=care_type,
                        month=month,
                        trigger=trigger,
                        agreement=agreement,
                        threshold=agreement.threshold_days if agreement else DEFAULT_THRESHOLD,
                        episodes=0,
                        ready_days=0,
                        started_by=user,
                    )
            except IntegrityError:
                analysis = Analysis.objects.get(kommun=kommun, care_type=care_type, month=month)
                created = False
        if analysis.is_open:
            refresh_analysis(analysis)
    return analysis, created


def refresh_analysis(analysis: Analysis) -> None:
    """Figures and patients of an open analysis as the episodes say now."""
    episodes, ready_days = month_figures(analysis.kommun, analysis.care_type, analysis.month)
    added = sync_patients(analysis)
    if (episodes, ready_days) != (analysis.episodes, analysis.ready_days) or added:
        analysis.episodes, analysis.ready_days = episodes, ready_days
        analysis.changed_at = timezone.now()
        analysis.save(update_fields=["episodes", "ready_days", "changed_at"])


def check_lead(user: User, kommun: Kommun) -> None:
    if kommun.code[:2] not in lead_regions(user):
        raise NotPermitted(_("Only the region's process lead may do this."))


def start_analysis(
    *, user: User, kommun: Kommun, care_type: str, month: date
) -> tuple[Analysis, bool]:
    """A processledare starts an analysis of any kommun-month of the region by hand; an
    existing one is returned as it is (False)."""
    check_lead(user, kommun)
    if care_type not in StatCareType.values:
        raise Refused(_("Choose a care type."), field="care_type")
    this_month = month_start(timezone.localdate())
    if month.day != 1 or not FIRST_MONTH <= month <= this_month:
        raise Refused(
            _("Choose a month from %(first)s to %(last)s.")
            % {"first": f"{FIRST_MONTH:%Y-%m}", "last": f"{this_month:%Y-%m}"},
            field="month",
        )
    return ensure_analysis(
        kommun=kommun, care_type=care_type, month=month, trigger=Trigger.MANUAL, user=user
    )


def close_analysis(*, user: User, analysis: Analysis, summary: str) -> Analysis:
    """The processledare closes the analysis with a summary; its checklists are then final."""
    check_lead(user, analysis.kommun)
    summary = check_text(summary, "summary", SUMMARY_MAX, required=True)
    with transaction.atomic():
        locked = Analysis.objects.select_for_update().get(pk=analysis.pk)
        if not locked.is_open:
            raise Refused(_("The analysis is already closed."))
        now = timezone.now()
        locked.status = AnalysisStatus.CLOSED
        locked.closed_at, locked.closed_by, locked.summary = now, user, summary
        locked.changed_at = now
        locked.save(update_fields=["status", "closed_at", "closed_by", "summary", "changed_at"])
    return locked


def read_notices(*, user: User, analysis: Analysis) -> None:
    """The user has opened the analysis: its notice leaves their start page."""
    AnalysisNotice.objects.filter(user=user, analysis=analysis, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def touch(analysis: Analysis) -> None:
    Analysis.objects.filter(pk=analysis.pk).update(changed_at=timezone.now())


# --- Improvement actions ----------------------------------------------------------------------


def responsible_choices(analysis: Analysis) -> list[Organisation]:
    """Who may be responsible for an action: the kommun, the region, and the wards, hospitals
    and hälsocentraler that had the analysis's patients."""
    ids = {analysis.kommun.pk, analysis.kommun.region_id}
    for ward_id, hospital_id, hc_id in AnalysisPatient.objects.filter(
        analysis=analysis
    ).values_list("episode__ward_id", "episode__ward__hospital_id", "episode__health_centre_id"):
        ids |= {ward_id, hospital_id, *([hc_id] if hc_id else [])}
    return list(Organisation.objects.filter(pk__in=ids).order_by("kind", "name"))


@dataclass(frozen=True)
class ActionInput:
    text: str
    responsible: Organisation
    owner: str
    due_date: date


def add_action(*, user: User, analysis: Analysis, data: ActionInput) -> ImprovementAction:
    check_lead(user, analysis.kommun)
    text = check_text(data.text, "text", ACTION_TEXT_MAX, required=True)
    owner = check_text(data.owner, "owner", OWNER_MAX, required=True)
    if data.responsible.pk not in {o.pk for o in responsible_choices(analysis)}:
        raise Refused(_("Choose an organisation of the analysis."), field="responsible")
    earliest = analysis.month
    latest = timezone.localdate() + MAX_DUE_AHEAD
    if not earliest <= data.due_date <= latest:
        raise Refused(
            _("The due date must lie from %(first)s to %(last)s.")
            % {"first": earliest.isoformat(), "last": latest.isoformat()},
            field="due_date",
        )
    with transaction.atomic():
        action = ImprovementAction.objects.create(
            analysis=analysis,
            text=text,
            responsible=data.responsible,
            owner=owner,
            due_date=data.due_date,
            created_by=user,
        )
        touch(analysis)
    return action


def follow_up_action(
    *, user: User, action: ImprovementAction, day: date, note: str, status: str
) -> ActionFollowUp:
    """A dated note on the action; the action takes the status the note gives."""
    check_lead(user, action.analysis.kommun)
    note = check_text(note, "note", ACTION_TEXT_MAX, required=True)
    if status not in ActionStatus.values:
        raise Refused(_("Choose a status."), field="status")
    earliest = action.analysis.month
    if not earliest <= day <= timezone.localdate():
        raise Refused(
            _("The date must lie from %(first)s to today.") % {"first": earliest.isoformat()},
            field="date",
        )
    with transaction.atomic():
        locked = ImprovementAction.objects.select_for_update().get(pk=action.pk)
        follow_up = ActionFollowUp.objects.create(
            action=locked, date=day, note=note, status=status, author=user
        )
        locked.status = status
        locked.save(update_fields=["status"])
        touch(locked.analysis)
    action.status = status
    return follow_up
