"""Which dispatcher is serving the current request, and on which origin.

:class:`~wsgi_stack.mount.Mount` records it for as long as an app runs;
:class:`~wsgi_stack.transport.InProcessTransport` reads it to decide whether a URL names an app of
this process.  A context variable, so each thread (and each asyncio task) sees its own request.
This module imports nothing but the standard library: mounting never pulls in ``requests``.
"""

from __future__ import annotations

import contextvars
import dataclasses
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class Dispatcher(Protocol):
    """A WSGI app that owns some path prefixes (:class:`~wsgi_stack.mount.Mount` is one)."""

    def match(self, path: str) -> str | None: ...

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]: ...


@dataclasses.dataclass(frozen=True)
class Serving:
    """The request being served: its scheme and ``Host``, the dispatcher's ``SCRIPT_NAME``, and the
    ``X-Forwarded-Proto`` a proxy sent, if any."""

    scheme: str
    netloc: str
    root: str
    dispatcher: Dispatcher
    forwarded_proto: str | None
    environ_id: int = 0


_current: contextvars.ContextVar[Serving] = contextvars.ContextVar("wsgi_stack_serving")


def serving(environ: WSGIEnvironment, dispatcher: Dispatcher) -> contextvars.Token[Serving]:
    """Record that ``dispatcher`` serves ``environ`` until the caller resets the returned token.

    A dispatcher nested in another (a demo made of several apps, mounted in the site's) leaves the
    outer one recorded: it owns every path of the process, the nested one only its own.
    """
    outer = _current.get(None)
    if outer is not None and outer.environ_id == id(environ):
        return _current.set(outer)
    netloc = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    forwarded = environ.get("HTTP_X_FORWARDED_PROTO")
    root = environ.get("SCRIPT_NAME", "")
    return _current.set(Serving(environ["wsgi.url_scheme"], netloc, root, dispatcher, forwarded, id(environ)))


def current() -> Serving | None:
    """What this thread or task is serving, or ``None`` outside a mounted request."""
    return _current.get(None)
