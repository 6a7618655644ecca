"""Deadlines derived from an episode's state (no database access).

- The admission notice is due within 24 hours of admission.
- Where a SIP is needed, the invitation is due no later than the ready date + 3 calendar days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges.models import Episode, EpisodeStatus

ADMISSION_NOTICE_WITHIN = timedelta(hours=24)
SIP_INVITATION_WITHIN_DAYS = 3


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

    @property
    def due_label(self) -> str:
        """A deadline as shown: a date, or a local date and time."""
        if isinstance(self.due, datetime):
            return f"{timezone.localtime(self.due):%Y-%m-%d %H:%M}"
        return self.due.isoformat() if self.due else ""


def pending_tasks(episode: Episode, party: str, now: datetime, today: date) -> list[Task]:
    """What waits for ``party`` ("ward", "kommun", "health_centre") on this episode now."""
    tasks: list[Task] = []
    active = episode.status in (
        EpisodeStatus.REGISTERED,
        EpisodeStatus.PLANNING,
        EpisodeStatus.READY,
    )
    noticed = episode.admission_notice_at is not None
    if party == "ward" and active:
        if not noticed:
            due = admission_notice_due(episode.admitted_at)
            tasks.append(Task("admission_notice", str(_("Send admission notice")), due, now > due))
        if noticed and not episode.track_colour:
            tasks.append(Task("track_colour", str(_("Assess track colour"))))
        if episode.status == EpisodeStatus.READY and episode.homecoming_acknowledged_at:
            tasks.append(Task("discharge", str(_("Register discharge"))))
    if party in ("kommun", "health_centre") and active and noticed:
        answered = (
            episode.kommun_answered_at if party == "kommun" else episode.health_centre_answered_at
        )
        if answered is None:
            tasks.append(Task("answer", str(_("Answer the admission notice"))))
    if party == "kommun" and active and noticed:
        if episode.kommun_ready_at is None:
            tasks.append(Task("kommun_ready", str(_("Plan SoL/HSL and mark ready"))))
        if episode.status == EpisodeStatus.READY and episode.homecoming_acknowledged_at is None:
            tasks.append(Task("homecoming", str(_("Acknowledge time for homecoming"))))
    if party == "health_centre" and episode.status != EpisodeStatus.CLOSED:
        if active and noticed and not episode.named_contact:
            tasks.append(Task("named_contact", str(_("Name a care contact"))))
        invited = episode.sip_invitation_at is not None and episode.sip_cancelled_at is None
        cancelled = episode.sip_cancelled_at is not None
        if episode.sip_needed and episode.ready_date and not invited and not cancelled:
            sip_due = sip_invitation_due(episode.ready_date)
            tasks.append(
                Task("sip_invitation", str(_("Send SIP invitation")), sip_due, today > sip_due)
            )
        if invited and episode.sip_held_date is None:
            tasks.append(Task("sip_held", str(_("Record the SIP meeting"))))
    return tasks
