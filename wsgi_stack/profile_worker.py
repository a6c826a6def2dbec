"""What one worker process gathers while it profiles, and when it writes it down.

A :class:`Worker` holds the process's cProfile aggregate, its sampler's stacks and its request
counts for the process's whole life (started afresh after a fork: profilers start in the worker).
It writes them as one :class:`~wsgi_stack.profile_record.Record` through a
:class:`~wsgi_stack.profile_store.Shelf`: every ``flush_every`` seconds from a daemon thread, and
whenever :meth:`Worker.flush` is called (the page does, and :func:`flush_all`, at exit and from
gunicorn's ``worker_exit``).  A clear made by another worker's page is seen at the next flush.
"""

from __future__ import annotations

import atexit
import cProfile
import os
import platform
import sys
import threading
import time
import weakref
from typing import TYPE_CHECKING

from wsgi_stack.profile_paths import normalise_stats
from wsgi_stack.profile_record import Record

if TYPE_CHECKING:
    from wsgi_stack.profile_paths import Stats
    from wsgi_stack.profile_store import Shelf
    from wsgi_stack.sampler import Sampler

_BUSY_TIMEOUT = 5.0
_SNAPSHOT_WAIT = 1.0  # a request waits this long for a flush's snapshot (milliseconds) to end
# ... and this long for the cProfiled request before it: a threaded server closes a response after
# sending it, so a client's next request can arrive while the last one is still being closed.
_OVERLAP_WAIT = 0.02
_LIVE: weakref.WeakSet[Worker] = weakref.WeakSet()


def flush_all() -> None:
    """Flush every profiler in this process; gunicorn's ``worker_exit`` hook calls it."""
    for worker in list(_LIVE):
        worker.flush()


atexit.register(flush_all)


class Worker:
    """This process's profile: cProfile on one request at a time, the sampler on every request."""

    def __init__(self, shelf: Shelf, host: str, sampler: Sampler | None, flush_every: float) -> None:
        self.shelf, self.host, self.sampler, self.flush_every = shelf, host, sampler, flush_every
        self.python = platform.python_version()
        self._lock = threading.Lock()  # held by the cProfiled request, or by a flush's snapshot
        self._snapshotting = False
        self._count_lock = threading.Lock()
        self._pid = 0
        self._start_lock = threading.Lock()
        self._dirty = False
        self._generation: tuple[int | None, int | None] = (None, None)
        self.requests = self.profiled = 0
        _LIVE.add(self)

    def begin(self, cprofile: bool) -> tuple[bool, int | None]:
        """A request starts: whether cProfile is on for it, and the sampler's handle."""
        if self._pid != os.getpid():  # the first request in this process: start after any fork
            with self._start_lock:
                if self._pid != os.getpid():
                    self._fresh()
        profiled = cprofile and self._claim()
        if profiled and not self._enable():
            self._lock.release()
            profiled = False
        return profiled, self.sampler.watch() if self.sampler else None

    def counted(self, profiled: bool) -> None:
        """The app answered a request (cProfiled or not)."""
        with self._count_lock:
            self.requests += 1
            self.profiled += profiled

    def end(self, profiled: bool, watching: int | None) -> None:
        """The request's body is closed, or the app raised: what :meth:`begin` started stops."""
        if profiled:
            self._profile.disable()
            self._dirty = True
            self._lock.release()
        if watching is not None and self.sampler:
            self.sampler.unwatch(watching)
            self._dirty = True

    def flush(self) -> list[str]:
        """Write this worker's record now, if it has anything new; notes say what could not be written."""
        if self._pid != os.getpid() or not self._dirty:
            return []
        if not self._lock.acquire(timeout=_BUSY_TIMEOUT):
            return ["A cProfiled request is still running: this worker's newest stats are not shown yet."]
        self._snapshotting = True  # requests wanting cProfile wait the few ms this takes
        try:
            if self._cleared(self.shelf.generation()):  # by another worker's page
                return []
            self._dirty = False  # a request ending after the snapshot sets it again
            self._profile.snapshot_stats()  # reads cProfile's entries: not while a request adds to them
            stats: Stats = self._profile.stats  # type: ignore[assignment]
            requests, profiled = self.requests, self.profiled
        finally:
            self._snapshotting = False
            self._lock.release()
        self._last_flush = time.monotonic()
        record = Record(
            self.host, self._pid, self.python, requests, profiled, time.time(), normalise_stats(stats)
        )
        if self.sampler:
            record.samples = self.sampler.snapshot()
        return self.shelf.save(record)

    def clear(self) -> list[str]:
        """Forget every worker's stats: this one's now, the others' at their next flush."""
        notes = self.shelf.clear()
        if not self._lock.acquire(timeout=_BUSY_TIMEOUT):
            return [
                *notes,
                "A cProfiled request is still running: this worker forgets its stats at its next flush.",
            ]
        try:
            self._cleared(self.shelf.generation())  # learn the new counts, so the next flush keeps data
            self._forget()
        finally:
            self._lock.release()
        return notes

    def _cleared(self, generation: tuple[int | None, int | None]) -> bool:
        """Whether a known clear count moved since this worker last looked (then it forgets what it
        gathered); a count unknown before or now is not compared.  Called under the lock."""
        pairs = list(zip(generation, self._generation, strict=True))
        moved = any(None not in (new, old) and new != old for new, old in pairs)
        self._generation = (
            pairs[0][1] if pairs[0][0] is None else pairs[0][0],
            pairs[1][1] if pairs[1][0] is None else pairs[1][0],
        )
        if moved:
            self._forget()
        return moved

    def _forget(self) -> None:
        self._profile = cProfile.Profile()
        if self.sampler:
            self.sampler.reset()
        with self._count_lock:
            self.requests = self.profiled = 0
        self._dirty = False

    def _fresh(self) -> None:
        self._pid = os.getpid()
        self._generation = self.shelf.generation()  # a count unknown now is learnt, not compared
        self._forget()
        self._last_flush = time.monotonic()
        if self.flush_every:
            threading.Thread(target=self._flush_periodically, name="wsgi_stack-flush", daemon=True).start()

    def _flush_periodically(self) -> None:
        pid = os.getpid()
        while self._pid == pid:
            time.sleep(self.flush_every)
            if time.monotonic() - self._last_flush >= self.flush_every:
                self.flush()

    def _claim(self) -> bool:
        return self._lock.acquire(timeout=_SNAPSHOT_WAIT if self._snapshotting else _OVERLAP_WAIT)

    def _enable(self) -> bool:
        if sys.getprofile() is not None:  # Before 3.12, enable() would silently replace another profiler.
            return False
        try:
            self._profile.enable()
        except ValueError:  # Python 3.12+: "Another profiling tool is already active".
            return False
        return True
