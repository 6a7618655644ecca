"""Calendar days in the domain's time zone.

The law and the agreements count Swedish calendar days, whatever time zone a request has
activated; this reads the zone once (settings.TIME_ZONE, Europe/Stockholm by default).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings

ZONE = ZoneInfo(settings.TIME_ZONE)


def local_date(moment: datetime) -> date:
    """The calendar date of an aware ``moment`` in the domain's time zone."""
    return moment.astimezone(ZONE).date()
