"""Production settings (issue 13, point 2): ``check --deploy`` warned W004 (HSTS), W008 (SSL
redirect), W012 and W016 (cookies not Secure), docker-compose set no secure-cookie setting, and
gunicorn answered with ``Server: gunicorn``.

Both tests run the app as docker-compose.yml configures it: its environment, read from the
file, with only the secret and the paths of this machine filled in.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _substitute(value: str, given: dict[str, str]) -> str:
    """docker compose's ${NAME:-default} and ${NAME:?message}."""

    def one(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3) or ""
        if name in given:
            return given[name]
        if op == ":?":
            raise AssertionError(f"docker-compose.yml needs {name}: {rest}")
        return rest

    return re.sub(r"\$\{(\w+)(:[-?])?([^}]*)\}", one, value)


def compose_environment(tmp_path: Path) -> dict[str, str]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    app_env = compose["x-app"]["environment"]
    given = {"SECRET_KEY": secrets.token_urlsafe(60), "SVU_ACCESS_LOG_KEY": secrets.token_hex(32)}
    env = {key: _substitute(str(value), given) for key, value in app_env.items()}
    env["SVU_VAR_DIR"] = str(tmp_path)  # /var/lib/svu inside the image
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SVU_", "SECURE_"))}
    base.pop("DEBUG", None)
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests, never in production
    return {**base, **env, "DJANGO_SETTINGS_MODULE": "svu.settings"}


def test_compose_sets_the_production_switches(tmp_path: Path) -> None:
    env = compose_environment(tmp_path)
    assert env["DEBUG"] == "false"
    assert env["SVU_HTTPS"] == "true"


def test_check_deploy_with_the_compose_environment_is_clean(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=compose_environment(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def production_gunicorn(tmp_path: Path) -> Iterator[str]:
    """gunicorn with svu/gunicorn_conf.py and the compose environment (SQLite in tmp_path:
    the pages asked need no table)."""
    env = compose_environment(tmp_path)
    env.pop("DATABASE_URL")
    env.pop("REDIS_URL")
    env["ALLOWED_HOSTS"] = "127.0.0.1"
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "--config", "svu/gunicorn_conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "svu.wsgi:application"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _get(url: str, **headers: str) -> Any:
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310  (http to localhost)
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as error:
        return error


def test_gunicorn_serves_the_production_headers_without_a_banner(production_gunicorn: str) -> None:
    response = _get(f"{production_gunicorn}/login/", **{"X-Forwarded-Proto": "https"})
    assert response.status == 200
    headers = response.headers
    assert headers.get("Server") is None
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "no-store" in headers["Cache-Control"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    cookies = headers.get_all("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)


def test_gunicorn_redirects_plain_http_to_https(production_gunicorn: str) -> None:
    response = _get(f"{production_gunicorn}/login/")
    assert response.status == 301
    assert re.fullmatch(r"https://127\.0\.0\.1(:[0-9]+)?/login/", response.headers["Location"])
    assert response.headers.get("Server") is None


def test_a_gunicorn_worker_freezes_what_the_application_loaded() -> None:
    """svu/gunicorn_conf.py's ``post_worker_init``: the application's objects are moved out of
    the collector's sight once loaded (a full collection paused requests; issue 15)."""
    import gc

    from svu import gunicorn_conf

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        gunicorn_conf.post_worker_init(None)
        assert gc.get_freeze_count() > 10_000  # Django, the apps, their URL patterns
    finally:
        gc.unfreeze()
