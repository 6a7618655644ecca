"""python manage.py load_agreement PATH: upsert an agreement (överenskommelse) by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from payment.loader import AgreementInvalid, load_agreement


class Command(BaseCommand):
    help = "Load an agreement from a TOML file (upsert by name)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, path: Path, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            agreement, created = load_agreement(path)
        except AgreementInvalid as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{path.name} refused; nothing was stored") from exc
        verb = "created" if created else "updated"
        self.stdout.write(f"agreement {agreement.name} {verb}: {agreement.title}")
