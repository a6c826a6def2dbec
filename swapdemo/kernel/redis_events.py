"""The broker on a Redis Stream: every worker and host appends, every real-time server reads.

``XADD swapdemo:live:events MAXLEN 1000`` keeps the history; a stream id (``1733400000000-0``) is
global and monotonic, so it is the event's sequence.  The epoch lives beside it
(``swapdemo:live:events:epoch``, set once): a Redis that lost its data makes a new one, and subscribers
reload.  A subscriber whose last event has been trimmed away may have missed more: it reloads too.
Pub/sub would be simpler and would lose whatever is published while a subscriber reconnects.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from typing import Any

import redis

from swapdemo.kernel.events import HISTORY, Event, replay_after

logger = logging.getLogger("swapdemo.events")
STREAM = "swapdemo:live:events"


class RedisBroker:
    """:class:`~swapdemo.kernel.events.MemoryBroker`'s interface on a capped Redis Stream."""

    def __init__(self, url: str, history: int = HISTORY, stream: str = STREAM) -> None:
        # Any: redis-py types every answer as bytes-or-str; decode_responses=True makes them str.
        self.redis: Any = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, decode_responses=True
        )
        self.history, self.stream, self._epoch = history, stream, ""
        self._down_since: float | None = None

    @property
    def epoch(self) -> str:
        if not self._epoch:
            self.redis.set(f"{self.stream}:epoch", secrets.token_hex(4), nx=True)
            self._epoch = str(self.redis.get(f"{self.stream}:epoch"))
        return self._epoch

    def publish(self, kind: str, data: dict[str, Any]) -> str | None:
        """Append the event; if Redis does not answer, log it (once per outage) and go on."""
        try:
            fields = {"kind": kind, "data": json.dumps(data, ensure_ascii=False), "epoch": self.epoch}
            stream_id = self.redis.xadd(self.stream, fields, maxlen=self.history, approximate=False)
        except redis.RedisError as exc:
            if self._down_since is None:
                self._down_since = time.monotonic()
                logger.error("could not publish a %s event: Redis is not answering (%s)", kind, exc)
            return None
        self._down_since = None
        return f"{self.epoch}:{stream_id}"

    def read(self, after: str | None, wait: float) -> list[Event]:
        """Events after ``after`` (every kept one, for ``None``), blocking up to ``wait`` s for one."""
        start = after.rpartition(":")[2] if after else "0-0"
        answer = self.redis.xread({self.stream: start}, block=max(1, int(wait * 1000)), count=500)
        return [
            self._event(stream_id, fields) for _, entries in answer or [] for stream_id, fields in entries
        ]

    def newest(self) -> str | None:
        """The id of the newest event kept, to start reading after it."""
        last = self.redis.xrevrange(self.stream, count=1)
        return f"{self.epoch}:{last[0][0]}" if last else None

    def since(self, last_id: str | None, recent: int) -> tuple[list[Event], bool]:
        if not last_id:
            entries = list(reversed(self.redis.xrevrange(self.stream, count=recent))) if recent else []
            return [self._event(i, f) for i, f in entries], False
        epoch, _, start = last_id.rpartition(":")
        if epoch != self.epoch or "-" not in start:
            return [], True
        if not self.redis.xrange(self.stream, min=start, max=start) and self.redis.xlen(self.stream):
            return [], True  # the last event it saw has been trimmed: what followed may have been too
        events = [self._event(i, f) for i, f in self.redis.xrange(self.stream, min=f"({start}")]
        return replay_after(events, self.epoch, last_id, recent, (0, 0))

    def _event(self, stream_id: str, fields: dict[str, str]) -> Event:
        return Event(
            f"{fields.get('epoch', self.epoch)}:{stream_id}", fields["kind"], json.loads(fields["data"])
        )
