"""The swap's core: one reader of the broker per process, fanning events out to every open connection.

A WSGI server gives each request a thread until its response is done, so a page that stays open
for hours holds a worker for hours; and Tornado's ``WSGIContainer`` buffers a whole WSGI body
before sending a byte.  Push therefore goes beside WSGI, in Tornado's own handlers, and this hub
is what they share:

- **one reader thread** blocks on :meth:`~swapdemo.kernel.events.Broker.read` (Redis ``XREAD`` or
  the in-memory ring) and hands each batch to the event loop with ``add_callback``, the loop's only
  thread-safe call; nothing on the loop thread waits on Redis or the database;
- **a bounded queue per connection** (:class:`~apps.realtime.subscriber.Subscriber`): it holds
  references to the events every connection shares, and one write at a time is in Tornado's
  buffer, so a client that stops reading costs little; it is dropped, with a reason, once 5,000
  events wait for it or a write has been stuck for 20 s, and resumes by id; the others never wait
  for it;
- **replay, then live, without a gap or a duplicate**: a subscriber is registered first, the
  history after its last id is read, and live events already at or before what it has are skipped.
  An id from another epoch or older than the history is a ``reset``: the page starts over.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from apps.realtime.subscriber import BACKLOG, STALL_SECONDS, Subscriber
from swapdemo.kernel.events import Event, position

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from swapdemo.kernel.events import Broker

logger = logging.getLogger("apps.realtime")
RECENT = 20


class Hub:
    """Every subscriber of this process, and the thread that reads the broker for them."""

    def __init__(self, broker: Broker, backlog: int = BACKLOG, stall: float = STALL_SECONDS) -> None:
        self.broker, self.backlog, self.stall = broker, backlog, stall
        self.subscribers: set[Subscriber] = set()
        self.dropped = 0
        self._io = ThreadPoolExecutor(2, thread_name_prefix="live-broker")  # never the WSGI pool
        self._stopping = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start reading the broker, and watching for stuck writes (call it on the loop's thread)."""
        self._loop = loop
        threading.Thread(target=self._read, name="live-reader", daemon=True).start()
        self._watching = loop.create_task(self._watch())

    async def _watch(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(min(1.0, self.stall / 4))
            now = time.monotonic()
            for subscriber in [s for s in self.subscribers if s.stalled(now)]:
                subscriber.close(f"stalled: nothing read for {self.stall:g} s; reconnect to resume")

    def stop(self) -> None:
        self._stopping.set()
        self._io.shutdown(wait=False, cancel_futures=True)

    def subscriber(
        self, send: Callable[[list[Event | None]], Awaitable[None]], drop: Callable[[str], None]
    ) -> Subscriber:
        return Subscriber(send, drop, self.backlog, self.stall)

    async def subscribe(self, subscriber: Subscriber, last_id: str | None) -> None:
        """Register, replay what ``last_id`` missed (or the recent events), then go live."""
        self.subscribers.add(subscriber)
        loop = asyncio.get_running_loop()
        try:
            missed, gap = await loop.run_in_executor(self._io, self.broker.since, last_id, RECENT)
            epoch = await loop.run_in_executor(self._io, lambda: self.broker.epoch)
        except Exception as exc:
            logger.error("could not read the event history: %s", exc)
            missed, gap, epoch = [], bool(last_id), ""
        pending, subscriber.pending, subscriber.starting = subscriber.pending, [], False
        if gap:
            subscriber.offer(Event(f"{epoch}:0", "reset", {"epoch": epoch, "reason": "history lost"}))
        elif last_id and last_id.partition(":")[0] == epoch:
            subscriber.last = position(last_id)
        # What was published while the history was read is in both: each once, in order.
        merged = {event.id: event for event in [*missed, *pending] if event.id.partition(":")[0] == epoch}
        for event in sorted(merged.values(), key=lambda event: event.position):
            subscriber.offer(event)

    def leave(self, subscriber: Subscriber, reason: str = "") -> None:
        self.subscribers.discard(subscriber)
        if reason:
            self.dropped += 1
            logger.info("dropped a live connection: %s", reason)

    def heartbeat(self) -> None:
        """A comment to every idle subscriber, so proxies and the client know the line is alive."""
        for subscriber in list(self.subscribers):
            if not subscriber.queue:
                subscriber.offer(None)

    def close_all(self, reason: str) -> None:
        for subscriber in list(self.subscribers):
            subscriber.close(reason)

    def _fan_out(self, events: list[Event]) -> None:
        for subscriber in list(self.subscribers):
            for event in events:
                subscriber.offer(event)

    def _read(self) -> None:
        last, failing = None, False
        while not self._stopping.is_set():
            try:
                if last is None:
                    last = self.broker.newest() or ""
                events = self.broker.read(last or None, 1.0)
                failing = False
            except Exception as exc:
                if not failing:
                    logger.error("the live events cannot be read (%s); retrying every second", exc)
                failing = True
                time.sleep(1.0)
                continue
            if events and self._loop is not None:
                last = events[-1].id
                self._loop.call_soon_threadsafe(self._fan_out, events)
