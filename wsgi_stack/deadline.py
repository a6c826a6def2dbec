"""A total deadline for ``requests`` calls, on top of their per-read timeout.

``requests``' ``timeout=(connect, read)`` bounds each wait for bytes, not the whole answer: an
upstream that sends one byte per read timeout, in its headers or its body, holds the caller (a
worker of a fixed pool) for as long as it likes.  Mount :class:`DeadlineAdapter` and make the
calls inside ``with deadline(seconds):``: when the time is up, the sockets the calls use are shut
down, so whatever read is blocked fails at once and ``requests`` raises its usual error.  After
the block, ``expired`` says whether the deadline is what ended it.
"""

from __future__ import annotations

import contextvars
import socket
import threading
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from collections.abc import Iterator

_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "wsgi_stack_deadline", default=None
)


class Deadline:
    """The sockets of the calls made under one deadline, shut down when it passes."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by its owner


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Calls through a :class:`DeadlineAdapter` inside the block end by ``seconds`` from now."""
    watched = Deadline(seconds)
    token = _current.set(watched)
    watched._timer.start()
    try:
        yield watched
    finally:
        watched._timer.cancel()
        _current.reset(token)


class _Watched:
    """Hands each socket a call uses to the deadline in force, if any."""

    sock: socket.socket | None

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]  # a mixin of urllib3's connections
        self._watch()

    def request(self, *args: Any, **kwargs: Any) -> None:
        self._watch()  # a kept-alive connection is already connected
        super().request(*args, **kwargs)  # type: ignore[misc]

    def _watch(self) -> None:
        watched = _current.get()
        if watched is not None:
            watched.watch(self.sock)


class _HTTPConnection(_Watched, HTTPConnection):
    pass


class _HTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """``requests``' own adapter (retries and all), whose connections obey :func:`deadline`.

    Takes ``HTTPAdapter``'s parameters.  Outside a ``with deadline(...)`` block it behaves exactly
    like ``HTTPAdapter``.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
