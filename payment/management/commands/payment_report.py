"""python manage.py payment_report --agreement NAME --from YYYY-MM --to YYYY-MM [--detail]
[--format json|csv]: the invoice basis (fakturaunderlag) on stdout, for other programs."""

from __future__ import annotations

from typing import Any

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser

from payment.models import Agreement
from payment.reports import ReportError, build_report, episodes_csv, parse_month, rows_csv


class Command(BaseCommand):
    help = (
        "Print the payment liability report of an agreement for a range of months, in a "
        "machine-readable form for other programs: JSON, or CSV with English column names and "
        "values (care_type, state = liable/free/per_episode, prerequisites_missing = "
        "admission_notice ...), ',' between cells, '.' before decimals, UTF-8 without a "
        "byte-order mark. People open the liability page's downloads instead (Swedish "
        "headers and values, ';' and decimal comma as Swedish Excel reads them, or Excel)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreement", required=True, help="the agreement's name")
        parser.add_argument("--from", dest="first", required=True, metavar="YYYY-MM")
        parser.add_argument("--to", dest="last", required=True, metavar="YYYY-MM")
        parser.add_argument(
            "--detail", action="store_true", help="also list every episode discharged in the range"
        )
        parser.add_argument(
            "--format",
            choices=("json", "csv"),
            default="json",
            help="json (default), or csv: the machine form (English keys, ',' and '.'); with "
            "--detail the episodes follow the monthly rows after one empty line",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        agreement = Agreement.objects.filter(name=options["agreement"]).first()
        if agreement is None:
            raise CommandError(f"no agreement named {options['agreement']!r}")
        try:
            report = build_report(
                agreement,
                parse_month(options["first"]),
                parse_month(options["last"]),
                detail=options["detail"],
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            # orjson: the text json.dumps(indent=2, ensure_ascii=False) gives, ten times as fast
            # (a region's year is ~20 MB; tests/payment/test_reports.py compares the two).
            data = report.as_json(detail=options["detail"])
            self.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
            return
        self.stdout.write(rows_csv(report.rows), ending="")
        if options["detail"]:
            # A second table after one empty line: the episodes behind the rows.
            self.stdout.write("")
            self.stdout.write(episodes_csv(report.episodes), ending="")
