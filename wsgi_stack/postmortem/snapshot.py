"""A crashed request's call stack as bounded JSON: what the post-mortem layer (``layer.py``) stores.

:func:`take` records the exception and the chain of its causes and contexts; every frame of the
failing thread (the traceback's, then the ones above it), each with its file, line, function, ±7
source lines, the file's hash (so a later reader can tell the source changed) and every local
(:mod:`.values`: bounded, never ``repr()`` of what could run a query); the request (method, path,
query, headers, a size-capped body, the request id); the UTC time; Python's and the frameworks'
versions.  Secrets go through the :class:`~wsgi_stack.postmortem.redact.Redactor` first (source
lines, which come from files and not from the request, through the site's, which remembers them).
Then the traceback's frames are cleared, so a snapshot pins nothing of the crashed request in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import linecache
import platform
import secrets
import sys
import traceback
from functools import cache
from typing import TYPE_CHECKING, Any

from wsgi_stack.postmortem.request import describe_request, request_redactor
from wsgi_stack.postmortem.values import Budget, named

if TYPE_CHECKING:
    from types import FrameType, TracebackType

    from _typeshed.wsgi import WSGIEnvironment

    from wsgi_stack.postmortem.redact import Redactor

CONTEXT = 7
MAX_CHAIN = 5
MAX_OUTER = 40
FRAMEWORKS = ("Django", "pyramid", "Jinja2", "WebOb", "requests", "waitress", "gunicorn", "tornado")


def take(
    exc: BaseException, environ: WSGIEnvironment, redactor: Redactor, body: bytes = b""
) -> dict[str, Any]:
    """The snapshot of ``exc``, raised while serving ``environ`` (whose request body began with ``body``)."""
    redact = request_redactor(redactor, environ, body)
    budget = Budget()
    chain = []
    for position, (link, error) in enumerate(_chain(exc)):
        innermost_first = reversed(_tracebacks(error.__traceback__))  # the budget goes to them first
        frames = [_frame(tb.tb_frame, tb.tb_lineno, budget, redact, redactor) for tb in innermost_first][::-1]
        if position == 0 and error.__traceback__ is not None:
            frames = [*_outer(error.__traceback__.tb_frame.f_back, budget, redact, redactor), *frames]
        chain.append(
            {"link": link, "type": _name(type(error)), "message": redact(_message(error)), "frames": frames}
        )
    snapshot = {
        "id": f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(6)}",
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "fingerprint": fingerprint(exc),
        "exceptions": chain,
        "request": describe_request(environ, body, budget, redact),
        "versions": versions(),
        "spent": {"seconds": round(budget.elapsed, 4), "budget_exhausted": budget.exhausted},
    }
    for _, error in _chain(exc):
        release(error.__traceback__)
    return snapshot


def release(tb: TracebackType | None) -> None:
    """Clear the finished frames of ``tb``, so the crashed request's objects can be freed.

    ``traceback.clear_frames`` empties each frame, but before 3.13 a frame keeps the dictionary its
    ``f_locals`` once returned; reading ``f_locals`` again brings that dictionary in line (empty).
    """
    traceback.clear_frames(tb)
    for each in _tracebacks(tb):
        each.tb_frame.f_locals  # noqa: B018 (the read is the point: see above)


def fingerprint(exc: BaseException) -> str:
    """The group a crash belongs to: its type and where it was raised (file and line of every frame)."""
    places = [
        f"{_short(tb.tb_frame.f_code.co_filename)}:{tb.tb_lineno}" for tb in _tracebacks(exc.__traceback__)
    ]
    return hashlib.sha256(" ".join([_name(type(exc)), *places]).encode()).hexdigest()[:16]


def _chain(exc: BaseException) -> list[tuple[str, BaseException]]:
    """The exception, then what caused it (``raise ... from``) or was being handled when it happened."""
    found: list[tuple[str, BaseException]] = [("raised", exc)]
    seen = {id(exc)}
    while len(found) < MAX_CHAIN:
        current = found[-1][1]
        link, following = (
            ("cause", current.__cause__) if current.__cause__ else ("context", current.__context__)
        )
        if following is None or id(following) in seen or (link == "context" and current.__suppress_context__):
            break
        seen.add(id(following))
        found.append((link, following))
    return found


def _tracebacks(tb: TracebackType | None) -> list[TracebackType]:
    found = []
    while tb is not None:
        found.append(tb)
        tb = tb.tb_next
    return found


def _outer(frame: FrameType | None, budget: Budget, redact: Redactor, site: Redactor) -> list[dict[str, Any]]:
    """The frames above the one that caught the exception, outermost first, marked as such."""
    frames: list[dict[str, Any]] = []
    while frame is not None and len(frames) < MAX_OUTER:
        frames.append({**_frame(frame, frame.f_lineno, budget, redact, site), "outer": True})
        frame = frame.f_back
    return frames[::-1]


def _frame(frame: FrameType, line: int, budget: Budget, redact: Redactor, site: Redactor) -> dict[str, Any]:
    code = frame.f_code
    names = dict(frame.f_locals)  # a copy: 3.13's FrameLocalsProxy cannot be copied otherwise
    start = max(1, line - CONTEXT)
    function = getattr(code, "co_qualname", code.co_name)
    if code.co_name not in function:  # a code object renamed by replace(), as Jinja2 names its templates'
        function = code.co_name
    values = {}
    for name, value in names.items():
        budget.place, budget.where = str(name), function
        values[str(name)] = named(name, value, budget, redact)
    source = [text.rstrip("\n") for text in linecache.getlines(code.co_filename)[start - 1 : line + CONTEXT]]
    return {
        "file": code.co_filename,
        "line": line,
        "function": function,
        "source": {"first": start, "lines": [site.remembered(text) for text in source]},
        "sha256": file_hash(code.co_filename),
        "args": list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]),
        "locals": values,
    }


def source_hash(filename: str) -> str | None:
    """The SHA-256 of a source file as it is now (``None`` if it cannot be read)."""
    try:
        with open(filename, "rb") as source:
            return hashlib.sha256(source.read()).hexdigest()
    except OSError:
        return None


# As first seen in this process: the source the running code was loaded from, or close to it.
file_hash = cache(source_hash)


@cache
def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0], "implementation": platform.python_implementation()}
    for name in FRAMEWORKS:
        try:
            found[name.lower()] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _message(error: BaseException) -> str:
    try:
        return str(error)[:2000]
    except Exception as exc:
        return f"<str() raised {type(exc).__name__}>"


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")


def _short(filename: str) -> str:
    """A path without its install location, so one crash on two hosts has one fingerprint."""
    for marker in ("/site-packages/", "/dist-packages/", "/lib/python"):
        if marker in filename:
            return filename.rsplit(marker, 1)[1]
    parts = filename.replace("\\", "/").split("/")
    return "/".join(parts[-3:])
