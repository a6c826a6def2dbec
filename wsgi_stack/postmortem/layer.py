"""Keep a crashed request's call stack, safely, and show the crashes to whoever may see them.

Put :class:`PostMortem` inside the error-page layer: an exception that escapes the app is stored
as a snapshot (:mod:`.snapshot`) and raised on, so the visitor gets the 500 page with the request
id and nothing more.  Frameworks that turn exceptions into a 500 themselves (Django, Pyramid)
call the hook the layer puts in the environ, ``wsgi_stack.postmortem.capture(exc_info, environ)``,
from their own error handling; whichever hooks see a crash, it is stored once.  ``path`` lists
the crashes and shows each, to loopback clients or holders of the token only; it never runs code.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from wsgi_stack import pages
from wsgi_stack.gate import Gate
from wsgi_stack.postmortem import page
from wsgi_stack.postmortem.request import BODY_CAP
from wsgi_stack.postmortem.snapshot import take

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from types import TracebackType

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from wsgi_stack.postmortem.redact import Redactor
    from wsgi_stack.postmortem.store import Store

    ExcInfo = tuple[type[BaseException] | None, BaseException | None, TracebackType | None]

logger = logging.getLogger("wsgi_stack.postmortem")
CAPTURE_KEY = "wsgi_stack.postmortem.capture"
ID_KEY = "wsgi_stack.postmortem.id"
BODY_KEY = "wsgi_stack.postmortem.body"


class PostMortem:
    """Store a snapshot of each request that fails; show them at ``path``.

    :param app: the WSGI app to wrap.
    :param store: where snapshots go (:class:`~wsgi_stack.postmortem.store.FileStore` or ``SqlStore``).
    :param redactor: the site's secrets and the rules that keep them out.
    :param token: with a token, ``X-Postmortem-Token`` must carry it to see ``path``; without,
        loopback clients only (:class:`~wsgi_stack.gate.Gate`).
    :param path: where the crashes are listed.

    Reads ``wsgi.input`` (a copy of its first 64 kB, as the app reads it), ``PATH_INFO``,
    ``REQUEST_METHOD`` and what the snapshot records; writes ``wsgi_stack.postmortem.capture``
    (the hook), ``wsgi_stack.postmortem.body`` (the copy) and ``wsgi_stack.postmortem.id`` (the
    stored snapshot's id).
    """

    def __init__(
        self,
        app: WSGIApplication,
        store: Store,
        redactor: Redactor,
        token: str | None = None,
        path: str = "/__postmortem__",
    ) -> None:
        self.app, self.store, self.redactor, self.path = app, store, redactor, path
        self.gate = Gate(token, header="X-Postmortem-Token")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == self.path or path.startswith(self.path + "/"):
            return self._show(environ, start_response, path[len(self.path) :])
        environ["wsgi.input"] = environ[BODY_KEY] = recorder = _Recorded(environ["wsgi.input"])
        environ[CAPTURE_KEY] = self.capture
        try:
            return _Watched(self.app(environ, start_response), self, environ)
        except Exception as exc:
            self.capture((type(exc), exc, exc.__traceback__), environ, recorder.kept)
            raise

    def capture(self, exc_info: ExcInfo, environ: WSGIEnvironment, body: bytes | None = None) -> str | None:
        """Store one snapshot of ``exc_info`` for this request (the first hook to call wins)."""
        error = exc_info[1]
        if error is None or environ.get(ID_KEY):
            return environ.get(ID_KEY)
        kept = body if body is not None else getattr(environ.get(BODY_KEY), "kept", b"")
        try:
            snapshot = take(error, environ, self.redactor, kept)
            self.store.save(snapshot)
        except Exception:  # a crash report must never turn into a second crash
            logger.exception("could not store the snapshot of a failed request")
            return None
        environ[ID_KEY] = snapshot["id"]
        logger.info(
            "stored the snapshot %s of request %s", snapshot["id"], environ.get("wsgi_stack.request_id")
        )
        return str(snapshot["id"])

    def _show(self, environ: WSGIEnvironment, start_response: StartResponse, subpath: str) -> Iterable[bytes]:
        if not self.gate.allows(environ):
            return pages.error(environ, start_response, 403, self.gate.refusal())
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return pages.error(
                environ, start_response, 405, "The crash pages only show.", [("Allow", "GET, HEAD")]
            )
        if subpath in ("", "/"):
            body = page.listing(environ, self.path, self.store.groups())
        else:
            snapshot = self.store.load(subpath.strip("/"))
            if snapshot is None:
                return pages.error(environ, start_response, 404, "No crash is stored under that id.")
            body = page.snapshot(environ, self.path, snapshot)
        return pages.respond(start_response, 200, body)


class _Recorded:
    """``wsgi.input``, keeping a copy of the first :data:`BODY_CAP` bytes the app reads."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.kept = stream, b""

    def _keep(self, data: bytes) -> bytes:
        if len(self.kept) < BODY_CAP:
            self.kept += data[: BODY_CAP - len(self.kept)]
        return data

    def read(self, *args: Any) -> bytes:
        return self._keep(self.stream.read(*args))

    def readline(self, *args: Any) -> bytes:
        return self._keep(self.stream.readline(*args))

    def readlines(self, *args: Any) -> list[bytes]:
        return [self._keep(line) for line in self.stream.readlines(*args)]

    def __iter__(self) -> Iterator[bytes]:
        return (self._keep(line) for line in self.stream)


class _Watched:
    """The app's body, captured if it fails while being iterated; closed as the server closes it."""

    def __init__(self, result: Iterable[bytes], owner: PostMortem, environ: WSGIEnvironment) -> None:
        self.result, self.owner, self.environ = result, owner, environ
        self.iterator = iter(result)

    def __iter__(self) -> _Watched:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self.iterator)
        except StopIteration:
            raise
        except Exception as exc:
            self.owner.capture((type(exc), exc, exc.__traceback__), self.environ)
            raise

    def close(self) -> None:
        if hasattr(self.result, "close"):
            self.result.close()
