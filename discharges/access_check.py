"""Checking the access log's hash chain (``python manage.py verify_access_log``, the nightly
task ``discharges.verify_access_log``, the admin's alert). See ``discharges.access_chain``."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.access_chain import GENESIS, AccessLogCheck, AccessLogHead, chain_key, row_hash
from discharges.access_log import ROW_FIELDS
from discharges.models import AccessLogEntry

logger = logging.getLogger("svu.access_log")


@dataclass(frozen=True)
class ChainReport:
    """The outcome of a check: ``problem`` names the first broken row, empty when intact."""

    rows: int
    seq: int
    chain_hash: str
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


class _Walk:
    """The chain walked row by row in sequence order; stops at the first break."""

    def __init__(self, anchor: AccessLogCheck | None) -> None:
        self.key = chain_key()
        self.anchor = anchor
        self.anchor_seen = anchor is None
        self.rows = 0
        self.prev = GENESIS

    def step(self, pk: int, seq: int, prev_hash: str, digest: str, content: tuple) -> str:
        expected = self.rows + 1
        if seq != expected:
            return f"rows number {expected} to {seq - 1} are missing (before row id {pk})"
        if prev_hash != self.prev:
            return f"row id {pk} (number {seq}) does not follow the row before it: inserted?"
        if row_hash(self.key, seq, prev_hash, *content) != digest:
            return f"row id {pk} (number {seq}) was altered"
        if self.anchor is not None and seq == self.anchor.seq:
            if digest != self.anchor.chain_hash:
                return f"row id {pk} (number {seq}) differs from the one checked {self.anchor.at}"
            self.anchor_seen = True
        self.rows, self.prev = expected, digest
        return ""

    def end(self) -> str:
        head = AccessLogHead.objects.filter(pk=1).first()
        head_seq = head.seq if head is not None else 0
        if head_seq > self.rows:
            return (
                f"rows number {self.rows + 1} to {head_seq} are missing at the end: the log "
                f"holds {self.rows} rows, its head says {head_seq} (truncated?)"
            )
        if head_seq < self.rows:
            return f"rows after number {head_seq} were written around the application"
        if head is not None and self.rows and head.chain_hash != self.prev:
            return f"the last row (number {self.rows}) is not the one the head recorded"
        if not self.anchor_seen and self.anchor is not None:
            return (
                f"the log ends at number {self.rows}, before number {self.anchor.seq} that "
                f"was checked {self.anchor.at}: rows are missing (truncated?)"
            )
        return ""


def verify_chain() -> ChainReport:
    """Walk the whole access log in sequence order (streamed, 5,000 rows at a time) and report
    the first row that is altered, inserted or missing, or a log shorter than its head or than
    the last intact check."""
    anchor = AccessLogCheck.objects.filter(ok=True, seq__gt=0).order_by("-seq").first()
    walk = _Walk(anchor)
    rows = AccessLogEntry.objects.order_by("seq").values_list(
        "id", "seq", "prev_hash", "chain_hash", *ROW_FIELDS
    )
    for pk, seq, prev_hash, digest, *content in rows.iterator(chunk_size=5000):
        problem = walk.step(pk, seq, prev_hash, digest, tuple(content))
        if problem:
            return ChainReport(walk.rows, walk.rows, walk.prev, problem)
    return ChainReport(walk.rows, walk.rows, walk.prev, walk.end())


def record_check(report: ChainReport) -> AccessLogCheck:
    """Store the outcome (an intact one becomes the anchor of later checks) and log it: the
    log line carries the last number and hash, a copy of the anchor outside the database."""
    check = AccessLogCheck.objects.create(
        ok=report.ok,
        rows=report.rows,
        seq=report.seq,
        chain_hash=report.chain_hash,
        problem=report.problem,
    )
    if report.ok:
        logger.info("access log intact: %s rows, last hash %s", report.seq, report.chain_hash)
    else:
        logger.error("access log broken: %s", report.problem)
    return check


def alert() -> str:
    """The admin's alert when the latest check found the log broken, else an empty string."""
    latest = AccessLogCheck.objects.order_by("-at", "-id").first()
    if latest is None or latest.ok:
        return ""
    return _("The access log check of %(at)s found the log changed: %(problem)s") % {
        "at": f"{timezone.localtime(latest.at):%Y-%m-%d %H:%M}",
        "problem": latest.problem,
    }
