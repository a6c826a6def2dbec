"""Profile the requests an app serves, in every worker and on every host, and show one merged profile.

:class:`Profiler` keeps two profiles per worker process for its whole life: cProfile's exact call
counts and times (one request in ``sample_every``, one at a time, switched on once per request),
and a :class:`~wsgi_stack.sampler.Sampler`'s real call stacks (every request, cheap, for the flame
graph).  Every ``flush_every`` seconds, when the page is viewed and when the process exits (call
:func:`flush_all` from gunicorn's ``worker_exit``), the worker writes both as one record to the
stats folder, which a host's workers share, and to Redis, which hosts share.  The page merges the
records of every worker of one Python version; see :mod:`wsgi_stack.profile_page`.

Do not use it in production: a cProfiled request runs about three times slower.  Behind a reverse
proxy on the same host every client looks like loopback: set a token.  On Python 3.12+ cProfile
records every thread while it is on, so requests running beside a profiled one add to its stats.
The app call, the body and ``close()`` must run on one thread, as PEP 3333 servers do; on 3.11
cProfile's hook is per thread.
"""

from __future__ import annotations

import atexit
import cProfile
import itertools
import os
import platform
import socket
import sys
import threading
import time
import weakref
from typing import TYPE_CHECKING

from wsgi_stack import profile_page
from wsgi_stack.gate import Gate, is_local
from wsgi_stack.profile_paths import normalise_stats
from wsgi_stack.profile_store import Record, Shelf
from wsgi_stack.sampler import Sampler

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from wsgi_stack.profile_paths import Stats

_BUSY_TIMEOUT = 5.0
_SNAPSHOT_WAIT = 1.0  # a request waits this long for a flush's snapshot (milliseconds) to end
_LIVE: weakref.WeakSet[Profiler] = weakref.WeakSet()


def flush_all() -> None:
    """Flush every profiler in this process; gunicorn's ``worker_exit`` hook calls it."""
    for profiler in list(_LIVE):
        profiler.flush()


atexit.register(flush_all)


class Profiler:
    """Profile the requests ``app`` serves; show the merged results at ``path``.

    A request carrying ``sample_header`` with the token as its value (without a token: ``1``, from
    a loopback client) is always cProfiled.  While another request is cProfiled, or another
    profiler is active, requests are sampled but not cProfiled.  Nothing is buffered.

    :param app: the WSGI application to profile.
    :param token: when set, every client needs it in the ``X-Profile-Token`` header (never the
        query string), loopback included.  ``None`` or empty: loopback clients only, and only when
        they address the server by a loopback name (so a DNS-rebinding page cannot read the stats).
    :param path: where the results are served.
    :param sample_every: cProfile one request in this many; ``0``: never (the sampler only).
    :param sample_header: the request header that forces cProfiling.
    :param stats_dir: the folder this host's workers share for their records.
    :param host: this host's name in the records (default: ``socket.gethostname()``).
    :param redis: a ``redis.Redis`` client that hosts share, or ``None``.
    :param flush_every: seconds between flushes of a busy worker's records.
    :param sampler_interval: seconds between the sampler's looks; ``None``: no sampler.

    Reads ``REMOTE_ADDR``, ``HTTP_HOST``, ``PATH_INFO``, ``SCRIPT_NAME``, ``QUERY_STRING``,
    ``REQUEST_METHOD``, ``CONTENT_LENGTH``, ``wsgi.input``, ``HTTP_X_PROFILE_TOKEN``, ``HTTP_ORIGIN``
    and the ``sample_header`` (``HTTP_X_PROFILE``).  Writes ``wsgi_stack.profiled`` (whether
    cProfile is on) on requests it passes on, and removes the token and sample headers from them.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        stats_dir: Path,
        token: str | None = None,
        path: str = "/__profile__",
        sample_every: int = 1,
        sample_header: str = "X-Profile",
        host: str | None = None,
        redis: object = None,
        flush_every: float = 10.0,
        sampler_interval: float | None = 0.005,
    ) -> None:
        if not path.startswith("/") or path.endswith("/"):
            raise ValueError(f"path must start with '/' and not end with one: {path!r}")
        if sample_every < 0:
            raise ValueError(f"sample_every must be 0 (never) or more: {sample_every!r}")
        stats_dir.mkdir(parents=True, exist_ok=True)
        self.app, self.path, self.sample_every = app, path, sample_every
        self.gate = Gate(token)
        self.shelf = Shelf(stats_dir, redis)
        self.host = host or socket.gethostname()
        self.python = platform.python_version()
        self.flush_every = flush_every
        self.sampler = Sampler(sampler_interval) if sampler_interval else None
        self._sample_key = "HTTP_" + sample_header.upper().replace("-", "_")
        self._counter = itertools.count()
        self._lock = threading.Lock()  # held by the cProfiled request, or by a flush's snapshot
        self._snapshotting = False
        self._count_lock = threading.Lock()
        self._pid = 0
        self._dirty, self._generation = False, (0, 0)
        self.requests = self.profiled = 0
        _LIVE.add(self)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info = environ.get("PATH_INFO", "")
        if path_info == self.path or path_info.startswith(self.path + "/"):
            return profile_page.respond(
                start_response, profile_page.serve(self, environ, path_info[len(self.path) :])
            )
        if self._pid != os.getpid():  # the first request in this process: start after any fork
            self._fresh_worker()
        wanted = self.sample_every and (next(self._counter) % self.sample_every == 0 or self._forced(environ))
        environ.pop(self.gate.key, None)  # the token is the profiler's; the app never sees it
        environ.pop(self._sample_key, None)
        profiled = bool(wanted) and self._claim()
        if profiled and not self._start():
            self._lock.release()
            profiled = False
        environ["wsgi_stack.profiled"] = profiled
        watching = self.sampler.watch() if self.sampler else None
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self._finish(profiled, watching)
            raise
        with self._count_lock:
            self.requests += 1
            self.profiled += profiled
        return _Body(body, self, profiled, watching)

    def flush(self) -> list[str]:
        """Write this worker's record now, if it has anything new; notes say what could not be written."""
        if self._pid != os.getpid() or not self._dirty:
            return []
        generation = self.shelf.generation()
        if not self._lock.acquire(timeout=_BUSY_TIMEOUT):
            return ["A cProfiled request is still running: this worker's newest stats are not shown yet."]
        self._snapshotting = True  # requests wanting cProfile wait the few ms this takes
        try:
            if generation != self._generation:  # cleared by another worker's page
                self._forget(generation)
                return []
            self._profile.snapshot_stats()  # reads cProfile's entries: not while a request adds to them
            stats: Stats = self._profile.stats  # type: ignore[assignment]
            requests, profiled = self.requests, self.profiled
        finally:
            self._snapshotting = False
            self._lock.release()
        self._dirty, self._last_flush = False, time.monotonic()
        samples = self.sampler.snapshot() if self.sampler else None
        record = Record(
            self.host, self._pid, self.python, requests, profiled, time.time(), normalise_stats(stats)
        )
        if samples is not None:
            record.samples = samples
        return self.shelf.save(record)

    def clear(self) -> list[str]:
        """Forget every worker's stats: this one's now, the others' at their next flush."""
        notes = self.shelf.clear()
        generation = self.shelf.generation()
        with self._lock:
            self._forget(generation)
        return notes

    def _forget(self, generation: tuple[int, int]) -> None:
        self._profile = cProfile.Profile()
        if self.sampler:
            self.sampler.reset()
        self.requests = self.profiled = 0
        self._dirty, self._generation = False, generation

    def _fresh_worker(self) -> None:
        self._pid = os.getpid()
        self._forget(self.shelf.generation())
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
        if self._lock.acquire(blocking=False):
            return True
        return self._snapshotting and self._lock.acquire(timeout=_SNAPSHOT_WAIT)

    def _start(self) -> bool:
        if sys.getprofile() is not None:  # Before 3.12, enable() would silently replace another profiler.
            return False
        try:
            self._profile.enable()
        except ValueError:  # Python 3.12+: "Another profiling tool is already active".
            return False
        return True

    def _finish(self, profiled: bool, watching: int | None) -> None:
        if profiled:
            self._profile.disable()
            self._dirty = True
            self._lock.release()
        if watching is not None and self.sampler:
            self.sampler.unwatch(watching)
            self._dirty = True

    def _forced(self, environ: WSGIEnvironment) -> bool:
        value = environ.get(self._sample_key)
        if value is None:
            return False
        return self.gate.matches(value) if self.gate.token else value == "1" and is_local(environ)


class _Body:
    """The app's body, passed through; closing it ends the request's profiling, once."""

    def __init__(self, body: Iterable[bytes], owner: Profiler, profiled: bool, watching: int | None) -> None:
        self._body = body
        self._owner, self._profiled, self._watching = owner, profiled, watching
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)  # the app's own iterator: no frame of ours per chunk under cProfile

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if hasattr(self._body, "close"):
                self._body.close()
        finally:
            self._owner._finish(self._profiled, self._watching)
