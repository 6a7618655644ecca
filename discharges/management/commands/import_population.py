"""python manage.py import_population FILE.csv: inhabitants aged 65+ per kommun and year."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from discharges.population import PopulationImportFailed, import_population


class Command(BaseCommand):
    help = (
        "Import inhabitants aged 65+ on 31 December per kommun and year from a CSV file "
        "(columns kommun, year, inhabitants_65plus; comma or semicolon separated; UTF-8)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        try:
            result = import_population(text)
        except PopulationImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"{len(exc.errors)} error(s); nothing was imported from {path.name}"
            ) from exc
        self.stdout.write(
            f"{path.name}: {result.created} new, {result.updated} updated, "
            f"{result.unchanged} unchanged figures"
        )
