"""The access log's hash chain: what makes it tamper-evident (issue 13, point 3).

Every ``AccessLogEntry`` carries a sequence number, the previous row's hash and its own hash,
an HMAC-SHA256 over its content and the previous hash, keyed by ``SVU_ACCESS_LOG_KEY`` (kept
out of the database: someone who can write the table cannot recompute the chain after changing
a row). ``AccessLogHead`` holds the last link; appending locks it, so writers take turns and the
chain never forks. ``verify_access_log`` (``discharges.access_log.verify_chain``) walks the
chain: an altered row breaks its hash, a deleted one leaves a gap in the sequence, an inserted
one breaks the link of the next, and a truncated table falls short of the head and of the
anchors that earlier checks recorded (``AccessLogCheck``).

The database's own guard stays: triggers refuse UPDATE and DELETE (migration 0003). What a
database superuser can still do (disable the trigger, TRUNCATE) the chain makes visible.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from discharges.append_only import AppendOnlyModel

GENESIS = "0" * 64


def chain_key() -> bytes:
    """SVU_ACCESS_LOG_KEY, or one derived from SECRET_KEY when it is not set."""
    key: str = settings.SVU_ACCESS_LOG_KEY
    if key:
        return key.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"svu access log", hashlib.sha256).digest()


def row_hash(
    key: bytes,
    seq: int,
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    organisation_id: int | None,
    episode_id: int | None,
    patient_id: int | None,
    action: str,
    detail: str,
) -> str:
    """The hash of one row. Its form must never change: every stored row is checked by it."""
    content = [
        seq,
        prev_hash,
        at.astimezone(UTC).isoformat(timespec="microseconds"),
        user_id,
        organisation_id,
        episode_id,
        patient_id,
        action,
        detail,
    ]
    payload = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


class ChainedLogModel(AppendOnlyModel):
    """An append-only row in a hash chain; a new row is linked when saved (rows written in
    bulk are linked by ``discharges.access_log.append_rows``)."""

    seq = models.BigIntegerField(_("sequence number"), unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    chain_hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.seq is None:
            from discharges.access_log import append_entry  # the chain's writer, built on us

            append_entry(self, lambda: super(ChainedLogModel, self).save(*args, **kwargs))
            return
        super().save(*args, **kwargs)


class AccessLogHead(models.Model):
    """The chain's last link (one row): locked and moved on by every append."""

    seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, default=GENESIS)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("access log head")

    def __str__(self) -> str:
        return f"{self.seq} {self.chain_hash[:12]}"


class AccessLogCheck(AppendOnlyModel):
    """One run of the chain check (command or periodic task): its outcome, and where the
    chain ended, which later checks require to be still there (an anchor)."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ok = models.BooleanField(_("intact"))
    rows = models.BigIntegerField(_("rows checked"))
    seq = models.BigIntegerField(_("last sequence number"))
    chain_hash = models.CharField(_("last hash"), max_length=64)
    problem = models.TextField(_("problem"), blank=True)

    class Meta:
        verbose_name = _("access log check")
        verbose_name_plural = _("access log checks")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else self.problem[:60]}"
