"""``python manage.py seed_demo``: load the Region Västerbotten demo data once, print the logins."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import seed as demo


class Command(BaseCommand):
    help = (
        "Load demo data for Region Västerbotten (organisations, one user per role, about 18 "
        "months of episodes) unless it is already loaded, and print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="Random seed (deterministic data)."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=demo.DEFAULT_MONTHS,
            help="How many months of history back from today.",
        )
        parser.add_argument(
            "--per-month",
            type=int,
            default=demo.DEFAULT_PER_MONTH,
            help="Admissions per month across the region (the first run's time grows with it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["months"] < 1 or options["per_month"] < 0:
            raise CommandError("--months must be at least 1 and --per-month not negative.")
        result = demo.seed(
            seed=options["seed"], months=options["months"], per_month=options["per_month"]
        )
        if result.created:
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {result.seconds:.1f} s."))
        else:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        self.print_summary(demo.summary())
        self.print_logins(demo.demo_logins())
        self.stdout.write("")
        self.stdout.write(
            "API tokens for the system accounts (one per ward, health centre and kommun): "
            "python manage.py demo_api_tokens"
        )

    def print_summary(self, summary: demo.Summary) -> None:
        statuses = ", ".join(f"{label}: {n}" for label, n in summary.by_status.items() if n)
        self.stdout.write(
            f"Patients: {summary.patients}  Episodes: {summary.episodes} ({statuses})  "
            f"Events: {summary.events}  Receipts: {summary.receipts}  "
            f"Consent records: {summary.consents}"
        )
        if summary.analyses:
            self.stdout.write(
                f"Analyses of delayed discharge: {summary.analyses} ({summary.open_analyses} open)"
            )
        if summary.months_over:
            self.stdout.write("Months with an average above 3.0 ready days:")
            for kommun, months in summary.months_over.items():
                self.stdout.write(f"  {kommun}: {', '.join(months)}")

    def print_logins(self, logins: list[demo.Login]) -> None:
        rows = [("username", "name", "role", "organisation", "password")] + [
            (login.username, login.name, login.role, login.organisation, login.password or "-")
            for login in logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        self.stdout.write("")
        self.stdout.write("Demo logins:")
        for index, row in enumerate(rows):
            self.stdout.write(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
