"""python manage.py import_episodes PATH.csv [--encoding E] [--dry-run]: historical episodes,
all or nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper
from django.utils.translation import gettext as _

from discharges.imports import ImportFailed, check_encoding, import_file

# Files with more rows than this get a progress bar.
PROGRESS_FROM_ROWS = 10_000


class Command(BaseCommand):
    help = (
        "Import historical episodes from a CSV file with a header row: separated by , or ; "
        "(recognised), UTF-8 with or without BOM or Windows-1252 (recognised, or --encoding). "
        "The whole file or nothing; every error as 'row N, column X: reason'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--encoding",
            help="the file's encoding (e.g. utf-8, windows-1252) instead of recognising it",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the whole file and report what would be stored; store nothing",
        )

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        encoding = options.get("encoding")
        if encoding:
            try:
                encoding = check_encoding(encoding)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        bar = ProgressBar(self.stderr)
        started = time.perf_counter()
        try:
            result = import_file(
                path, encoding=encoding, dry_run=options["dry_run"], progress=bar.update
            )
        except OSError as exc:
            problem = exc.strerror or str(exc)
            raise CommandError(
                _("cannot read %(path)s: %(problem)s") % {"path": path, "problem": problem}
            ) from exc
        except ImportFailed as exc:
            bar.clear()
            for error in exc.errors:
                self.stderr.write(error)
            message = _("%(count)s error(s); nothing was imported from %(name)s")
            if exc.count > len(exc.errors):
                message = _(
                    "%(count)s error(s), the first %(listed)s listed; nothing was imported from "
                    "%(name)s"
                )
            raise CommandError(
                message % {"count": exc.count, "listed": len(exc.errors), "name": path.name}
            ) from exc
        bar.clear()
        self.stdout.write(
            f"{path.name}: {result.summary()} ({time.perf_counter() - started:.1f} s)"
        )


class ProgressBar:
    """Rows read or written, their rate and the time left of the phase, on one line of the
    terminal (a line per tenth when the output is not a terminal). Shown only for files of
    more than PROGRESS_FROM_ROWS rows."""

    WIDTH = 30

    def __init__(self, out: OutputWrapper) -> None:
        self.out = out
        self.tty = out.isatty()
        self.phase = ""
        # A phase starts when the one before it was last heard from (the first: now).
        self.started = self.last = time.monotonic()
        self.tenth = -1
        self.shown = False

    def update(self, phase: str, rows: int, share: float) -> None:
        now = time.monotonic()
        if phase != self.phase:
            if self.phase:
                self.started = self.last
            self.phase, self.tenth = phase, -1
        self.last = now
        if not self.shown and (share <= 0 or rows / share <= PROGRESS_FROM_ROWS):
            return
        self.shown = True
        elapsed = max(now - self.started, 1e-6)
        left = elapsed * (1 - share) / share if share > 0 else 0.0
        filled = int(self.WIDTH * share)
        line = (
            f"{phase:<9} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {share:4.0%}  "
            f"{rows:>10,} rows  {rows / elapsed:>8,.0f} rows/s  {_clock(left)} left"
        )
        if self.tty:
            self.out.write(f"\r{line}", ending="")
        elif int(share * 10) > self.tenth:
            self.tenth = int(share * 10)
            self.out.write(line)
        self.out.flush()

    def clear(self) -> None:
        if self.shown and self.tty:
            self.out.write("")
            self.out.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"
