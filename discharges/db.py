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
    from psycopg import DataError
    from psycopg.types.datetime import DateLoader, TimestamptzLoader

    tz = connection.timezone

    class ClampedTimestamptzLoader(TimestamptzLoader):
        timezone = tz  # Django compares it with the connection's zone before each cursor

        def load(self, data: Any) -> datetime:
            try:
                value: datetime = super().load(data)
            except DataError:
                return EARLIEST_SHOWN if bytes(data).rstrip().endswith(b"BC") else LATEST_SHOWN
            value = min(max(value, EARLIEST_SHOWN), LATEST_SHOWN)
            return value.replace(tzinfo=tz) if tz is not None else value

    class ClampedDateLoader(DateLoader):
        def load(self, data: Any) -> date:
            try:
                value: date = super().load(data)
            except DataError:
                return (
                    EARLIEST_DAY_SHOWN if bytes(data).rstrip().endswith(b"BC") else LATEST_DAY_SHOWN
                )
            return min(max(value, EARLIEST_DAY_SHOWN), LATEST_DAY_SHOWN)

    adapters = connection.connection.adapters
    adapters.register_loader("timestamptz", ClampedTimestamptzLoader)
    adapters.register_loader("date", ClampedDateLoader)


@receiver(connection_created)
def clamp_unreadable_dates(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "postgresql":
        _register(connection)
