"""A real HTTP receiver on 127.0.0.1 (http.server in a thread), Celery in eager mode, and a
helper that subscribes an organisation through the service (the admin calls the same)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from discharges.events import EventKind
from discharges.models import Organisation
from webhooks import services
from webhooks.models import Subscription


@dataclass
class Received:
    headers: Message  # names case-insensitive, as HTTP has them
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """What the receiver got, and the answers it gives: ``answers`` are used up in order
    (then 200); ``delay`` seconds are slept before answering."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with receiver.lock:
                receiver.received.append(Received(self.headers, body))
                status = receiver.answers.pop(0) if receiver.answers else 200
            if receiver.delay:
                time.sleep(receiver.delay)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the sender gave up waiting (a timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/svu-hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def eager(settings: Any) -> Iterator[None]:
    """Tasks run where they are sent (the embedded default), loopback http allowed."""
    from svu.celery import app

    settings.SVU_WEBHOOK_ALLOW_LOOPBACK_HTTP = True
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = saved


@pytest.fixture
def subscribe(eager: None) -> Callable[..., tuple[Subscription, str]]:
    def make(
        organisation: Organisation, url: str, kinds: list[str] | None = None
    ) -> tuple[Subscription, str]:
        return services.create_subscription(
            organisation=organisation, url=url, kinds=kinds or list(EventKind.values)
        )

    return make


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The receiver's own computation (as the README shows it), independent of the sender's."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()
