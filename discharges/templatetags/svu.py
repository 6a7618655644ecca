"""Template helpers: readable summaries of event data and personnummer display."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from discharges.models import ClosureReason, Destination, EpisodeEvent, EventKind, TrackColour
from discharges.personnummer import format_personnummer
from discharges.projection import as_date, as_datetime

register = template.Library()


def _d(value: Any) -> str:
    day = as_date(value)
    return day.isoformat() if day else "–"


def _dt(value: Any) -> str:
    moment = as_datetime(value)
    if moment is None:
        return "–"
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _yes_no(value: Any) -> str:
    return {True: _("yes"), False: _("no")}.get(value, _("not assessed"))


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


@register.filter
def event_summary(event: EpisodeEvent) -> str:
    """One line in Swedish describing the event's data."""
    data = event.data
    kind = event.kind
    parts: list[str] = []
    if kind == EventKind.ADMISSION_NOTICE:
        parts.append(
            _("Preliminary ready date %(date)s") % {"date": _d(data.get("preliminary_ready_date"))}
        )
        if data.get("reason"):
            parts.append(_("Reason: %(reason)s") % {"reason": data["reason"]})
    elif kind == EventKind.PRELIMINARY_DATE_CHANGED:
        parts.append(
            _("New preliminary ready date %(date)s") % {"date": _d(data["preliminary_ready_date"])}
        )
    elif kind == EventKind.ADMISSION_ANSWER:
        parts.append(
            _("Current services: %(yes_no)s") % {"yes_no": _yes_no(data.get("current_services"))}
        )
        for key, label in (
            ("services", _("Services")),
            ("social_network", _("Social network")),
            ("aids", _("Aids")),
        ):
            if data.get(key):
                parts.append(f"{label}: {data[key]}")
    elif kind == EventKind.NAMED_CARE_CONTACT:
        parts.append(" ".join(filter(None, [data.get("name"), data.get("phone")])))
    elif kind == EventKind.TRACK_COLOUR:
        parts.append(_label(TrackColour, data["colour"]))
        parts.append(_("SIP needed: %(yes_no)s") % {"yes_no": _yes_no(data.get("sip_needed"))})
    elif kind == EventKind.READY_NOTICE:
        parts.append(
            _("Ready date %(date)s, sent %(time)s")
            % {"date": _d(data["ready_date"]), "time": _dt(event.occurred_at)}
        )
    elif kind == EventKind.SIP_INVITATION and data.get("meeting_at"):
        parts.append(_("Meeting %(time)s") % {"time": _dt(data["meeting_at"])})
    elif kind == EventKind.SIP_HELD:
        parts.append(_("Held %(date)s") % {"date": _d(data["held_date"])})
    elif kind == EventKind.HOMECOMING_ACKNOWLEDGED:
        parts.append(_("Homecoming %(time)s") % {"time": _dt(data["homecoming_at"])})
    elif kind == EventKind.DISCHARGE:
        parts.append(_label(Destination, data.get("destination", "")))
    elif kind == EventKind.CLOSED:
        parts.append(_label(ClosureReason, data["reason"]))
    elif kind in (EventKind.READY_NOTICE_WITHDRAWN, EventKind.SIP_CANCELLED) and data.get("reason"):
        parts.append(data["reason"])
    elif kind == EventKind.SIP_INITIATIVE and data.get("note"):
        parts.append(data["note"])
    return ". ".join(p for p in parts if p)


@register.filter
def pnr(value: str) -> str:
    """YYYYMMDD-NNNN."""
    return format_personnummer(value) if value and len(value) == 12 else value
