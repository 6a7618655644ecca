"""Log filter that keeps personnummer out of every log line."""

from __future__ import annotations

import logging

from discharges.personnummer import redact


class RedactPersonnummerFilter(logging.Filter):
    """Rewrites a record's message with anything shaped like a personnummer replaced.

    The message is formatted here (args merged) so that a number passed as an argument is
    caught too; the record then carries the redacted text and no args.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            # Exception text (e.g. a validation error quoting input) is rendered by the
            # formatter; cache a redacted rendering so the raw one is never produced.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
