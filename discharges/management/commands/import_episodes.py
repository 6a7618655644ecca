"""python manage.py import_episodes PATH.csv: historical episodes, all or nothing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from discharges.imports import ImportFailed, import_csv


class Command(BaseCommand):
    help = "Import historical episodes from a CSV file (UTF-8, comma-separated, header row)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        started = time.perf_counter()
        try:
            result = import_csv(text)
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} error(s); nothing was imported from {path.name}"
            ) from exc
        self.stdout.write(
            f"{path.name}: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged episodes; {result.events} events "
            f"({time.perf_counter() - started:.1f} s)"
        )
