"""The shared cache is never needed: Redis down reads as a miss (svu/cache.py)."""

from __future__ import annotations

import socket

import pytest
from django.core.cache.backends.redis import RedisCache

from svu.cache import TolerantRedisCache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block ends


def test_an_unreachable_redis_is_a_miss_and_a_dropped_write() -> None:
    location = f"redis://127.0.0.1:{closed_port()}/0"
    options = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}
    cache = TolerantRedisCache(location, options)
    cache.set("figures", "x")  # dropped, no exception
    assert cache.get("figures", "fallback") == "fallback"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("a", 1) is False
    assert cache.delete("a") is False
    # Django's own backend raises: what the pages and the API's rate limit got before.
    with pytest.raises(Exception, match=r"(?i)connect"):
        RedisCache(location, options).get("figures")
