"""``Idempotency-Key`` on writes: a retry with the same key and body gets the first answer and
stores nothing twice; the same key with another body is 422.

A key belongs to its caller (the token, or the user of a session) and is kept for
``SVU_IDEMPOTENCY_HOURS``. Only successful answers are kept: a refused write changed nothing, so
its retry is simply tried again. The first answer and the write are stored in one transaction;
of two concurrent requests with one key, the second's write is rolled back (409).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import ApiError
from api.models import ApiToken, IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _owner(request: Request) -> str:
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    return f"user:{request.user.pk}"


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str, ensure_ascii=True)
    parts = [request.method or "", request.path, request.headers.get("If-Match", ""), body]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable() or not key.isascii():
        raise ApiError(
            400,
            "invalid",
            _("The request has invalid fields."),
            {
                HEADER: [
                    _("Give 1 to %(max)s printable ASCII characters.") % {"max": MAX_KEY_LENGTH}
                ]
            },
        )
    return key


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Makes a write view method honour ``Idempotency-Key``."""

    @wraps(method)
    def wrapper(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _key(request)
        if key is None:
            return method(view, request, *args, **kwargs)
        owner, fingerprint, now = _owner(request), _fingerprint(request), timezone.now()
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.filter(owner=owner, key=key, expires_at__lte=now).delete()
                record = (
                    IdempotencyRecord.objects.select_for_update()
                    .filter(owner=owner, key=key)
                    .first()
                )
                if record is not None:
                    return _replay(record, fingerprint)
                response = method(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        body=json.loads(JSONRenderer().render(response.data) or b"null"),
                        expires_at=now + timedelta(hours=settings.SVU_IDEMPOTENCY_HOURS),
                    )
                return response
        except IntegrityError as exc:  # a concurrent request with the same key came first
            raise ApiError(
                409,
                "idempotency_in_progress",
                _("A request with this Idempotency-Key is already being handled; retry it."),
            ) from exc

    return wrapper


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _("This Idempotency-Key was used for another request; use a new key."),
            {HEADER: [_("Used for another request.")]},
        )
    response = Response(record.body, status=record.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
