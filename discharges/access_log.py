"""Loggkontroll: every read of patient-level data appends rows to the access log.

Kept apart from the selectors, which only read: the edges (pages, API, exports, admin) call
``log_access`` with what they are about to show. Every row joins the hash chain
(``discharges.access_chain``) here: ``append_rows`` for rows written in bulk, ``append_entry``
for a row saved through the ORM; ``verify_chain`` checks the whole log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from discharges.access_chain import AccessLogHead, chain_key, row_hash
from discharges.bulk import insert_tuples
from discharges.models import AccessLogEntry, Episode
from discharges.selectors import acting_organisation_id, id_list, organisation_ids

# A row's content, in the order it is hashed: at, user, organisation, episode, patient, action,
# detail (ids or None).
ROW_FIELDS = ("at", "user_id", "organisation_id", "episode_id", "patient_id", "action", "detail")
Row = tuple[datetime, int | None, int | None, int | None, int | None, str, str]


def _locked_head() -> AccessLogHead:
    """The chain's head, locked until the transaction ends (writers take turns here)."""
    head = AccessLogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:  # a new database: the first writer creates it
        head, _created = AccessLogHead.objects.select_for_update().get_or_create(pk=1)
    return head


def append_rows(rows: Iterable[Row]) -> None:
    """Append rows to the access log, linked into the chain, in one transaction that holds the
    head's row lock (keep it short: every writer of the log waits for it)."""
    rows = [(at, u, o, e, p, action, detail[:200]) for at, u, o, e, p, action, detail in rows]
    if not rows:
        return
    key = chain_key()
    with transaction.atomic():
        head = _locked_head()
        seq, prev = head.seq, head.chain_hash
        linked = []
        for row in rows:
            seq += 1
            digest = row_hash(key, seq, prev, *row)
            linked.append((*row, seq, prev, digest))
            prev = digest
        insert_tuples(AccessLogEntry, (*ROW_FIELDS, "seq", "prev_hash", "chain_hash"), linked)
        head.seq, head.chain_hash = seq, prev
        head.save(update_fields=["seq", "chain_hash", "updated_at"])


def append_entry(entry: Any, save: Callable[[], None]) -> None:
    """Link ``entry`` (an unsaved AccessLogEntry) into the chain and ``save`` it, under the
    head's lock (``ChainedLogModel.save``)."""
    with transaction.atomic():
        head = _locked_head()
        entry.detail = (entry.detail or "")[:200]
        entry.seq = head.seq + 1
        entry.prev_hash = head.chain_hash
        row = tuple(getattr(entry, name) for name in ROW_FIELDS)
        entry.chain_hash = row_hash(chain_key(), entry.seq, entry.prev_hash, *row)
        save()
        head.seq, head.chain_hash = entry.seq, entry.chain_hash
        head.save(update_fields=["seq", "chain_hash", "updated_at"])


def log_access(
    user: User,
    episodes: Iterable[Any],
    action: str,
    detail: str = "",
) -> None:
    """Append one access-log row per episode read (who, as which organisation, when).

    Written as plain rows (COPY on PostgreSQL): every list page logs up to 50 of them.
    """
    now, mine = timezone.now(), organisation_ids(user)
    append_rows(
        (now, user.pk, acting_organisation_id(user, ep, mine), ep.pk, ep.patient_id, action, detail)
        for ep in episodes
    )


# What a row of the log needs of an episode: its patient and its parties.
LOGGED_FIELDS = ("pk", "patient_id", "ward_id", "kommun_id", "health_centre_id")


def log_access_by_id(user: User, episode_ids: Iterable[int], action: str, detail: str = "") -> None:
    """``log_access`` for episodes known by id, reading only the columns a row needs: a
    download logs tens of thousands (a large kommun's year of invoice lines), for which loading
    the episodes themselves took seconds (issue 15)."""
    ids = list(episode_ids)
    if ids:
        log_access(
            user,
            Episode.objects.filter(pk__in=id_list(ids)).values_list(*LOGGED_FIELDS, named=True),
            action,
            detail,
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
    append_rows(
        (now, user.pk, None, episode_id, patient_id, action, detail)
        for episode_id, patient_id in dict.fromkeys(reads)
        if episode_id is not None or patient_id is not None
    )
