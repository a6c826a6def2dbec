"""Profile the requests an app serves and show the accumulated statistics.

:class:`Profiler` puts repoze.profile behind a layer that fixes its defects: stats are written
only when someone looks at them, the page is HTML-escaped and takes validated ``GET`` parameters,
one request at a time is profiled while the others are served unprofiled, and only holders of a
token (or, without one, loopback clients) see the results, also as downloads for snakeviz or
KCachegrind.

Do not use it in production: a profiled request runs several times slower.  Behind a reverse proxy
on the same host every client looks like loopback: set a token.  On Python 3.12+ cProfile records
every thread while it is enabled, so concurrent unprofiled requests may show up in the stats.  Each
process keeps its own stats: run one gunicorn worker, or waitress, when profiling.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from wsgi_stack import profile_page
from wsgi_stack.gate import Gate, is_local

with warnings.catch_warnings():
    # repoze.profile 2.3 imports cgi, deprecated in 3.11 and restored by legacy-cgi on 3.13.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    from repoze.profile.profiler import ProfileMiddleware

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_BUSY_TIMEOUT = 5.0


class Profiler:
    """Profile one request in ``sample_every`` with cProfile; show the results at ``path``.

    A request carrying ``sample_header`` with the token as its value (without
    a token: ``1``, from a loopback client) is always profiled.  While another request is
    profiled, or another profiler is active, requests are served unprofiled.
    The app call, each body chunk and ``close()`` are profiled; nothing is
    buffered.  ``path`` (``GET``/``POST``) shows the stats page,
    ``path/stats.prof`` and ``path/callgrind.out`` download them; each dumps the
    stats to ``stats_dir/wsgi-<pid>.prof``, while profiled requests write nothing.

    :param app: the WSGI application to profile.
    :param token: when set, every client needs it in the ``X-Profile-Token``
        header (never the query string), loopback included.  ``None`` or
        empty: loopback clients only, and only when they address the server
        by a loopback name (so a DNS-rebinding page cannot read the stats).
    :param path: where the results are served.
    :param sample_every: profile one request in this many.
    :param sample_header: the request header that forces profiling.
    :param stats_dir: where stats files go, kept; by default a temporary folder removed at exit.

    Reads ``REMOTE_ADDR``, ``HTTP_HOST``, ``PATH_INFO``, ``SCRIPT_NAME``, ``QUERY_STRING``,
    ``REQUEST_METHOD``, ``CONTENT_LENGTH``, ``wsgi.input``,
    ``HTTP_X_PROFILE_TOKEN`` and the ``sample_header`` (``HTTP_X_PROFILE``).
    Writes ``wsgi_stack.profiled`` (``True``/``False``) on requests it passes on,
    and removes the token and sample headers from them.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        token: str | None = None,
        path: str = "/__profile__",
        sample_every: int = 1,
        sample_header: str = "X-Profile",
        stats_dir: Path | None = None,
    ) -> None:
        if not path.startswith("/") or path.endswith("/"):
            raise ValueError(f"path must start with '/' and not end with one: {path!r}")
        if sample_every < 1:
            raise ValueError(f"sample_every must be at least 1: {sample_every!r}")
        self._app = app
        self._gate = Gate(token)
        self._path = path
        self._sample_every = sample_every
        self._sample_key = "HTTP_" + sample_header.upper().replace("-", "_")
        if stats_dir is None:  # a folder of its own, removed when the process ends
            stats_dir = Path(tempfile.mkdtemp(prefix="swapdemo-profile-"))
            atexit.register(shutil.rmtree, stats_dir, ignore_errors=True)
        stats_dir.mkdir(parents=True, exist_ok=True)
        self._stats_dir = stats_dir
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self._repoze = ProfileMiddleware(app, discard_first_request=False, flush_at_shutdown=False, path=path)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info = environ.get("PATH_INFO", "")
        if path_info == self._path or path_info.startswith(self._path + "/"):
            return profile_page.respond(start_response, self._serve(environ, path_info[len(self._path) :]))
        wanted = next(self._counter) % self._sample_every == 0 or self._forced(environ)
        environ.pop(self._gate.key, None)  # the token is the profiler's; the app never sees it
        environ.pop(self._sample_key, None)
        profiled = wanted and self._lock.acquire(blocking=False)
        if profiled and not self._start():
            self._lock.release()
            profiled = False
        environ["wsgi_stack.profiled"] = profiled
        if not profiled:
            return self._app(environ, start_response)
        try:
            try:
                return _ProfiledBody(self._app(environ, start_response), self)
            finally:
                self._stop()
        except BaseException:
            self._lock.release()
            raise

    def _start(self) -> bool:
        if sys.getprofile() is not None:  # Before 3.12, enable() would silently replace another profiler.
            return False
        try:
            self._repoze.profiler.enable()
        except ValueError:  # Python 3.12+: "Another profiling tool is already active".
            return False
        return True

    def _stop(self) -> None:
        self._repoze.profiler.disable()

    def _forced(self, environ: WSGIEnvironment) -> bool:
        value = environ.get(self._sample_key)
        if value is None:
            return False
        return self._gate.matches(value) if self._gate.token else value == "1" and is_local(environ)

    def _serve(self, environ: WSGIEnvironment, subpath: str) -> profile_page.Response:
        if not self._gate.allows(environ):
            return profile_page.problem(environ, 403, self._gate.refusal())
        if subpath not in ("", "/", "/stats.prof", "/callgrind.out"):
            return profile_page.problem(environ, 404, "No such profiler page.")
        methods = ("GET", "POST") if subpath in ("", "/") else ("GET",)
        if environ["REQUEST_METHOD"] not in methods:
            return profile_page.problem(
                environ, 405, "Method not allowed here.", ("Allow", ", ".join(methods))
            )
        if not self._lock.acquire(timeout=_BUSY_TIMEOUT):
            return profile_page.problem(environ, 503, "A profiled request is still running; retry shortly.")
        try:
            if subpath in ("", "/"):
                self._dump()
                return profile_page.page(self._repoze, environ, self._path, self._stats_dir)
            return profile_page.export(self._repoze, environ, subpath, self._dump())
        finally:
            self._lock.release()

    def _dump(self) -> Path | None:
        stats_file = self._stats_dir / f"wsgi-{os.getpid()}.prof"
        self._repoze.log_filename = str(stats_file)
        if not self._repoze.profiler.getstats():
            return None
        self._repoze.profiler.dump_stats(stats_file)
        return stats_file


class _ProfiledBody:
    def __init__(self, app_iter: Iterable[bytes], owner: Profiler) -> None:
        self._app_iter = app_iter
        self._iterator = iter(app_iter)
        self._owner = owner
        self._closed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        profiling = not self._closed and self._owner._start()
        try:
            return next(self._iterator)
        finally:
            if profiling:
                self._owner._stop()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        profiling = self._owner._start()
        try:
            if hasattr(self._app_iter, "close"):
                self._app_iter.close()
        finally:
            if profiling:
                self._owner._stop()
            self._owner._lock.release()
