"""Answers kept in Django's cache, and a cache that stops answering treated as a miss.

With ``SWAPDEMO_CACHE_URL`` the cache is Redis, another server that can go away.  A page must not
fail because its cache did: :class:`AnswerCache` turns a failing ``get`` into a miss and a failing
``set`` into nothing, and logs one warning when an outage starts and one line when it ends, not
one per request.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.cache.backends.base import BaseCache

logger = logging.getLogger("apps.api_datasource")


class AnswerCache:
    """``cache`` (a Django cache), failing quietly: see the module docstring."""

    def __init__(self, cache: BaseCache) -> None:
        self.cache = cache
        self._down = False
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        try:
            value = self.cache.get(key)
        except Exception as exc:
            self._failed(exc)
            return None
        self._answered()
        return value

    def set(self, key: str, value: Any, timeout: float) -> None:
        try:
            self.cache.set(key, value, timeout=timeout)
        except Exception as exc:
            self._failed(exc)
        else:
            self._answered()

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            started, self._down = not self._down, True
        if started:
            logger.warning(
                "the cache is not answering (%s): pages are fetched without it", type(exc).__name__
            )

    def _answered(self) -> None:
        with self._lock:
            ended, self._down = self._down, False
        if ended:
            logger.warning("the cache answers again")
