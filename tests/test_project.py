"""The project's own shape: docker-compose.yml, settings from the environment, README, CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ImproperlyConfigured

from svu.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def test_it_has_a_compose_file_with_the_five_services() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn svu.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "svu", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "svu", "beat"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://redis:6379")
        assert "SECRET_KEY" in environment
        assert set(services[name]["depends_on"]) == {"postgres", "redis"}


def test_the_compose_file_follows_the_compose_specification() -> None:
    checker = shutil.which("check-jsonschema") or str(
        Path(sys.executable).parent / "check-jsonschema"
    )
    result = subprocess.run(  # noqa: S603 - a fixed command on a file of this repository
        [checker, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _settings_in_clean_environment(**extra: str) -> dict[str, object]:
    """Import the settings in a fresh interpreter with only ``extra`` set."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env.update(extra)
    env.setdefault("SVU_VAR_DIR", str(ROOT / "var"))
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'],"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'cache': s.CACHES['default']['BACKEND'],"
        "'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'debug': s.DEBUG,"
        "'hosts': s.ALLOWED_HOSTS}))"
    )
    env["DJANGO_SETTINGS_MODULE"] = "svu.settings"
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed snippet
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_no_environment_it_runs_on_the_embedded_default() -> None:
    settings = _settings_in_clean_environment()
    assert settings == {
        "engine": "django.db.backends.sqlite3",
        "eager": True,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "tz": "Europe/Stockholm",
        "lang": "sv",
        "debug": False,
        "hosts": ["127.0.0.1", "localhost"],
    }


def test_the_environment_selects_the_real_engines() -> None:
    settings = _settings_in_clean_environment(
        DATABASE_URL="postgres://svu@db.example:5432/svu",
        REDIS_URL="redis://cache.example:6379/0",
        ALLOWED_HOSTS="svu.example, svu2.example",
        TIME_ZONE="UTC",
        LANGUAGE_CODE="en",
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["eager"] is False
    assert settings["cache"] == "svu.cache.TolerantRedisCache"  # Django's, Redis down a miss
    assert settings["hosts"] == ["svu.example", "svu2.example"]
    assert (settings["tz"], settings["lang"]) == ("UTC", "en")


def test_a_bad_boolean_in_the_environment_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SVU_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SVU_TEST_FLAG"):
        env_bool("SVU_TEST_FLAG", False)
    monkeypatch.setenv("SVU_TEST_NUMBER", "seven")
    with pytest.raises(ImproperlyConfigured, match="SVU_TEST_NUMBER"):
        env_int("SVU_TEST_NUMBER", 7)
    monkeypatch.setenv("SVU_TEST_FLAG", "Yes")
    assert env_bool("SVU_TEST_FLAG", False) is True
    monkeypatch.setenv("SVU_TEST_LIST", "a, b,,c")
    assert env_list("SVU_TEST_LIST", []) == ["a", "b", "c"]


def test_the_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text().splitlines()[:8]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_ci_runs_make_test_on_postgresql_and_redis() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert 'DATABASE_URL="postgres://' in script
    assert 'REDIS_URL="redis://' in script
    assert os.access(ROOT / ".ci" / "run", os.X_OK)
