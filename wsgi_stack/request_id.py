"""Give every request an id that appears in the response and in the logs.

Use it outermost, so that every other layer and the app can log the same id.
Behind a proxy that already sets ``X-Request-ID`` it keeps that id; do not
trust the incoming header (``trust_incoming=False``) when clients talk to this
server directly and the id feeds anything but logs.
"""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}\Z")


class RequestId:
    """Set ``X-Request-ID`` on the way in and on the way out.

    :param app: the WSGI app to wrap.
    :param header: the response header to set, ``X-Request-ID`` by default.
    :param trust_incoming: keep a well-formed id from the request's header
        (letters, digits, ``._-``, at most 64 characters) instead of making one.

    Reads ``HTTP_X_REQUEST_ID``.  Writes ``wsgi_stack.request_id`` and
    ``HTTP_X_REQUEST_ID`` (so frameworks see the id as a request header) and
    adds the header to the response.  The body passes through untouched.
    """

    def __init__(self, app: WSGIApplication, header: str = "X-Request-ID", trust_incoming: bool = True) -> None:
        self.app = app
        self.header = header
        self.trust_incoming = trust_incoming

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if self.trust_incoming and _VALID.match(incoming) else secrets.token_hex(16)
        environ["wsgi_stack.request_id"] = environ["HTTP_X_REQUEST_ID"] = request_id

        def add_header(status: str, headers: list[tuple[str, str]], exc_info=None):  # type: ignore[no-untyped-def]
            headers = [(k, v) for k, v in headers if k.lower() != self.header.lower()]
            headers.append((self.header, request_id))
            return start_response(status, headers, exc_info)

        return self.app(environ, add_header)
