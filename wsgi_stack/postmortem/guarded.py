"""The guarded ways :mod:`.values` looks into a value: no descriptor runs, no ``repr()`` runs unbounded.

:func:`instance_dict` reads an object's ``__dict__`` and slots as stored, so no property, lazy
attribute or ``__getattr__`` runs.  :func:`timed_repr` calls a class's own ``__repr__`` under a
trace function that stops it when its time is up (a loop), and catches what it raises (recursion
included).  C code that loops cannot be stopped this way; the builtins that :mod:`.values` calls
``repr()`` on do not.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

    from wsgi_stack.postmortem.redact import Redactor


class _Overrun(Exception):
    """Raised into a ``__repr__`` that runs past the time budget."""


def first(values: Any, count: int) -> Iterator[Any]:
    for index, item in enumerate(values):
        if index >= count:
            return
        yield item


def instance_dict(value: Any) -> dict[str, Any]:
    try:
        state = object.__getattribute__(value, "__dict__")
    except AttributeError:
        state = {}
    slots = [name for cls in type(value).__mro__ for name in getattr(cls, "__slots__", ())]
    for name in slots if isinstance(slots, list) else ():
        try:
            state = {**state, name: object.__getattribute__(value, name)}
        except AttributeError:
            continue
    return state if isinstance(state, dict) else {}


def timed_repr(value: Any, seconds: float, chars: int, redact: Redactor | None) -> str:
    """A class's own ``__repr__``, stopped if it raises, recurses or runs past ``seconds``."""
    deadline = time.perf_counter() + seconds

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if time.perf_counter() > deadline:
            raise _Overrun
        return tracer

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        text = repr(value)
    except _Overrun:
        return "<repr ran past its time budget>"
    except RecursionError:
        return "<repr recursed without end>"
    except Exception as exc:
        return f"<repr raised {type(exc).__name__}>"
    finally:
        sys.settrace(previous)
    text = text[:chars]
    return redact(text) if redact else text
