"""Reading back dates and times that lie outside what Python can hold or shift.

Before the services checked plausible ranges (services/ranges.py), a year-1 admission could be
stored as a BC timestamp, which psycopg refuses to load, and a year-9999 time overflows when it
is shown in local time or a deadline is added to it. Events are append-only, so such values
cannot be corrected; they are read back clamped to ``SHOWN_RANGE`` instead, so that every page
still opens (PostgreSQL; SQLite cannot store a BC value).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

# Far enough from Python's limits for a shift to local time and a deadline of some days.
EARLIEST_SHOWN = datetime(1, 1, 2, tzinfo=UTC)
LATEST_SHOWN = datetime(9999, 12, 1, tzinfo=UTC)
EARLIEST_DAY_SHOWN = date(1, 1, 2)
LATEST_DAY_SHOWN = date(9999, 12, 1)


def _register(connection: Any) -> None:
    """Loaders that clamp what Python cannot hold. They wrap psycopg's own loaders (its C
    ones where psycopg[binary] has them, which cannot be subclassed): a subclass of the Python
    loaders would parse every date and time of every query in Python (issue 15: a third of
    the time a region's report spent reading its episodes)."""
    import psycopg
    from psycopg import DataError
    from psycopg.adapt import Loader
    from psycopg.postgres import types
    from psycopg.pq import Format

    tz = connection.timezone

    class Clamped(Loader):
        """psycopg's loader ``fast`` for ``oid``, its values kept within [earliest, latest]
        and those it cannot load (BC, or past year 9999) read as the nearer bound."""

        fast: Any
        earliest: Any
        latest: Any

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self._load = self.fast(oid, context).load

        def load(self, data: Any) -> Any:
            try:
                value = self._load(data)
            except DataError:
                return self.earliest if bytes(data).rstrip().endswith(b"BC") else self.latest
            return self.finish(min(max(value, self.earliest), self.latest))

        def finish(self, value: Any) -> Any:
            return value

    class ClampedTimestamptzLoader(Clamped):
        fast = psycopg.adapters.get_loader(types["timestamptz"].oid, Format.TEXT)
        earliest, latest = EARLIEST_SHOWN, LATEST_SHOWN
        timezone = tz  # Django compares it with the connection's zone before each cursor

        def finish(self, value: datetime) -> datetime:
            return value.replace(tzinfo=tz) if tz is not None else value

    class ClampedDateLoader(Clamped):
        fast = psycopg.adapters.get_loader(types["date"].oid, Format.TEXT)
        earliest, latest = EARLIEST_DAY_SHOWN, LATEST_DAY_SHOWN

    adapters = connection.connection.adapters
    adapters.register_loader("timestamptz", ClampedTimestamptzLoader)
    adapters.register_loader("date", ClampedDateLoader)


@receiver(connection_created)
def clamp_unreadable_dates(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        _register(connection)
