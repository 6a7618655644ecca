"""Response headers for patient data (issue 13, point 2).

Every response the app itself writes (pages, the API, CSV/XLSX/PDF downloads, the admin, the
login page) tells browsers and proxies never to store it: a shared computer's browser cache or
a proxy's disk must not keep patient data. Static files are served by WhiteNoise above this
middleware and keep their long-lived caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Cache-Control: no-store (with max-age=0, no-cache, must-revalidate, private)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
