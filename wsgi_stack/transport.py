"""A ``requests`` transport that calls apps mounted in this process directly.

A page that fetches ``/api/`` from its own server over HTTP holds a worker
while it waits for another worker to answer.  With a fixed pool (gunicorn sync
workers, waitress threads) every worker can end up waiting and the server
deadlocks.  Mounted on a ``requests.Session``, :class:`InProcessTransport`
sends a request straight to the WSGI app when its URL names the origin the
current request came in on and a path some :class:`wsgi_stack.mount.Mount`
serves; every other URL goes over the network through ``fallback``.  The
caller's ``requests`` code is the same either way.

Each local call runs on a thread of its own, so the inner request's
thread-local state (Django's script prefix, URLconf, database connections)
never touches the caller's; the body streams back through a bounded queue and
the call's read timeout applies to each wait for it.  Connect timeouts and
``fallback``'s retries do not apply: nothing connects.  Do not use it to fake
a remote service in tests: real servers test real failures.
"""

from __future__ import annotations

import contextvars
import http.client
import io
import logging
import queue
import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.exceptions import ProtocolError, ReadTimeoutError
from urllib3.response import HTTPResponse

if TYPE_CHECKING:

    from _typeshed.wsgi import WSGIEnvironment
    from requests import PreparedRequest, Response

    from wsgi_stack.mount import Mount

logger = logging.getLogger("wsgi_stack.transport")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_serving: contextvars.ContextVar[tuple[str, str, str, Mount, str | None]] = contextvars.ContextVar("wsgi_stack_serving")


def _origin(scheme: str, netloc: str) -> tuple[str, str, str] | None:
    """``(scheme, host, port)`` with the default port filled in; ``None`` for a malformed netloc."""
    try:
        parts = urlsplit(f"//{netloc}")
        return scheme, parts.hostname or "", str(parts.port or _DEFAULT_PORTS.get(scheme, ""))
    except ValueError:
        return None


def serving(environ: WSGIEnvironment, dispatcher: Mount) -> contextvars.Token[Any]:
    """Record which dispatcher serves which origin until the caller resets the returned token."""
    netloc = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO")
    return _serving.set((environ["wsgi.url_scheme"], netloc, environ.get("SCRIPT_NAME", ""), dispatcher, forwarded))


class _Call(threading.Thread):
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
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, as a server would turn it into a response
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


class _BodyReader(io.RawIOBase):
    def __init__(self, call: _Call, read_timeout: float | None) -> None:
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
                raise ReadTimeoutError(None, self._call.environ["PATH_INFO"], "in-process read timed out") from None  # type: ignore[arg-type]
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


class _Original:
    """The slice of ``http.client.HTTPResponse`` that requests' cookie handling reads."""

    def __init__(self, headers: list[tuple[str, str]], body: _BodyReader) -> None:
        self.msg = http.client.HTTPMessage()
        for name, value in headers:
            self.msg[name] = value
        self._body = body

    def isclosed(self) -> bool:
        return self._body.closed

    def close(self) -> None:
        self._body.close()


class InProcessTransport(BaseAdapter):
    """Route requests for this process's own mounted apps to their WSGI callables.

    :param fallback: the adapter for every other URL; a plain
        ``requests.adapters.HTTPAdapter`` when not given (pass one with
        ``max_retries`` to retry network calls).
    :param trust_forwarded_proto: behind a TLS-terminating proxy, take the
        request's scheme from ``X-Forwarded-Proto`` (only when the proxy sets
        it, as Django's ``SECURE_PROXY_SSL_HEADER`` assumes), so ``https://``
        URLs the apps build still count as this server's.

    Mount it for both schemes: ``session.mount("http://", transport)`` and
    ``session.mount("https://", transport)``.  A URL is local when a
    :class:`~wsgi_stack.mount.Mount` is serving the current request (in this
    thread or task), the URL's scheme, host and port equal that request's,
    and the path lies under a prefix the dispatcher mounts (its landing page
    does not count).  The environ it builds carries ``REMOTE_ADDR=127.0.0.1``
    and ``wsgi_stack.in_process=True``.
    """

    def __init__(self, fallback: BaseAdapter | None = None, trust_forwarded_proto: bool = False) -> None:
        super().__init__()
        self.fallback = fallback or HTTPAdapter()
        self.trust_forwarded_proto = trust_forwarded_proto
        self._builder = HTTPAdapter()

    @classmethod
    def session(cls, fallback: BaseAdapter | None = None, trust_forwarded_proto: bool = False) -> requests.Session:
        """A ``requests.Session`` with a transport mounted for ``http://`` and ``https://``."""
        session = requests.Session()
        transport = cls(fallback, trust_forwarded_proto)
        session.mount("http://", transport)
        session.mount("https://", transport)
        return session

    def send(self, request: PreparedRequest, stream: bool = False, **kwargs: Any) -> Response:
        local = self._local_call(request)
        if local is None:
            return self.fallback.send(request, stream=stream, **kwargs)
        timeout = kwargs.get("timeout")
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        call = _Call(*local)
        call.start()
        if not call.started.wait(read_timeout):
            call.cancelled.set()
            raise requests.ReadTimeout(f"in-process call to {request.url} sent no response within {read_timeout} s", request=request)
        status, headers = call.head  # type: ignore[misc]
        body = _BodyReader(call, read_timeout)
        raw = HTTPResponse(
            body=body,
            headers=headers,
            status=int(status.split(" ", 1)[0]),
            reason=status.partition(" ")[2],
            preload_content=False,
            decode_content=False,
            request_url=request.url,
            original_response=_Original(headers, body),  # type: ignore[arg-type]
        )
        response = self._builder.build_response(request, raw)
        if not stream:
            response.content  # noqa: B018 - read now, as HTTPAdapter does, and close the app's iterable
        return response

    def close(self) -> None:
        self.fallback.close()
        self._builder.close()

    def _local_call(self, request: PreparedRequest) -> tuple[Mount, WSGIEnvironment] | None:
        """The dispatcher and environ for ``request`` when it is for this process, else ``None``."""
        current = _serving.get(None)
        if current is None:
            return None
        scheme, netloc, root, dispatcher, forwarded = current
        if self.trust_forwarded_proto and forwarded is not None:
            # As Django reads SECURE_PROXY_SSL_HEADER: the first value decides, anything but https is http.
            scheme = "https" if forwarded.split(",", 1)[0].strip() == "https" else "http"
        origin = _origin(scheme, netloc)
        url = urlsplit(request.url)
        if origin is None or _origin(url.scheme, url.netloc) != origin:
            return None
        path = unquote_to_bytes(url.path or "/").decode("latin-1")
        if not path.startswith(root + "/") or dispatcher.match(path[len(root) :]) is None:
            return None
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        _, host, port = origin
        environ: WSGIEnvironment = {
            "REQUEST_METHOD": request.method or "GET",
            "SCRIPT_NAME": root,
            "PATH_INFO": path[len(root) :],
            "QUERY_STRING": url.query,
            "SERVER_NAME": host,
            "SERVER_PORT": port,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scheme,
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "wsgi_stack.in_process": True,
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ[key] = value
            elif key != "CONTENT_LENGTH":  # measured from the body above
                environ["HTTP_" + key] = value
        environ.setdefault("HTTP_HOST", url.netloc)
        return dispatcher, environ
