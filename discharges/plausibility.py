"""Warnings for values that are allowed but unlikely: the page shows them before sending and
sends on confirmation ("Skicka ändå"); the services, the API and the import accept the values.

- A discharge before the agreed homecoming time.
- A SIP meeting held on a day before the meeting date the invitation gave.
- A proposed or agreed homecoming time that has already passed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.models import Episode, EpisodeEvent, EventKind
from discharges.projection import as_datetime


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _discharge(episode: Episode, data: dict[str, Any], now: datetime) -> list[str]:
    at = data.get("occurred_at") or now
    agreed = episode.homecoming_at
    if agreed is not None and at < agreed:
        return [
            _(
                "The discharge (%(at)s) is before the agreed time for homecoming (%(agreed)s). "
                "The municipality may not be ready to receive the patient yet."
            )
            % {"at": _local(at), "agreed": _local(agreed)}
        ]
    return []


def invited_meeting_at(episode: Episode) -> datetime | None:
    """The meeting time the SIP invitation in force gave, if it gave one."""
    data = (
        EpisodeEvent.objects.filter(episode=episode, kind=EventKind.SIP_INVITATION)
        .order_by("-seq")
        .values_list("data", flat=True)
        .first()
    )
    return as_datetime(data.get("meeting_at")) if isinstance(data, dict) else None


def _sip_held(episode: Episode, data: dict[str, Any], now: datetime) -> list[str]:
    held = data.get("held_date")
    meeting_at = invited_meeting_at(episode)
    if held is not None and meeting_at is not None and held < local_date(meeting_at):
        return [
            _("The SIP meeting is dated %(held)s, before the date the invitation gave (%(day)s).")
            % {"held": held.isoformat(), "day": local_date(meeting_at).isoformat()}
        ]
    return []


def _homecoming(episode: Episode, data: dict[str, Any], now: datetime) -> list[str]:
    homecoming_at = data.get("homecoming_at")
    if homecoming_at is not None and homecoming_at < now:
        return [
            _("The time for homecoming (%(at)s) has already passed.")
            % {"at": _local(homecoming_at)}
        ]
    return []


_CHECKS: dict[str, Callable[[Episode, dict[str, Any], datetime], list[str]]] = {
    EventKind.DISCHARGE: _discharge,
    EventKind.SIP_HELD: _sip_held,
    EventKind.READY_NOTICE: _homecoming,
    EventKind.HOMECOMING_PROPOSED: _homecoming,
    EventKind.HOMECOMING_ACKNOWLEDGED: _homecoming,
}


def warnings(kind: str, episode: Episode, data: dict[str, Any]) -> list[str]:
    """What the sender of ``kind`` with the form's cleaned ``data`` should look at again."""
    check = _CHECKS.get(kind)
    return check(episode, data, timezone.now()) if check else []
