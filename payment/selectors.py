"""Reads of the payment pages: which report lines a user may see at patient level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from django.contrib.auth.models import User

from discharges.models import Kommun, OrganisationKind
from discharges.selectors import memberships_of, visible_with_details
from payment.reports import EpisodeLine


def is_kommun_member(user: User, kommun: Kommun) -> bool:
    return any(
        m.organisation_id == kommun.pk and m.organisation.kind == OrganisationKind.KOMMUN
        for m in memberships_of(user)
    )


def visible_lines(
    user: User, lines: Iterable[EpisodeLine], kommuner: Iterable[Kommun]
) -> list[EpisodeLine]:
    """The report's episode lines shown at patient level: only to the staff of the line's own
    kommun (of ``kommuner``, the ones in scope), and only episodes the user may see (their
    grants); the region's follow-up roles see the monthly rows, never the episodes.

    Consent hiding as on the episode pages: where the user may not see an episode's details
    (no consent recorded for it), its line comes without the care type (``care_type`` empty);
    the reference, dates, days and amount remain, which is what an invoice is checked by."""
    lines = list(lines)
    own = {k.code for k in kommuner if is_kommun_member(user, k)}
    candidates = [line for line in lines if line.kommun in own]
    if not candidates:
        return []
    visible = visible_with_details(user, [line.pk for line in candidates])
    return [
        line if visible[line.pk] else replace(line, care_type="")
        for line in candidates
        if line.pk in visible
    ]
