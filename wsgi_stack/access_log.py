"""Time each request, report it in ``Server-Timing`` and log one line at the end.

``Server-Timing: app;dur=12.3`` is the time until the app called
``start_response``: browsers' developer tools show it next to the network
timings.  The log line, written when the server closes the response, carries
the total time including the body, the status, the bytes sent and the request
id.  Query strings are left out of the log because they can carry secrets
(an OAuth ``code``, a reset token).  Do not use it as a metrics system.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("wsgi_stack.access")


class _Logged:
    __slots__ = ("_iterable", "_iterator", "_on_close", "sent")

    def __init__(self, iterable: Iterable[bytes], on_close: Any) -> None:
        self._iterable = iterable
        self._iterator: Iterator[bytes] = iter(iterable)
        self._on_close = on_close
        self.sent = 0

    def __iter__(self) -> _Logged:
        return self

    def __next__(self) -> bytes:
        chunk = next(self._iterator)
        self.sent += len(chunk)
        return chunk

    def close(self) -> None:
        try:
            if hasattr(self._iterable, "close"):
                self._iterable.close()
        finally:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:
                on_close(self.sent)


def _as_sent(path: str) -> str:
    """The path percent-encoded again, as on the request line: a decoded newline could forge a log line."""
    return quote(path.encode("latin-1", "replace"), safe="/!$&'()*+,;=:@-._~")


class AccessLog:
    """Add ``Server-Timing`` to every response and log each request once.

    :param app: the WSGI app to wrap.
    :param logger: where lines go (``wsgi_stack.access`` by default, at INFO).
    :param metric: the ``Server-Timing`` metric name, ``app`` by default.

    Reads ``REQUEST_METHOD``, ``SCRIPT_NAME``, ``PATH_INFO`` (logged percent-encoded), ``REMOTE_ADDR``
    and ``wsgi_stack.request_id`` (set by :class:`~wsgi_stack.request_id.RequestId`
    when it is outside this layer); writes nothing to the environ.  The body
    is counted chunk by chunk as the server sends it, never buffered; when
    the logger is off for INFO, the body is not wrapped at all, and a
    ``wsgi.file_wrapper`` body is passed through (logged with size ``-1``).
    """

    def __init__(self, app: WSGIApplication, logger: logging.Logger = logger, metric: str = "app") -> None:
        self.app = app
        self.logger = logger
        self.metric = metric

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        status_line = ["-"]

        def timed_start_response(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            status_line[0] = status.split(" ", 1)[0]
            elapsed = (time.perf_counter() - started) * 1000
            return start_response(
                status, [*headers, ("Server-Timing", f"{self.metric};dur={elapsed:.1f}")], exc_info
            )

        if not self.logger.isEnabledFor(logging.INFO):
            return self.app(environ, timed_start_response)

        def log(sent: int) -> None:
            self.logger.info(
                "%s %s %s %s %s %d %.1fms",
                environ.get("wsgi_stack.request_id", "-"),
                environ.get("REMOTE_ADDR", "-"),
                environ.get("REQUEST_METHOD", "-"),
                _as_sent(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")),
                status_line[0],
                sent,
                (time.perf_counter() - started) * 1000,
            )

        result = self.app(environ, timed_start_response)
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(result, file_wrapper):
            log(-1)  # wrapping would cost the server its sendfile(); the size is in Content-Length
            return result
        return _Logged(result, log)
