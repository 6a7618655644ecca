"""The per-token rate limit (429): DRF's throttling on the default cache (Redis when
REDIS_URL is set, so every web process counts together). ``SVU_API_RATE``, e.g. "600/minute"."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str | None:
        # Read on each request, not once at import, so a deployment (or a test) can change it.
        return str(settings.SVU_API_RATE) or None

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            # The hash too: a row id may come back (a restored database, a test's rollback).
            ident = f"token-{request.auth.pk}-{request.auth.key_hash[:16]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None  # refused as unauthenticated anyway
        return self.cache_format % {"scope": self.scope, "ident": ident}
