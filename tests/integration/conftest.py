"""The integration tests run one after the other on one pytest-xdist worker (``make test``
runs ``pytest -n``): they start Celery workers, redis-servers and threads racing on row locks,
and wait on them with timeouts; beside them the other worker runs the quick tests."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # A session-wide hook: touch only the items of this directory.
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.xdist_group("integration"))
