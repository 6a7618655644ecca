"""Creating, finding and revoking API tokens: the one place that handles token secrets."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken

PREFIX = "svu_"
DEFAULT_DAYS = 365
MAX_DAYS = 3 * 365
# How often last_used_at is written at most (not one write per request).
TOUCH_EVERY = timedelta(minutes=1)


class TokenError(Exception):
    """A token cannot be created or revoked as asked; the message says why (in Swedish)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, days: int = DEFAULT_DAYS, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user`` valid ``days`` days; returns the row and the token (shown once)."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token is valid 1 to %(max)s days.") % {"max": MAX_DAYS})
    if not user.is_active:
        raise TokenError(_("The user account is not active."))
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[:12],
        key_hash=hash_token(secret),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, secret


def find_token(secret: str) -> ApiToken | None:
    """The token for ``secret``, whether or not it is still valid."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=hash_token(secret)).first()


def touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def revoke(tokens: QuerySet[ApiToken]) -> int:
    """Revokes the tokens not yet revoked; returns how many."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
