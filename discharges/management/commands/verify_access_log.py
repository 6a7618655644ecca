"""Check the access log's hash chain; exit non-zero naming the first altered, inserted or
missing row (docs/security.md, docs/operations.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from discharges.access_check import record_check, verify_chain


class Command(BaseCommand):
    help = "Check the access log's hash chain; exits 1 at the first broken row."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-record",
            action="store_true",
            help="do not store the outcome (e.g. on a restored copy being inspected)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if not options["no_record"]:
            record_check(report)
        if not report.ok:
            raise CommandError(f"access log broken: {report.problem}")
        self.stdout.write(
            f"access log intact: {report.rows} rows, last number {report.seq}, "
            f"last hash {report.chain_hash}"
        )
