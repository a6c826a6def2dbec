"""Give every request an id that appears in the response and in the logs.

Use it outermost, so that every other layer and the app can log the same id.
Behind a proxy that already sets ``X-Request-ID`` it keeps that id; do not
trust the incoming header (``trust_incoming=False``) when clients talk to this
server directly and the id feeds anything but logs.
"""

from __future__ import annotations

import itertools
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")


class RequestId:
    """Set ``X-Request-ID`` on the way in and on the way out.

    :param app: the WSGI app to wrap.
    :param header: the response header to set, ``X-Request-ID`` by default.
    :param trust_incoming: keep a well-formed id from the request's header
        (letters, digits, ``._-``, at most 64 characters) instead of making one.

    A made id is a random per-process prefix and a counter: unique, cheap,
    and not a secret.  The app should not set the header itself.

    Reads ``HTTP_X_REQUEST_ID``.  Writes ``wsgi_stack.request_id`` and
    ``HTTP_X_REQUEST_ID`` (so frameworks see the id as a request header) and
    adds the header to the response.  The body passes through untouched.
    """

    def __init__(
        self, app: WSGIApplication, header: str = "X-Request-ID", trust_incoming: bool = True
    ) -> None:
        self.app = app
        self.header = header
        self.trust_incoming = trust_incoming
        self._prefix = secrets.token_hex(8)
        self._counter = itertools.count(1)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID")
        if incoming and self.trust_incoming and _VALID.match(incoming):
            request_id = incoming
        else:
            request_id = f"{self._prefix}{next(self._counter):08x}"
        environ["wsgi_stack.request_id"] = environ["HTTP_X_REQUEST_ID"] = request_id

        def add_header(
            status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
        ) -> Callable[[bytes], object]:
            return start_response(status, [*headers, (self.header, request_id)], exc_info)

        return self.app(environ, add_header)
