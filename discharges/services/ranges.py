"""Plausible ranges for every date and time a message carries, checked in one place.

Forms, the API and the import all reach the services, and the services call these checks, so a
value outside its range is refused with the field named wherever it comes from. Without them
one extreme date broke pages for good (a year-1 admission stored as a BC timestamp that psycopg
cannot read back; a year-9999 homecoming that overflows when shown in local time), and a ready
date could be back-dated without limit and put a kommun into liability.

- Nothing before ``EARLIEST`` (1900-01-01).
- Dates and times of an episode's planning (preliminary and actual ready date, SIP meeting,
  homecoming) lie from the admission's date to ``settings.SVU_MAX_STAY`` after it.
- A ready date lies within the back-dating limit of the message that carries it
  (``settings.SVU_MAX_BACKDATE``), unless an integration account moves older history in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from discharges.clock import local_date
from discharges.models import Episode
from discharges.services.errors import Refused

EARLIEST = date(1900, 1, 1)
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)

# The limits' settings as last read (every message reads them: an import, 600,000 times; a
# read through the lazy settings object costs more than the check), forgotten when a setting
# changes (``override_settings``).
_LIMITS: dict[str, timedelta] = {}


def limit(name: str) -> timedelta:
    """The setting ``name`` (SVU_MAX_STAY, SVU_MAX_BACKDATE, SVU_FUTURE_TOLERANCE)."""
    value = _LIMITS.get(name)
    if value is None:
        value = _LIMITS[name] = getattr(settings, name)
    return value


@receiver(setting_changed)
def _forget_limits(*, setting: str, **kwargs: object) -> None:
    _LIMITS.pop(setting, None)


def check_not_ancient(moment: datetime, field: str) -> None:
    if moment < EARLIEST_MOMENT:
        raise Refused(
            _("The time is before %(earliest)s.") % {"earliest": EARLIEST.isoformat()},
            field=field,
        )


def check_in_stay(value: date | datetime | None, episode: Episode, field: str) -> None:
    """``value`` (a date, or a time compared by its local date) lies between the admission's
    date and ``SVU_MAX_STAY`` after it."""
    if value is None or episode.admitted_at is None:
        return
    day = _local_day(value) if isinstance(value, datetime) else value
    admitted = local_date(episode.admitted_at)
    if day < admitted:
        raise Refused(_("The date is before the admission."), field=field)
    if day > admitted + limit("SVU_MAX_STAY"):
        raise Refused(
            _("The date is more than %(days)s days after the admission.")
            % {"days": settings.SVU_MAX_STAY.days},
            field=field,
        )


def _local_day(moment: datetime) -> date:
    """The local date; beyond what Python's dates can hold, the nearest end of their range."""
    try:
        return local_date(moment)
    except OverflowError:
        return date.max if moment.year > 1 else date.min


def check_backdated_date(value: date, sent_at: datetime, field: str) -> None:
    """A date may lie back in time no further than the message carrying it may be back-dated."""
    earliest = local_date(sent_at - limit("SVU_MAX_BACKDATE"))
    if value < earliest:
        raise Refused(
            _("The date may be at most %(days)s days before the message is sent.")
            % {"days": settings.SVU_MAX_BACKDATE.days},
            field=field,
        )
