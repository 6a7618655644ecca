"""One shape for every error of the API: ``{"error": code, "detail": text, "fields": {...}}``.

``detail`` is Swedish (the API's language, as the pages'); ``fields`` names each bad field with
its messages (empty when the error is not about a field). A stale write (409) adds the
episode's ``current_version``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from discharges import services


class ApiError(exceptions.APIException):
    """An error of the API's own with a code, a text and, optionally, fields and extras."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        fields: dict[str, list[str]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status_code = status
        self.code = code
        self.text = detail
        self.fields = fields or {}
        self.extra = extra


def body(
    code: str, detail: str, fields: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    return {"error": code, "detail": detail, "fields": fields or {}, **extra}


def invalid(fields: dict[str, list[str]]) -> ApiError:
    return ApiError(400, "invalid", _("The request has invalid fields."), fields)


def _flatten(detail: Any) -> dict[str, list[str]]:
    """DRF's validation detail as {field: [messages]}; nested fields joined by dots."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "non_field_errors" if key in ("detail", "__all__") else str(key)
            for sub, messages in _flatten(value).items():
                out[f"{name}.{sub}" if sub else name] = messages
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return {"": [str(item) for item in detail]}
        out = {}
        for index, item in enumerate(detail):
            for sub, messages in _flatten(item).items():
                out[f"{index}.{sub}" if sub else str(index)] = messages
        return out
    return {"": [str(detail)]}


def _refused(exc: services.Refused, context: dict[str, Any]) -> Response:
    fields = {exc.field: [exc.message]} if exc.field else {}
    if isinstance(exc, services.Stale):
        episode = context.get("episode")
        version = episode.version if episode is not None else None
        return Response(
            body("stale", exc.message, {"version": [exc.message]}, current_version=version),
            status=409,
        )
    if isinstance(exc, services.NotPermitted):
        return Response(body("forbidden", exc.message, fields), status=403)
    return Response(body("refused", exc.message, fields), status=400)


# DRF's exceptions -> the API's code and Swedish text.
_SIMPLE: list[tuple[type[Exception], int, str, Any]] = [
    (
        exceptions.NotAuthenticated,
        401,
        "not_authenticated",
        lambda: _("Authentication is required: send Authorization: Bearer TOKEN."),
    ),
    (exceptions.AuthenticationFailed, 401, "not_authenticated", None),
    (exceptions.PermissionDenied, 403, "forbidden", lambda: _("You may not do this.")),
    (exceptions.NotFound, 404, "not_found", lambda: _("Not found.")),
    (
        exceptions.MethodNotAllowed,
        405,
        "method_not_allowed",
        lambda: _("The method is not allowed here."),
    ),
    (exceptions.NotAcceptable, 406, "not_acceptable", lambda: _("The API answers in JSON only.")),
    (
        exceptions.UnsupportedMediaType,
        415,
        "unsupported_media_type",
        lambda: _("Send the body as JSON (Content-Type: application/json)."),
    ),
    (exceptions.ParseError, 400, "invalid", lambda: _("The body is not valid JSON.")),
]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error of the API in the one shape; nothing that is not an error passes through."""
    set_rollback()
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    view = context.get("view")
    if view is not None:
        context = {**context, "episode": getattr(view, "episode", None)}
    if isinstance(exc, services.Refused):
        return _refused(exc, context)
    if isinstance(exc, ApiError):
        return Response(body(exc.code, exc.text, exc.fields, **exc.extra), status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            body("invalid", _("The request has invalid fields."), _flatten(exc.detail)), status=400
        )
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        response = Response(
            body(
                "rate_limited",
                _("Too many requests; try again in %(seconds)s seconds.") % {"seconds": wait},
                retry_after=wait,
            ),
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    for kind, status, code, text in _SIMPLE:
        if isinstance(exc, kind):
            detail = text() if text else str(getattr(exc, "detail", ""))
            response = Response(body(code, detail), status=status)
            if status == 401 and getattr(exc, "auth_header", None):
                response["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
            return response
    if isinstance(exc, exceptions.APIException):
        return Response(body("error", str(exc.detail)), status=exc.status_code)
    return None
