"""Start-up mistakes as one sentence naming the flag or variable and the fix, never a traceback.

Every server entry point builds its app inside :func:`reported`: a mistake in the environment, a
data folder that cannot be written, a database that does not answer, a port already taken, each
becomes one line on stderr and exit status 1 (argparse gives usage mistakes status 2).  Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
import socket
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from apps.pyramid_forms.store import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator


class StartupError(Exception):
    """A mistake a person starting a command can fix; the message says how."""


def port_problem(exc: OSError, host: str, port: int) -> StartupError:
    """What an ``OSError`` from binding ``host:port`` means."""
    if exc.errno == errno.EADDRINUSE:
        return StartupError(
            f"port {port} on {host} is already in use: stop what listens there, or pass --port with "
            "another number (--port 0 takes any free one)"
        )
    if exc.errno == errno.EACCES:
        return StartupError(f"port {port} needs privileges this user lacks: pass --port 1024 or above")
    if isinstance(exc, socket.gaierror) or exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
        return StartupError(f"--host {host} is not an address of this machine: try 127.0.0.1 or 0.0.0.0")
    return StartupError(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def explain(exc: BaseException) -> str | None:
    """One sentence for a start-up mistake, or ``None`` for a bug (which keeps its traceback)."""
    if isinstance(exc, StartupError | ImproperlyConfigured):
        return str(exc)
    if isinstance(exc, DatabaseError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"the database in DATABASE_URL does not answer ({first}): start it, or fix DATABASE_URL"
    if isinstance(exc, StoreError):
        return f"{exc}: start the database, or fix DATABASE_URL"
    return None


@contextmanager
def reported(prog: str) -> Iterator[None]:
    """Turn a start-up mistake raised inside into one line on stderr and ``SystemExit(1)``."""
    try:
        yield
    except Exception as exc:
        message = explain(exc)
        if message is None:
            raise
        print(f"{prog}: {message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
