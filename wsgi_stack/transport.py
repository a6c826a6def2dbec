"""A ``requests`` transport that calls apps mounted in this process directly.

A page that fetches ``/api/`` from its own server over HTTP holds a worker
while it waits for another worker to answer.  With a fixed pool (gunicorn sync
workers, waitress threads) every worker can end up waiting and the server
deadlocks.  Mounted on a ``requests.Session``, :class:`InProcessTransport`
sends a request straight to the WSGI app when its URL names the origin the
current request came in on and a path some :class:`wsgi_stack.mount.Mount`
serves; every other URL goes over the network through ``fallback``.  The
caller's ``requests`` code is the same either way.

Do not use it to fake a remote service in tests: real servers test real
timeouts.  Timeouts do not apply to in-process calls, which are function calls.
"""

from __future__ import annotations

import contextvars
import http.client
import io
import itertools
import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes, urlsplit

from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3.response import HTTPResponse

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import WSGIEnvironment
    from requests import PreparedRequest, Response

    from wsgi_stack.mount import Mount

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_serving: contextvars.ContextVar[tuple[str, str, str, Mount]] = contextvars.ContextVar("wsgi_stack_serving")


def _origin(scheme: str, netloc: str) -> tuple[str, str, str]:
    host, _, port = netloc.lower().rpartition(":") if not netloc.endswith("]") else (netloc.lower(), "", "")
    if not host or not port.isdigit():
        host, port = netloc.lower(), ""
    return scheme, host, port or _DEFAULT_PORTS.get(scheme, "")


def serving(environ: WSGIEnvironment, dispatcher: Mount) -> contextvars.Token[Any]:
    """Record which dispatcher serves which origin until the caller resets the returned token."""
    netloc = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return _serving.set((environ["wsgi.url_scheme"], netloc, environ.get("SCRIPT_NAME", ""), dispatcher))


class _BodyReader(io.RawIOBase):
    def __init__(self, chunks: Iterator[bytes], iterable: Iterable[bytes]) -> None:
        self._iterable = iterable
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed and hasattr(self._iterable, "close"):
            self._iterable.close()
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

    Mount it for both schemes: ``session.mount("http://", transport)`` and
    ``session.mount("https://", transport)``.  A URL is local when a
    :class:`~wsgi_stack.mount.Mount` is serving the current request (in this
    thread or task), the URL's scheme, host and port equal that request's,
    and the path lies under a prefix the dispatcher mounts (its landing page
    does not count).  The environ it builds carries ``REMOTE_ADDR=127.0.0.1``
    and ``wsgi_stack.in_process=True``.
    """

    def __init__(self, fallback: BaseAdapter | None = None) -> None:
        super().__init__()
        self.fallback = fallback or HTTPAdapter()
        self._builder = HTTPAdapter()

    def send(self, request: PreparedRequest, stream: bool = False, **kwargs: Any) -> Response:
        environ = self._local_environ(request)
        if environ is None:
            return self.fallback.send(request, stream=stream, **kwargs)
        dispatcher = _serving.get()[3]
        captured: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info and captured:
                raise exc_info[1].with_traceback(exc_info[2])
            captured[:] = [status, headers]
            return lambda data: None

        result = dispatcher(environ, start_response)
        chunks = iter(result)
        early: list[bytes] = []
        while not captured:
            early.append(next(chunks))
        body = _BodyReader(itertools.chain(early, chunks), result)
        status, headers = captured
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

    @staticmethod
    def _local_environ(request: PreparedRequest) -> WSGIEnvironment | None:
        current = _serving.get(None)
        if current is None:
            return None
        scheme, netloc, root, dispatcher = current
        origin = _origin(scheme, netloc)
        url = urlsplit(request.url)
        if _origin(url.scheme, url.netloc) != origin:
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
            if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                environ[key] = value if key == "CONTENT_TYPE" else environ[key]
            else:
                environ["HTTP_" + key] = value
        environ.setdefault("HTTP_HOST", url.netloc)
        return environ
