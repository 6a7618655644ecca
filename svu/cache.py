"""The shared cache (Redis when REDIS_URL is set) as an optimisation, never a dependency.

What the cache holds here is either recomputable (the follow-up overview's figures) or a guard
that may fail open (the API's per-token rate limit). Pages and messages must work while Redis
is down (tests/integration/test_faults.py), so a Redis that cannot be reached reads as a miss and
a write to it is dropped, with a warning in the log, instead of an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
T = TypeVar("T")


def _tolerant(call: Callable[[], T], fallback: T, operation: str) -> T:
    try:
        return call()
    except UNREACHABLE as error:
        logger.warning("cache %s skipped: Redis unreachable (%s)", operation, type(error).__name__)
        return fallback


class TolerantRedisCache(RedisCache):
    """Django's Redis cache, except that Redis being down is a miss, not an exception."""

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return _tolerant(lambda: super(TolerantRedisCache, self).get(key, default, version),
                         default, "get")  # fmt: skip

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return _tolerant(lambda: super(TolerantRedisCache, self).get_many(keys, version),
                         {}, "get_many")  # fmt: skip

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        _tolerant(lambda: super(TolerantRedisCache, self).set(key, value, timeout, version),
                  None, "set")  # fmt: skip

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return _tolerant(lambda: super(TolerantRedisCache, self).add(key, value, timeout, version),
                         False, "add")  # fmt: skip

    def delete(self, key: Any, version: int | None = None) -> bool:
        return _tolerant(lambda: super(TolerantRedisCache, self).delete(key, version),
                         False, "delete")  # fmt: skip
