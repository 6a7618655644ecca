"""Compare R2's figures kept per kommun-month (``discharges.month_figures``) with the episodes;
``--rebuild`` recomputes them (after a data-only restore or SQL run past the triggers)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from discharges import month_figures

SHOWN = 20  # differences listed at most


class Command(BaseCommand):
    help = "Check the stored month figures (R2) against the episodes; exits 1 if they differ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="recompute the table from the episodes"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            rows = month_figures.rebuild()
            self.stdout.write(f"month figures rebuilt: {rows} kommun-months")
            return
        differences = month_figures.check()
        if differences:
            for line in differences[:SHOWN]:
                self.stderr.write(line)
            raise CommandError(
                f"{len(differences)} kommun-month(s) differ from the episodes; "
                "run month_figures --rebuild"
            )
        self.stdout.write(
            f"month figures agree with the episodes: {len(month_figures.stored())} kommun-months"
        )
