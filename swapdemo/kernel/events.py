"""Events published by any process, read back in order by any other, replayable: the live demo's broker.

A demo publishes (``publish("proposal", {...})`` after its transaction commits); the real-time
server reads (``read(after, wait)``) and fans out.  Publishing never waits on subscribers, and a
broker that fails to publish logs and lets the request go on.  Two brokers, one interface:

- :class:`MemoryBroker`, when nothing is configured: one process, a ring of the last events;
- :class:`RedisBroker`, with ``SWAPDEMO_REDIS_URL``: a capped Redis Stream every worker and host
  appends to, whose ids are global and monotonic, so a subscriber can resume from any process.

Every event id is ``EPOCH:SEQUENCE``.  The epoch names the history; when a subscriber's epoch is
not the broker's (a restarted in-memory broker, a flushed Redis), or what it missed has already
left the history, :meth:`~Broker.since` says so and the page reloads instead of missing items
(Centrifugo's model).  Nothing here imports Tornado or asyncio: reading blocks a thread of its own.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import json
import logging
import secrets
import threading
from typing import Any, Protocol

logger = logging.getLogger("swapdemo.events")
HISTORY = 1000


@dataclasses.dataclass(frozen=True)
class Event:
    id: str
    kind: str
    data: dict[str, Any]

    @property
    def position(self) -> tuple[int, int]:
        return position(self.id)

    @functools.cached_property
    def json(self) -> str:
        """The event as one JSON message (a WebSocket's), encoded once for every subscriber."""
        return json.dumps({"id": self.id, "kind": self.kind, "data": self.data}, ensure_ascii=False)

    @functools.cached_property
    def sse(self) -> bytes:
        """The event as Server-Sent Events lines, encoded once; a reset has no id to resume from."""
        line = "" if self.kind == "reset" else f"id: {self.id}\n"
        data = json.dumps(self.data, ensure_ascii=False)
        return f"{line}event: {self.kind}\ndata: {data}\n\n".encode()


def position(event_id: str) -> tuple[int, int]:
    """Where an id sits in its epoch's order (``1733400000000-3`` → ``(1733400000000, 3)``)."""
    sequence = event_id.rpartition(":")[2]
    first, _, second = sequence.partition("-")
    return int(first), int(second or 0)


class Broker(Protocol):
    @property
    def epoch(self) -> str: ...

    def publish(self, kind: str, data: dict[str, Any]) -> str | None: ...

    def read(self, after: str | None, wait: float) -> list[Event]: ...

    def since(self, last_id: str | None, recent: int) -> tuple[list[Event], bool]: ...

    def newest(self) -> str | None: ...


def replay_after(
    history: list[Event], epoch: str, last_id: str | None, recent: int, evicted: tuple[int, int]
) -> tuple[list[Event], bool]:
    """What follows ``last_id`` in ``history`` (oldest first), and whether some of it is lost.

    Without ``last_id`` (a first visit), the ``recent`` last events.  ``evicted`` is the position
    of the newest event that has left the history: a subscriber who last saw an older one missed it.
    """
    if not last_id:
        return (history[-recent:] if recent else []), False
    epoch_seen, _, sequence = last_id.rpartition(":")
    if epoch_seen != epoch or not sequence:
        return [], True
    last = position(last_id)
    if evicted > last:
        return [], True
    return [event for event in history if event.position > last], False


class MemoryBroker:
    """Events of this process, the last ``history`` of them kept; a new epoch each start."""

    def __init__(self, history: int = HISTORY) -> None:
        self.epoch = secrets.token_hex(4)
        self._events: collections.deque[Event] = collections.deque(maxlen=history)
        self._counter = 0
        self._evicted = (0, 0)
        self._changed = threading.Condition()

    def publish(self, kind: str, data: dict[str, Any]) -> str:
        with self._changed:
            self._counter += 1
            if len(self._events) == self._events.maxlen:
                self._evicted = self._events[0].position
            event = Event(f"{self.epoch}:{self._counter}", kind, data)
            self._events.append(event)
            self._changed.notify_all()
        return event.id

    def read(self, after: str | None, wait: float) -> list[Event]:
        """Events newer than ``after`` (all kept ones for ``None``), waiting up to ``wait`` s for one."""
        with self._changed:
            newer = self._newer(after)
            if not newer:
                self._changed.wait(wait)
                newer = self._newer(after)
        return newer

    def newest(self) -> str | None:
        with self._changed:
            return self._events[-1].id if self._events else None

    def since(self, last_id: str | None, recent: int) -> tuple[list[Event], bool]:
        with self._changed:
            return replay_after(list(self._events), self.epoch, last_id, recent, self._evicted)

    def _newer(self, after: str | None) -> list[Event]:
        last = position(after) if after else (0, 0)
        return [event for event in self._events if event.position > last]
