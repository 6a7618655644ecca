"""REST API: one view per operation; views validate, call a service or selector, serialize."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from discharges.services import Refused


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Refusals from the services become 400/403/409 with the field named."""
    if isinstance(exc, Refused):
        body = {"detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
