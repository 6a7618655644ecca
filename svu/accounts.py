"""Who may log in, and how often they may try (issue 13, point 1).

- ``PageLoginBackend``: Django's model backend, except that system accounts (a membership
  with the integration role) never authenticate with a password: they move data in through
  commands and, later, API tokens, not through the pages.
- ``LockoutHandler``: django-axes' database handler with two limits instead of one. A user
  name is locked after ``AXES_FAILURE_LIMIT`` failures; an address only after
  ``SVU_LOGIN_ADDRESS_LIMIT``, because a whole hospital may reach us through one address.
- ``OneLoginAtATimeMiddleware``: logins of one user name take turns, so that parallel guesses
  are counted one after the other; ``client_address``: the address behind trusted proxies.
- ``lockout_response``: the page a locked-out login gets (429, in the user's language).
- ``CommonWordPasswordValidator``: refuses a Swedish season, month or common word with digits
  and signs around it ("Sommar2026!"), which Django's English list does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from discharges.models import Membership, Role


def is_system_account(user: Any) -> bool:
    """Whether ``user`` is a system account (the integration role at any organisation)."""
    if user is None or user.pk is None:
        return False
    return Membership.objects.filter(user_id=user.pk, role=Role.INTEGRATION).exists()


class PageLoginBackend(ModelBackend):
    """The model backend, except that a system account's password opens nothing: the login
    form and the admin's login refuse it as a wrong password. (System accounts move data in
    through commands and, with issue 12, API tokens; neither goes through a password.)"""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        return None if is_system_account(user) else user


def _cooloff() -> timedelta:
    cooloff = settings.AXES_COOLOFF_TIME
    return cooloff if isinstance(cooloff, timedelta) else timedelta(hours=float(cooloff or 0))


def _failures(**where: Any) -> int:
    since = timezone.now() - _cooloff()
    total = AccessAttempt.objects.filter(attempt_time__gte=since, **where).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


class LockoutHandler(AxesDatabaseHandler):
    """Locks a user name after AXES_FAILURE_LIMIT failures and an address after
    SVU_LOGIN_ADDRESS_LIMIT failures, each within the cool-off time.

    axes counts one limit; an address over its own limit is reported as a user at the limit.
    A successful login clears its user name's failures only (AXES_LOCKOUT_PARAMETERS), so a
    guesser cannot clear an address's count by logging in to an account of their own.
    """

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        failures = _failures(username=username) if username else 0
        address = getattr(request, "axes_ip_address", None)
        if address and _failures(ip_address=address) >= settings.SVU_LOGIN_ADDRESS_LIMIT:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures


class OneLoginAtATimeMiddleware:
    """Logins with one user name take turns: a POST to a login page runs in a transaction that
    holds a lock on its user name (PostgreSQL advisory lock; SQLite's writers take turns
    anyway), so a failure is counted before the next guess is checked. Without it, parallel
    guesses all passed the lockout check before any failure was stored. Place right before
    axes' middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path_info not in settings.SVU_LOGIN_PATHS:
            return self.get_response(request)
        username = str(request.POST.get("username", ""))[:150].lower()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"login:{username}"]
                    )
            return self.get_response(request)


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """Too many failed logins: 429 with the cool-off time, the same for every user name (it
    does not tell whether the account exists)."""
    minutes = int(_cooloff().total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind SVU_TRUSTED_PROXIES proxies the entry of
    X-Forwarded-For that the outermost trusted proxy added (earlier entries are the client's
    word and can be forged)."""
    proxies = settings.SVU_TRUSTED_PROXIES
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


# Words a Swedish user reaches for first; compared after stripping digits and signs.
_SEASONS_MONTHS_DAYS = (
    "sommar sommaren vinter vintern var varen host hosten januari februari mars april maj juni "
    "juli augusti september oktober november december mandag tisdag onsdag torsdag fredag "
    "lordag sondag"
)
_GREETINGS_AND_TRADE = (
    "losenord losen password passord valkommen hejsan hej svu region kommun sjukhus vard "
    "varden halsocentral avdelning sjukskoterska lakare admin administrator utskrivning "
    "samverkan qwerty asdfgh abc"
)
COMMON_WORDS = frozenset(f"{_SEASONS_MONTHS_DAYS} {_GREETINGS_AND_TRADE}".split())
_FOLD = str.maketrans("åäöéü", "aaoeu")


def _base_word(password: str) -> str:
    return re.sub(r"[^a-z]", "", password.lower().translate(_FOLD))


class CommonWordPasswordValidator:
    """Refuses a password that is a common Swedish word (a season, a month, a weekday,
    "lösenord", the name of the system) with digits or signs added."""

    def validate(self, password: str, user: Any = None) -> None:
        base = _base_word(password)
        if base in COMMON_WORDS:
            raise ValidationError(
                _("This password is a common word with digits or signs added."),
                code="password_common_word",
            )

    def get_help_text(self) -> str:
        return _("Your password can't be a common word with digits or signs added.")
