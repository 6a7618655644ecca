"""python manage.py export_vantetider --region 24 --from 2026-01 --to 2026-06 [--output FILE]:
the national figures per kommun and month (``analysis.vantetider``) as CSV, to the file or
standard output. Bad input is a one-line error naming the option, without a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analysis.vantetider import (
    BadExport,
    find_region,
    parse_period,
    plain_csv,
    vantetider_rows,
)


class Command(BaseCommand):
    help = (
        "Write the Väntetider i vården figures of a region's kommuner per month as CSV: "
        "kommun, month, episodes, average_ready_days, beds_occupied."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", required=True, help="county code, e.g. 24")
        parser.add_argument("--from", dest="first", required=True, help="first month, YYYY-MM")
        parser.add_argument("--to", dest="last", required=True, help="last month, YYYY-MM")
        parser.add_argument("--output", help="write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            first, last = parse_period(options["first"], options["last"])
            region = find_region(options["region"])
        except BadExport as exc:
            raise CommandError(str(exc)) from None
        text = plain_csv(vantetider_rows(region, first, last))
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"--output: {exc.strerror}") from None
        else:
            self.stdout.write(text, ending="")
