"""One live connection's queue: events go out as they come, wait while a write is under way, and a
connection that falls too far behind is dropped with a reason (the hub also drops a stuck one)."""

from __future__ import annotations

import asyncio
import collections
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from swapdemo.kernel.events import Event

BACKLOG = 5000
STALL_SECONDS = 20.0


class Subscriber:
    """One open connection.  ``send(items)`` writes events (``None`` is a heartbeat) at once and
    returns a future that is done when they have left; ``drop(reason)`` closes the connection.
    While a write is under way, events wait in the queue and go out together after it; the hub
    closes a connection whose write has been stuck for ``stall`` seconds."""

    def __init__(
        self,
        send: Callable[[list[Event | None]], Awaitable[None]],
        drop: Callable[[str], None],
        backlog: int = BACKLOG,
        stall: float = STALL_SECONDS,
    ) -> None:
        self.send, self.drop, self.backlog, self.stall = send, drop, backlog, stall
        self.queue: collections.deque[Event | None] = collections.deque()
        self.last = (0, 0)
        self.starting = True
        self.pending: list[Event] = []
        self.closed = False
        self.sending_since: float | None = None
        self._done = asyncio.Event()

    def offer(self, event: Event | None) -> None:
        """Send or queue ``event`` unless already had; drop the connection if it is over its limit."""
        if self.closed:
            return
        if event is not None:
            if self.starting:
                self.pending.append(event)
                return
            if event.kind != "reset" and event.position <= self.last:
                return
            self.last = event.position if event.kind != "reset" else self.last
        if len(self.queue) >= self.backlog:
            self.close(f"too slow: {self.backlog:,} events behind; reconnect to resume")
            return
        self.queue.append(event)
        if self.sending_since is None:
            self._pump()

    def _pump(self) -> None:
        batch = list(self.queue)  # all that waits, in one write and one flush
        self.queue.clear()
        self.sending_since = time.monotonic()
        try:
            sent = asyncio.ensure_future(self.send(batch))
        except Exception:  # the connection went away
            self.close("")
            return
        sent.add_done_callback(self._sent)

    def _sent(self, sent: asyncio.Future[None]) -> None:
        self.sending_since = None
        if sent.cancelled() or sent.exception() is not None:
            self.close("")
        elif self.queue and not self.closed:
            self._pump()

    async def run(self) -> None:
        """Until the connection closes (the writes happen as events are offered)."""
        await self._done.wait()

    def stalled(self, now: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > self.stall

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = True
            self.queue.clear()
            self._done.set()
            self.drop(reason)
