"""``python manage.py demo_api_tokens [--days N]``: a fresh API token for each of the demo's
system accounts (one per ward, hälsocentral and kommun), printed once; earlier ones revoked."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import api_accounts
from demo.organisations import demo_data_exists


class Command(BaseCommand):
    help = "Issue and print an API token for every demo system account (earlier ones revoked)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        if not demo_data_exists():
            raise CommandError("No demo data: run python manage.py seed_demo first.")
        for row in api_accounts.issue_tokens(days=options["days"]):
            self.stdout.write(f"{row.username}\t{row.organisation}\t{row.token}")
