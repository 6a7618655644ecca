"""Loggkontroll: every read of patient-level data appends rows to the access log.

Kept apart from the selectors, which only read: the edges (pages, API, exports, admin) call
``log_access`` with what they are about to show.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.utils import timezone

from discharges.bulk import insert_tuples
from discharges.models import AccessLogEntry, Episode
from discharges.selectors import acting_organisation_id


def log_access(
    user: User,
    episodes: Iterable[Episode],
    action: str,
    detail: str = "",
) -> None:
    """Append one access-log row per episode read (who, as which organisation, when).

    Written as plain rows (COPY on PostgreSQL): every list page logs up to 50 of them.
    """
    now = timezone.now()
    rows = [
        (now, user.pk, acting_organisation_id(user, ep), ep.pk, ep.patient_id, action, detail[:200])
        for ep in episodes
    ]
    insert_tuples(
        AccessLogEntry,
        ("at", "user_id", "organisation_id", "episode_id", "patient_id", "action", "detail"),
        rows,
    )


def log_reads(
    user: User,
    reads: Iterable[tuple[int | None, int | None]],
    action: str,
    detail: str = "",
) -> None:
    """Append one row per (episode id, patient id) read by someone who acts for no party of
    the episode (the admin, loggkontroll): the rows name no organisation. A patient read
    without an episode (a patient's own page) has episode id None."""
    now = timezone.now()
    rows = [
        (now, user.pk, None, episode_id, patient_id, action, detail[:200])
        for episode_id, patient_id in dict.fromkeys(reads)
        if episode_id is not None or patient_id is not None
    ]
    insert_tuples(
        AccessLogEntry,
        ("at", "user_id", "organisation_id", "episode_id", "patient_id", "action", "detail"),
        rows,
    )
