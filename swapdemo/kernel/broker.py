"""The broker a process uses: Redis when ``SWAPDEMO_REDIS_URL`` is set, else one in memory per process.

Publishers (the proposals form) and the real-time server both ask :func:`broker_for`, so in one
process they share the in-memory broker, and across processes they share the Redis Stream.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from swapdemo.kernel.events import Broker, MemoryBroker

if TYPE_CHECKING:
    from swapdemo.kernel.config import Config

_process_broker: MemoryBroker | None = None
_lock = threading.Lock()


def broker_for(config: Config) -> Broker:
    """Redis when ``config.redis_url`` is set; else this process's in-memory broker."""
    global _process_broker
    if config.redis_url:
        from swapdemo.kernel.redis_events import RedisBroker

        return RedisBroker(config.redis_url)
    with _lock:
        if _process_broker is None:
            _process_broker = MemoryBroker()
        return _process_broker
