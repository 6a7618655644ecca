"""Importing a file: a checking pass, then a writing pass, in one transaction.

1. Checking: the rows are read one at a time and checked in batches (``batches.Checker``):
   formats, duplicates, and every rule of the services, on the episodes as they would be.
   While no error is found, each batch's rows are kept on disk (``spool``). A refused file is
   refused here, before anything is written, with every error listed.
2. Writing: the kept rows are written batch by batch (COPY on PostgreSQL), without checking
   again.

Both passes run in one transaction that holds the row locks of the stored episodes the file
appends to: the file is stored whole or not at all. Memory is that of one batch, whatever the
file's size.
"""

from __future__ import annotations

import gc
import io
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO

from django.db import transaction

from discharges.bulk import Ids, insert_tuples
from discharges.imports.batches import BATCH_ROWS, PATIENT_FIELDS, Checker, Raw
from discharges.imports.reading import Source, open_source, rows
from discharges.imports.report import ImportResult, Unreadable
from discharges.imports.seen import Seen
from discharges.imports.spool import Spool
from discharges.models import Patient
from discharges.services.batch import write_rows

# (phase, rows done, share of the phase done 0..1); phases "checking" and "writing".
Progress = Callable[[str, int, float], None]
CHECKING, WRITING = "checking", "writing"
# At most this often (seconds) is progress reported.
PROGRESS_EVERY = 0.5


def import_file(
    file: IO[bytes] | Path | str,
    *,
    encoding: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a CSV file (a path or a binary file) whole or not at all. ``encoding`` None:
    recognised from the bytes. ``dry_run``: check everything and report what would be stored,
    storing nothing. Raises ImportFailed listing the errors (nothing is stored)."""
    with ExitStack() as stack:
        stack.enter_context(_fewer_collections())
        if isinstance(file, str | Path):
            file = stack.enter_context(Path(file).open("rb"))
        source = open_source(file, encoding=encoding)
        seen = Seen()
        stack.callback(seen.close)
        spool = Spool()
        stack.callback(spool.close)
        with transaction.atomic():
            checker = Checker(seen, None if dry_run else Ids())
            _check(source, checker, spool, _throttled(progress))
            if checker.errors:
                raise checker.errors.failure()  # leaving the block rolls everything back
            result = checker.result
            result.organisations = checker.context.created
            result.dry_run = dry_run
            if dry_run:
                transaction.set_rollback(True)  # the organisations the rows would create
            else:
                _write(spool, _throttled(progress))
    return result


# The cyclic garbage collector's thresholds while a file is imported (see _fewer_collections).
IMPORT_GC_THRESHOLD = (50_000, 20, 100)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a file is imported, as it was before
    afterwards. A batch allocates millions of objects that reference counting frees (a few
    hold cycles); collecting every 700 allocations, and the whole heap now and then, was a
    fifth of an import's time. Still collected: memory stays bounded."""
    before = gc.get_threshold()
    gc.set_threshold(*IMPORT_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def import_csv(text: str, **options: object) -> ImportResult:
    """Import CSV text (tests, demo data); see ``import_file``."""
    return import_file(io.BytesIO(text.encode("utf-8")), **options)  # type: ignore[arg-type]


def _check(source: Source, checker: Checker, spool: Spool, progress: Progress) -> None:
    batch: Raw = []

    def check() -> None:
        spooled = checker.check(batch)
        if spooled is not None:
            spool.add(spooled)
        progress(CHECKING, checker.result.rows, source.position() / max(source.size, 1))
        batch.clear()

    try:
        for number, cells in rows(source):
            batch.append((number, cells))
            if len(batch) == BATCH_ROWS:
                check()
    except Unreadable as unreadable:  # the rest of the file cannot be read
        check()
        checker.errors.add([unreadable.error])
        return
    check()


def _write(spool: Spool, progress: Progress) -> None:
    done = 0
    for spooled in spool:
        insert_tuples(Patient, PATIENT_FIELDS, spooled.patients)
        write_rows(spooled.batch)
        done += spooled.rows
        progress(WRITING, done, done / max(spool.rows, 1))


def _throttled(progress: Progress | None) -> Progress:
    """``progress`` at most every PROGRESS_EVERY seconds, and at the end of each phase."""
    last = [0.0]

    def report(phase: str, done: int, share: float) -> None:
        now = time.monotonic()
        if progress is not None and (now - last[0] >= PROGRESS_EVERY or share >= 1):
            last[0] = now
            progress(phase, done, min(share, 1.0))

    return report
