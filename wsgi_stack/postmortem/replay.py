"""A stored request sent again, in process, to see whether it still fails: ``replay``'s parts.

:func:`rebuild` makes a WSGI environ from a snapshot's request: method, path, query, headers and
body, less every value that was redacted (a secret stays out of the replay too: pass your own
cookie or token with ``headers``).  :class:`Recorder` goes where the post-mortem layer would and
keeps the live exception of a request that fails, instead of a snapshot, so that ``pdb`` can be
started in its frames.
"""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

from wsgi_stack.postmortem.layer import CAPTURE_KEY
from wsgi_stack.postmortem.redact import REDACTED

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_NOT_SENT_AGAIN = {"Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "X-Request-Id"}


def rebuild(request: Mapping[str, Any], headers: Mapping[str, str] | None = None) -> WSGIEnvironment:
    """The environ of the stored ``request``; ``headers`` (``{"Cookie": ...}``) are added or replace."""
    kept = {
        name: value
        for name, value in request["headers"].items()
        if name not in _NOT_SENT_AGAIN and REDACTED not in str(value)
    }
    kept.update(headers or {})
    if "fields" in request["body"]:  # files are not stored: the other fields go as a plain form
        kept["Content-Type"] = "application/x-www-form-urlencoded"
    query = [(name, value) for name, value in request["query"] if REDACTED not in str(value)]
    body = _body(request["body"])
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request["method"],
        "PATH_INFO": request["path"],
        "SCRIPT_NAME": "",
        "QUERY_STRING": urlencode(query),
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": request.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
    }
    for name, value in kept.items():
        key = name.upper().replace("-", "_")
        environ[key if key in ("CONTENT_TYPE",) else f"HTTP_{key}"] = str(value)
    if "HTTP_HOST" in environ:
        host, _, port = environ["HTTP_HOST"].rpartition(":")
        environ["SERVER_NAME"], environ["SERVER_PORT"] = (host, port) if port.isdigit() else (port, "80")
    setup_testing_defaults(environ)
    return environ


def _body(body: Mapping[str, Any]) -> bytes:
    if "fields" in body:
        fields = [(n, v) for n, v in body["fields"] if isinstance(v, str) and REDACTED not in v]
        return urlencode(fields).encode()
    if "text" in body and REDACTED not in body["text"]:
        return str(body["text"]).encode()
    if "text" in body:  # JSON or text with a secret in it: the rest, with the secret's place left empty
        return str(body["text"]).replace(json.dumps(REDACTED)[1:-1], "").encode()
    return b""


class Recorder:
    """Keep the exception of a request that fails, whichever hook reports it (as the layer would)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.error: BaseException | None = None

    def record(self, exc_info: Any, environ: WSGIEnvironment, body: bytes | None = None) -> None:
        if self.error is None and exc_info[1] is not None:
            self.error = exc_info[1]

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[CAPTURE_KEY] = self.record
        try:
            return list(self.app(environ, start_response))
        except Exception as exc:
            self.record((type(exc), exc, exc.__traceback__), environ)
            raise
