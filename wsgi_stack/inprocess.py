"""One in-process request, run on a thread of its own, its body streamed back through a small queue.

:class:`~wsgi_stack.transport.InProcessTransport` starts a :class:`Call` and hands ``requests`` a
:class:`BodyReader` over its queue, so the caller reads the body as it would read a socket, with
the read timeout applying to each wait.
"""

from __future__ import annotations

import http.client
import io
import logging
import queue
import threading
from typing import TYPE_CHECKING, Any

from urllib3.exceptions import ProtocolError, ReadTimeoutError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

logger = logging.getLogger("wsgi_stack.transport")


class Call(threading.Thread):
    """One in-process request, run on a thread of its own.

    Frameworks keep per-request state in thread-locals (Django's script
    prefix, URLconf and database connections, and its ``request_finished``
    closes them), so the inner request must not share the caller's thread.
    The body travels through a small queue, chunk by chunk, and the inner
    iterable is closed on the thread that produced it.
    """

    def __init__(self, app: Any, environ: WSGIEnvironment) -> None:
        super().__init__(name="wsgi_stack in-process call", daemon=True)
        self.app, self.environ = app, environ
        self.head: tuple[str, list[tuple[str, str]]] | None = None
        self.started = threading.Event()
        self.cancelled = threading.Event()
        self.chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=4)

    def _start_response(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info and self.started.is_set():
            raise exc_info[1].with_traceback(exc_info[2])
        self.head = (status, headers)
        self.started.set()
        return lambda data: None

    def _put(self, item: bytes | BaseException | None) -> bool:
        while not self.cancelled.is_set():
            try:
                self.chunks.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run(self) -> None:
        try:
            result = self.app(self.environ, self._start_response)
            try:
                for chunk in result:
                    if chunk and not self._put(chunk):
                        break
            finally:
                if hasattr(result, "close"):
                    result.close()
        except BaseException as exc:
            if not self.started.is_set():
                logger.exception("in-process call to %s failed", self.environ.get("PATH_INFO"))
                self.head = ("500 Internal Server Error", [("Content-Type", "text/plain; charset=utf-8")])
                self.started.set()
                self._put(b"500 Internal Server Error: the in-process app raised an exception\n")
            else:
                self._put(exc)
        finally:
            self.started.set()
            self._put(None)


class BodyReader(io.RawIOBase):
    def __init__(self, call: Call, read_timeout: float | None) -> None:
        self._call = call
        self._read_timeout = read_timeout
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            try:
                item = self._call.chunks.get(timeout=self._read_timeout)
            except queue.Empty:
                path = self._call.environ["PATH_INFO"]
                pool = None  # nothing connected, so no connection pool to name
                error = ReadTimeoutError(pool, path, "in-process read timed out")  # type: ignore[arg-type]
                raise error from None
            if item is None:
                self._done = True
            elif isinstance(item, BaseException):
                raise ProtocolError("the in-process app failed while sending its body", item)
            else:
                self._pending = item
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        self._call.cancelled.set()
        super().close()


class Original:
    """The slice of ``http.client.HTTPResponse`` that requests' cookie handling reads."""

    def __init__(self, headers: list[tuple[str, str]], body: BodyReader) -> None:
        self.msg = http.client.HTTPMessage()
        for name, value in headers:
            self.msg[name] = value
        self._body = body

    def isclosed(self) -> bool:
        return self._body.closed

    def close(self) -> None:
        self._body.close()
