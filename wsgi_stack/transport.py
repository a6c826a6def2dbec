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

import io
import sys
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes, urlsplit

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from urllib3 import HTTPHeaderDict
from urllib3.response import HTTPResponse

from wsgi_stack.inprocess import BodyReader, Call, Original
from wsgi_stack.serving import current

if TYPE_CHECKING:
    from collections.abc import Mapping

    from _typeshed.wsgi import WSGIEnvironment
    from requests import PreparedRequest, Response

    from wsgi_stack.serving import Dispatcher

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _origin(scheme: str, netloc: str) -> tuple[str, str, str] | None:
    """``(scheme, host, port)`` with the default port filled in; ``None`` for a malformed netloc."""
    try:
        parts = urlsplit(f"//{netloc}")
        return scheme, parts.hostname or "", str(parts.port or _DEFAULT_PORTS.get(scheme, ""))
    except ValueError:
        return None


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
    def session(
        cls, fallback: BaseAdapter | None = None, trust_forwarded_proto: bool = False
    ) -> requests.Session:
        """A ``requests.Session`` with a transport mounted for ``http://`` and ``https://``."""
        session = requests.Session()
        transport = cls(fallback, trust_forwarded_proto)
        session.mount("http://", transport)
        session.mount("https://", transport)
        return session

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        local = self._local_call(request)
        if local is None:
            return self.fallback.send(request, stream, timeout, verify, cert, proxies)
        read_timeout = timeout[1] if isinstance(timeout, tuple) else timeout
        call = Call(*local)
        call.start()
        if not call.started.wait(read_timeout):
            call.cancelled.set()
            raise requests.ReadTimeout(
                f"in-process call to {request.url} sent no response within {read_timeout} s", request=request
            )
        status, headers = call.head or ("502 Bad Gateway", [])
        body = BodyReader(call, read_timeout)
        raw = HTTPResponse(
            body=body,
            headers=HTTPHeaderDict(headers),
            status=int(status.split(" ", 1)[0]),
            reason=status.partition(" ")[2],
            preload_content=False,
            decode_content=False,
            request_url=request.url,
            # urllib3 reads only .msg and isclosed() of the http.client response it expects here.
            original_response=Original(headers, body),  # type: ignore[arg-type]
        )
        response = self._builder.build_response(request, raw)
        if not stream:
            response.content  # noqa: B018 - read now, as HTTPAdapter does, and close the app's iterable
        return response

    def close(self) -> None:
        self.fallback.close()
        self._builder.close()

    def _local_call(self, request: PreparedRequest) -> tuple[Dispatcher, WSGIEnvironment] | None:
        """The dispatcher and environ for ``request`` when it is for this process, else ``None``."""
        now = current()
        if now is None:
            return None
        scheme, netloc, root, dispatcher, forwarded = (
            now.scheme,
            now.netloc,
            now.root,
            now.dispatcher,
            now.forwarded_proto,
        )
        if self.trust_forwarded_proto and forwarded is not None:
            # As Django reads SECURE_PROXY_SSL_HEADER: the first value decides, anything but https is http.
            scheme = "https" if forwarded.split(",", 1)[0].strip() == "https" else "http"
        origin = _origin(scheme, netloc)
        url = urlsplit(str(request.url))
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
