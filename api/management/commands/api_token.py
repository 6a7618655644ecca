"""python manage.py api_token create --user USERNAME [--days N] [--name TEXT]
                           api_token revoke (--id ID | --user USERNAME)
                           api_token list [--user USERNAME]

``create`` prints the token alone on its own line (it is not stored, only its hash)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from api import tokens
from api.models import ApiToken


class Command(BaseCommand):
    help = "Create, revoke and list the API tokens of user accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new token; printed once, on its own line.")
        create.add_argument("--user", required=True)
        create.add_argument("--days", type=int, default=tokens.DEFAULT_DAYS)
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="Revoke one token (--id) or all of a user's.")
        revoke.add_argument("--id", type=int)
        revoke.add_argument("--user")
        listing = sub.add_parser("list", help="The tokens (never the tokens themselves).")
        listing.add_argument("--user")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        try:
            _token, secret = tokens.create_token(
                self._user(options["user"]), days=options["days"], name=options["name"]
            )
        except tokens.TokenError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        if options["id"] is not None:
            queryset = ApiToken.objects.filter(pk=options["id"])
            if not queryset.exists():
                raise CommandError(f"No token {options['id']}.")
        elif options["user"]:
            queryset = ApiToken.objects.filter(user=self._user(options["user"]))
        else:
            raise CommandError("Give --id or --user.")
        self.stdout.write(f"{tokens.revoke(queryset)} revoked")

    def _list(self, options: dict[str, Any]) -> None:
        queryset = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["user"]:
            queryset = queryset.filter(user=self._user(options["user"]))
        now = timezone.now()
        for t in queryset:
            state = "revoked" if t.revoked_at else "expired" if t.expires_at <= now else "valid"
            used = f"{timezone.localtime(t.last_used_at):%Y-%m-%d %H:%M}" if t.last_used_at else "-"
            self.stdout.write(
                f"{t.pk}\t{t.user.username}\t{t.prefix}…\t{state}\t"
                f"expires {timezone.localtime(t.expires_at):%Y-%m-%d}\tlast used {used}\t{t.name}"
            )
