"""Profile the requests an app serves and show the accumulated statistics.

:class:`Profiler` puts repoze.profile behind a layer that fixes its defects:
stats are written only when someone looks at them, the page is HTML-escaped
and takes validated ``GET`` parameters, one request at a time is profiled while
the others are served unprofiled, and only holders of a token (or, without
one, loopback clients) see the results, also as downloads for snakeviz or
KCachegrind.

Do not use it in production: a profiled request runs several times slower.
Behind a reverse proxy on the same host every client looks like loopback: set
a token, which every client then needs, loopback included.  On
Python 3.12+ cProfile records every thread while it is enabled, so concurrent
unprofiled requests may show up in the stats.  Each process keeps its own
stats: run one gunicorn worker, or waitress, when profiling.
"""

from __future__ import annotations

import hmac
import html
import io
import ipaddress
import itertools
import os
import re
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, urlsplit

from pyprof2calltree import CalltreeConverter

with warnings.catch_warnings():
    # repoze.profile 2.3 imports cgi, deprecated in 3.11 and restored by legacy-cgi on 3.13.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    from repoze.profile.profiler import ProfileMiddleware

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_CHOICES = {
    "sort": ("time", "cumulative", "calls", "pcalls", "name", "file", "module", "line", "nfl", "stdname"),
    "mode": ("stats", "callees", "callers"),
    "fulldirs": ("0", "1"),
}
_FILENAME = re.compile(r"[\w./:-]{0,200}")
_MAX_FORM = 10_000
_BUSY_TIMEOUT = 5.0

_Response = tuple[str, list[tuple[str, str]], bytes]


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
    :param stats_dir: where stats files go; a new temporary folder by default.

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
        self._token = token or None
        self._path = path
        self._sample_every = sample_every
        self._sample_key = "HTTP_" + sample_header.upper().replace("-", "_")
        self._stats_dir = Path(stats_dir or tempfile.mkdtemp(prefix="swapdemo-profile-"))
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self._repoze = ProfileMiddleware(app, discard_first_request=False, flush_at_shutdown=False, path=path)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path_info = environ.get("PATH_INFO", "")
        if path_info == self._path or path_info.startswith(self._path + "/"):
            return _respond(start_response, self._serve(environ, path_info[len(self._path) :]))
        wanted = next(self._counter) % self._sample_every == 0 or self._forced(environ)
        environ.pop("HTTP_X_PROFILE_TOKEN", None)  # the token is the profiler's; the app never sees it
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
        return self._token_matches(value) if self._token else value == "1" and _is_local(environ)

    def _allowed(self, environ: WSGIEnvironment) -> bool:
        return self._token_matches(environ.get("HTTP_X_PROFILE_TOKEN")) if self._token else _is_local(environ)

    def _token_matches(self, value: str | None) -> bool:
        known = self._token is not None and value is not None
        return known and hmac.compare_digest(value.encode("latin-1", "replace"), self._token.encode())

    def _serve(self, environ: WSGIEnvironment, subpath: str) -> _Response:
        if not self._allowed(environ):
            needs = "an X-Profile-Token header" if self._token else "a loopback client that calls it localhost or a loopback IP"
            return _plain("403 Forbidden", f"The profiler needs {needs}.")
        if subpath not in ("", "/", "/stats.prof", "/callgrind.out"):
            return _plain("404 Not Found", "No such profiler page.")
        methods = ("GET", "POST") if subpath in ("", "/") else ("GET",)
        if environ["REQUEST_METHOD"] not in methods:
            return _plain("405 Method Not Allowed", "Method not allowed here.", ("Allow", ", ".join(methods)))
        if not self._lock.acquire(timeout=_BUSY_TIMEOUT):
            return _plain("503 Service Unavailable", "A profiled request is still running; retry shortly.")
        try:
            return self._page(environ) if subpath in ("", "/") else self._export(subpath)
        finally:
            self._lock.release()

    def _dump(self) -> Path | None:
        stats_file = self._stats_dir / f"wsgi-{os.getpid()}.prof"
        self._repoze.log_filename = str(stats_file)
        if not self._repoze.profiler.getstats():
            return None
        self._repoze.profiler.dump_stats(stats_file)
        return stats_file

    def _page(self, environ: WSGIEnvironment) -> _Response:
        try:
            params = _read_params(environ)
        except ValueError as exc:
            return _plain("400 Bad Request", str(exc))
        self._dump()
        url = quote(environ.get("SCRIPT_NAME", "") + self._path)
        request = SimpleNamespace(get_params=lambda: params, get_url=lambda: url)
        page = self._repoze.index(request, output=_EscapedOutput())
        links = f"""<p>Download <a href="{url}/stats.prof">stats.prof</a> (pstats, snakeviz) or
<a href="{url}/callgrind.out">callgrind.out</a> (KCachegrind), written to {html.escape(str(self._stats_dir))}.</p>"""
        page = page.replace("</body>", links + "\n</body>", 1)
        return "200 OK", [("Content-Type", "text/html; charset=utf-8")], page.encode(errors="replace")

    def _export(self, subpath: str) -> _Response:
        stats_file = self._dump()
        if stats_file is None:
            return _plain("404 Not Found", "No profiling data yet: make some requests first.")
        if subpath == "/stats.prof":
            name, body = "swapdemo.prof", stats_file.read_bytes()
        else:
            out = io.StringIO()
            CalltreeConverter(self._repoze.Stats(str(stats_file))).output(out)
            name, body = "callgrind.out.swapdemo", out.getvalue().encode(errors="replace")
        disposition = f'attachment; filename="{name}"'
        return "200 OK", [("Content-Type", "application/octet-stream"), ("Content-Disposition", disposition)], body


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


class _EscapedOutput(io.StringIO):
    def getvalue(self) -> str:
        return html.escape(super().getvalue())


def _read_params(environ: WSGIEnvironment) -> dict[str, str]:
    raw = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    raw.pop("clear", None)  # a change of state: only from the page's own form, below
    if environ["REQUEST_METHOD"] == "POST":
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and urlsplit(origin).netloc != environ.get("HTTP_HOST"):
            raise ValueError("The profiler takes forms from its own page only.")
        length = environ.get("CONTENT_LENGTH") or "0"
        if not re.fullmatch(r"[0-9]{1,9}", length) or int(length) > _MAX_FORM:
            raise ValueError("The form must be urlencoded and under 10 kB.")
        form = environ["wsgi.input"].read(int(length)).decode("latin-1")
        raw.update(parse_qsl(form, keep_blank_values=True))
    params = {name: raw[name] for name in _CHOICES if name in raw}
    for name, value in params.items():
        if value not in _CHOICES[name]:
            raise ValueError(f"{name} must be one of: {', '.join(_CHOICES[name])}.")
    if "limit" in raw:
        if not re.fullmatch(r"[0-9]{1,4}", raw["limit"]) or not 1 <= int(raw["limit"]) <= 1000:
            raise ValueError("limit must be a whole number from 1 to 1000.")
        params["limit"] = raw["limit"]
    params["filename"] = raw.get("filename", "").strip()
    if not _FILENAME.fullmatch(params["filename"]):
        raise ValueError("filename may hold only letters, digits and . / : _ - (200 at most).")
    if "clear" in raw:
        params["clear"] = "1"
    return params


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback


def _is_local(environ: WSGIEnvironment) -> bool:
    """A loopback client that calls the server by a loopback name, as no DNS-rebinding page can."""
    host = environ.get("HTTP_HOST")
    try:
        name = urlsplit(f"//{host}").hostname if host else None
    except ValueError:
        return False
    named_locally = host is None or name == "localhost" or _is_loopback(name or "")
    return named_locally and _is_loopback(environ.get("REMOTE_ADDR", ""))


def _plain(status: str, reason: str, *headers: tuple[str, str]) -> _Response:
    return status, [("Content-Type", "text/plain; charset=utf-8"), *headers], reason.encode() + b"\n"


def _respond(start_response: StartResponse, response: _Response) -> list[bytes]:
    status, headers, body = response
    start_response(status, [*headers, ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]
