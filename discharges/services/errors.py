"""The refusals every service raises: a refused message changes nothing."""

from __future__ import annotations


class Refused(Exception):
    """A message that may not be sent now. Nothing was changed.

    ``field`` names the input that is wrong (None when it is the step itself).
    """

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(Refused):
    """The actor's organisation or role may not send this message."""

    status_code = 403


class Stale(Refused):
    """The write was based on an older version of the episode."""

    status_code = 409
