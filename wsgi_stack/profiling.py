"""Profile the requests an app serves, in every worker and on every host, and show one merged profile.

:class:`Profiler` keeps two profiles per worker process for its whole life: cProfile's exact call
counts and times (one request in ``sample_every``, one at a time, switched on once per request),
and a :class:`~wsgi_stack.sampler.Sampler`'s real call stacks (every request, cheap, for the flame
graph).  Every ``flush_every`` seconds, when the page is viewed and when the process exits (call
:func:`flush_all` from gunicorn's ``worker_exit``), the worker writes both as one record to the
stats folder, which a host's workers share, and to Redis, which hosts share
(:mod:`wsgi_stack.profile_worker`).  The page merges the records of every worker of one Python
version (:mod:`wsgi_stack.profile_page`).

Do not use it in production: a cProfiled request runs about three times slower.  Behind a reverse
proxy on the same host every client looks like loopback: set a token.  On Python 3.12+ cProfile
records every thread while it is on, so requests running beside a profiled one add to its stats.
The app call, the body and ``close()`` must run on one thread, as PEP 3333 servers do; on 3.11
cProfile's hook is per thread.
"""

from __future__ import annotations

import itertools
import socket
from typing import TYPE_CHECKING

from wsgi_stack import profile_page
from wsgi_stack.gate import Gate, is_local
from wsgi_stack.profile_store import Shelf
from wsgi_stack.profile_worker import Worker, flush_all
from wsgi_stack.sampler import Sampler

__all__ = ["Profiler", "flush_all"]

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class Profiler:
    """Profile the requests ``app`` serves; show the merged results at ``path``.

    A request carrying ``sample_header`` with the token as its value (without a token: ``1``, from
    a loopback client) is always cProfiled.  A request waits up to 20 ms for a cProfiled one to be
    closed (a threaded server closes a response after sending it); while one is still running, or
    another profiler is active, requests are sampled but not cProfiled.  Nothing is buffered.

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
    :param flush_every: seconds between flushes of a busy worker's records; ``0``: only on demand.
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
        sampler = Sampler(sampler_interval) if sampler_interval else None
        self.worker = Worker(Shelf(stats_dir, redis), host or socket.gethostname(), sampler, flush_every)
        self._sample_key = "HTTP_" + sample_header.upper().replace("-", "_")
        self._counter = itertools.count()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info = environ.get("PATH_INFO", "")
        if path_info == self.path or path_info.startswith(self.path + "/"):
            answer = profile_page.serve(self, environ, path_info[len(self.path) :])
            return profile_page.respond(start_response, answer)
        wanted = self.sample_every and (next(self._counter) % self.sample_every == 0 or self._forced(environ))
        environ.pop(self.gate.key, None)  # the token is the profiler's; the app never sees it
        environ.pop(self._sample_key, None)
        profiled, watching = self.worker.begin(bool(wanted))
        environ["wsgi_stack.profiled"] = profiled
        try:
            body = self.app(environ, start_response)
        except BaseException:
            self.worker.counted(profiled)  # its calls are in the stats: so is the request
            self.worker.end(profiled, watching)
            raise
        self.worker.counted(profiled)
        return _Body(body, self.worker, profiled, watching)

    def _forced(self, environ: WSGIEnvironment) -> bool:
        value = environ.get(self._sample_key)
        if value is None:
            return False
        return self.gate.matches(value) if self.gate.token else value == "1" and is_local(environ)


class _Body:
    """The app's body, passed through; closing it ends the request's profiling, once."""

    def __init__(self, body: Iterable[bytes], worker: Worker, profiled: bool, watching: int | None) -> None:
        self._body = body
        self._worker, self._profiled, self._watching = worker, profiled, watching
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
            self._worker.end(self._profiled, self._watching)
