"""Deadlines and tasks derived from an episode's state (no database access).

- The admission notice is due within 24 hours of admission.
- Where a SIP is needed, the invitation is due no later than the ready date + 3 calendar days.
- A planning episode whose preliminary ready date has come asks the ward for the ready notice
  (or a new date) on that day.
- The kommun's acknowledgement of the homecoming time is due on the ready date (from then on
  the patient waits in hospital); the ward's discharge at the agreed homecoming time.
- A SIP follow-up planned at the meeting shows on the health centre's list a week before its
  date (primary care leads the SIP after the discharge) until it is recorded done; after the
  date it is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges.models import ACTIVE_STATUSES, Episode, EpisodeStatus

ADMISSION_NOTICE_WITHIN = timedelta(hours=24)
SIP_INVITATION_WITHIN_DAYS = 3
# A planned SIP follow-up shows on the health centre's list this many days before its date.
SIP_FOLLOW_UP_NOTICE_DAYS = 7


def admission_notice_due(admitted_at: datetime) -> datetime:
    return admitted_at + ADMISSION_NOTICE_WITHIN


def sip_invitation_due(ready_date: date) -> date:
    """The last calendar day on which the SIP invitation is in time."""
    return ready_date + timedelta(days=SIP_INVITATION_WITHIN_DAYS)


def admission_notice_late(episode: Episode) -> bool | None:
    """Whether the notice was (or, unsent, already is) late; None for a closed stay without one."""
    if episode.admission_notice_at is not None:
        return episode.admission_notice_at > admission_notice_due(episode.admitted_at)
    return None


@dataclass(frozen=True)
class Task:
    """Something that waits for one party of an episode."""

    code: str
    label: str
    due: date | datetime | None = None
    overdue: bool = False
    due_today: bool = False

    @property
    def due_label(self) -> str:
        """A deadline as shown: a date, or a local date and time."""
        if isinstance(self.due, datetime):
            return f"{timezone.localtime(self.due):%Y-%m-%d %H:%M}"
        return self.due.isoformat() if self.due else ""


def _dated(code: str, label: str, due: date, today: date) -> Task:
    """A task due on a calendar day: overdue after it."""
    return Task(code, label, due, today > due, due == today)


def _timed(code: str, label: str, due: datetime, now: datetime) -> Task:
    """A task due at a moment: overdue after it, due today on its local date."""
    return Task(code, label, due, now > due, timezone.localdate(due) == timezone.localdate(now))


def pending_tasks(episode: Episode, party: str, now: datetime, today: date) -> list[Task]:
    """What waits for ``party`` ("ward", "kommun", "health_centre") on this episode now."""
    if party == "ward":
        return _ward_tasks(episode, now, today)
    if party == "kommun":
        return _kommun_tasks(episode, today)
    if party == "health_centre":
        return _health_centre_tasks(episode, today)
    return []


def _ward_tasks(episode: Episode, now: datetime, today: date) -> list[Task]:
    if episode.status not in ACTIVE_STATUSES:
        return []
    tasks: list[Task] = []
    if episode.admission_notice_at is None:
        due = admission_notice_due(episode.admitted_at)
        tasks.append(_timed("admission_notice", str(_("Send admission notice")), due, now))
    elif not episode.track_colour:
        tasks.append(Task("track_colour", str(_("Assess track colour"))))
    preliminary = episode.preliminary_ready_date
    if episode.status == EpisodeStatus.PLANNING and preliminary and preliminary <= today:
        label = (
            _("Preliminary ready date today: send the ready notice or a new date")
            if preliminary == today
            else _("Preliminary ready date passed: send the ready notice or a new date")
        )
        tasks.append(_dated("ready_notice", str(label), preliminary, today))
    if episode.status == EpisodeStatus.READY:
        if episode.homecoming_acknowledged_at and episode.homecoming_at:
            label = _("Register discharge (agreed homecoming)")
            tasks.append(_timed("discharge", str(label), episode.homecoming_at, now))
        elif episode.homecoming_acknowledged_at:
            tasks.append(Task("discharge", str(_("Register discharge"))))
        elif episode.homecoming_proposed_at is None:
            tasks.append(Task("propose_homecoming", str(_("Propose a time for homecoming"))))
    return tasks


def _kommun_tasks(episode: Episode, today: date) -> list[Task]:
    if episode.status not in ACTIVE_STATUSES or episode.admission_notice_at is None:
        return []
    tasks: list[Task] = []
    if episode.kommun_answered_at is None:
        tasks.append(Task("answer", str(_("Answer the admission notice"))))
    if episode.kommun_ready_at is None:
        tasks.append(Task("kommun_ready", str(_("Plan SoL/HSL and mark ready"))))
    if episode.status == EpisodeStatus.READY and episode.homecoming_acknowledged_at is None:
        # Due on the ready date: from then on the patient waits in hospital.
        label = (
            _("Acknowledge the proposed time for homecoming")
            if episode.homecoming_proposed_at
            else _("Acknowledge time for homecoming")
        )
        tasks.append(_dated("homecoming", str(label), episode.ready_date or today, today))
    return tasks


def _health_centre_tasks(episode: Episode, today: date) -> list[Task]:
    if episode.status == EpisodeStatus.CLOSED:
        return []
    tasks: list[Task] = []
    noticed = episode.admission_notice_at is not None
    if episode.status in ACTIVE_STATUSES and noticed:
        if episode.health_centre_answered_at is None:
            tasks.append(Task("answer", str(_("Answer the admission notice"))))
        if not episode.named_contact:
            tasks.append(Task("named_contact", str(_("Name a care contact"))))
    invited = episode.sip_invitation_at is not None and episode.sip_cancelled_at is None
    cancelled = episode.sip_cancelled_at is not None
    if episode.sip_needed and episode.ready_date and not invited and not cancelled:
        sip_due = sip_invitation_due(episode.ready_date)
        tasks.append(_dated("sip_invitation", str(_("Send SIP invitation")), sip_due, today))
    if invited and episode.sip_held_date is None:
        tasks.append(Task("sip_held", str(_("Record the SIP meeting"))))
    follow_up = episode.sip_follow_up_date
    if (
        follow_up is not None
        and episode.sip_follow_up_done_date is None
        and today >= follow_up - timedelta(days=SIP_FOLLOW_UP_NOTICE_DAYS)
    ):
        tasks.append(_dated("sip_follow_up", str(_("Follow up the SIP")), follow_up, today))
    return tasks
