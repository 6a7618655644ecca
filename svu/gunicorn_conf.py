"""gunicorn's settings: docker-compose.yml and the Dockerfile start it with ``--config`` this file.

A personnummer never appears in a log line (DOMAIN.md, "Privacy"), and a GET's query string may
hold one (a number typed into a search field, an old bookmark). So the access log writes the
path without the query string (``%(U)s``, not the request line ``%(r)s``) and no referrer
(``%(f)s``: the previous page's URL, query string included); the error log, which quotes the
request URI when a request fails, is redacted as Django's log is. Responses carry no
``Server`` header.
"""

from __future__ import annotations

import gc
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]
from gunicorn.http import wsgi  # type: ignore[import-untyped]

from discharges.logging import RedactPersonnummerFilter

# No server banner: gunicorn writes "Server: gunicorn" on every response, telling a prober which
# server and so which of its flaws to try. The line is dropped before the response is sent.
_default_headers = wsgi.Response.default_headers


def _headers_without_server(self: Any) -> list[str]:
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server

accesslog = "-"
# Client, time, "METHOD /path HTTP/1.1", status, bytes, duration in ms, user agent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
logger_class = "svu.gunicorn_conf.RedactingLogger"


class RedactingLogger(Logger):
    """gunicorn's logger with personnummer-shaped text redacted from every line."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(RedactPersonnummerFilter())


def post_worker_init(worker: Any) -> None:
    """Once a worker has loaded the application (and its URL patterns), move every object it
    holds out of the garbage collector's sight (``gc.freeze``): they live as long as the worker,
    and a full collection scanning them all again paused a request for 100 to 170 ms at a whole
    country's size (issue 15: the Stockholm planner's Att göra, 674 -> 444 ms)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module now, not at a request)
    gc.collect()
    gc.freeze()
