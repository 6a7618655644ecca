"""Which database engine the tests run on, and the mark of a test that needs PostgreSQL: it
is skipped elsewhere, except in CI (``CI`` set), where it runs and fails loudly if it cannot."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
IN_CI = bool(os.environ.get("CI"))


def postgresql_only(reason: str) -> pytest.MarkDecorator:
    """Skip the test outside PostgreSQL (``reason`` says why it needs it), never in CI."""
    return pytest.mark.skipif(not ON_POSTGRESQL and not IN_CI, reason=reason)
