"""What an import reports: the errors of a refused file, and what a file stored (or would)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from discharges.models import EventKind

# The most errors listed (a file of a million bad rows would otherwise list a million lines);
# the count says how many there are.
MAX_LISTED = 1000

# Values kept without the message that carries them: R5 reports the message missing.
KEPT_WITHOUT_MESSAGE = {
    EventKind.PRELIMINARY_DATE_RECORDED: gettext_lazy(
        "preliminary ready dates without an admission notice"
    ),
    EventKind.READY_DATE_RECORDED: gettext_lazy("ready dates without a ready notice"),
    EventKind.SIP_HELD_RECORDED: gettext_lazy("SIP meetings without an invitation"),
}


def row_error(number: int, column: str, reason: str) -> str:
    """``row N, column X: reason`` (in the active language)."""
    return _("row %(n)s, column %(c)s: %(r)s") % {"n": number, "c": column, "r": reason}


class Unreadable(Exception):
    """The file cannot be read on from row ``number`` (the rest of it neither)."""

    def __init__(self, number: int, column: str, reason: str) -> None:
        super().__init__(reason)
        self.error = (number, column, reason)


class ImportFailed(Exception):
    """The file was refused: nothing was stored. ``errors`` lists the problems as
    ``row N, column X: reason`` in row order (at most MAX_LISTED), ``count`` how many there
    are in all."""

    def __init__(self, errors: list[str], count: int | None = None) -> None:
        self.errors = errors
        self.count = len(errors) if count is None else count
        super().__init__(f"{self.count} error(s)")


class Errors:
    """The errors of a file in row order, the first MAX_LISTED of them kept."""

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, found: list[tuple[int, str, str]]) -> None:
        """Errors found in one batch of rows (sorted here by row; stable within a row)."""
        for number, column, reason in sorted(found, key=lambda error: error[0]):
            self.count += 1
            if len(self.listed) < MAX_LISTED:
                self.listed.append(row_error(number, column, reason))

    def failure(self) -> ImportFailed:
        return ImportFailed(self.listed, self.count)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    patients: int = 0  # new patients
    kinds: Counter[str] = field(default_factory=Counter)  # events by kind
    organisations: list[str] = field(default_factory=list)  # created: "hospital / ward"
    dry_run: bool = False

    def summary(self) -> str:
        """One line: what the file stored (in a dry run: would store)."""
        text = _(
            "%(created)s new, %(updated)s updated, %(unchanged)s unchanged episodes; "
            "%(events)s events, %(patients)s new patients"
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "events": self.events,
            "patients": self.patients,
        }
        kept = [
            f"{self.kinds[kind]} {what}"
            for kind, what in KEPT_WITHOUT_MESSAGE.items()
            if self.kinds.get(kind)
        ]
        if kept:
            text += "; " + _("kept without their message (R5 reports it missing): %(kept)s") % {
                "kept": ", ".join(kept)
            }
        if self.organisations:
            text += "; " + ngettext(
                "new organisation: %(names)s", "new organisations: %(names)s",
                len(self.organisations),
            ) % {"names": ", ".join(self.organisations)}  # fmt: skip
        if self.dry_run:
            text = _("dry run, nothing stored; the file would give %(summary)s") % {"summary": text}
        return text
