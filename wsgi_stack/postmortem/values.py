"""Any Python value as bounded, side-effect-free JSON: what a crash's locals are stored as.

``repr()`` is not safe on a crashed request's locals: a Django ``QuerySet``'s runs a query (which
fails in an aborted PostgreSQL transaction), a lazy ``request.user`` loads a session, a 200k-item
list makes a string of megabytes, a user's ``__repr__`` may raise or loop.  :func:`describe` walks a
value itself instead, under budgets (depth, items, characters), reading attributes from the
instance dictionary (no property or descriptor runs), and calls ``repr()`` only for builtin types
and for classes that define their own ``__repr__``, each call under a try/except and a time budget.
Types are read with ``type()``, never ``isinstance()``, which asks a lazy object for its
``__class__`` and so evaluates it.  What is cut says how much: ``"trimmed": N``.  Never pickled:
a snapshot is data, never code.
"""

from __future__ import annotations

import dataclasses
import time
import types
from typing import TYPE_CHECKING, Any

from wsgi_stack.postmortem.guarded import first, instance_dict, timed_repr
from wsgi_stack.postmortem.redact import REDACTED

if TYPE_CHECKING:
    from wsgi_stack.postmortem.redact import Redactor

SCALARS = (bool, int, float, complex, type(None))
SEQUENCES = (list, tuple, set, frozenset)
_SHOWN_WHOLE = (*SCALARS, str, bytes, type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)


@dataclasses.dataclass
class Budget:
    """How far a walk may go: levels, items per container, characters per text, seconds in all."""

    depth: int = 3
    items: int = 12
    chars: int = 160
    seconds: float = 0.25
    total_chars: int = 150_000  # about the JSON's bytes: a snapshot stays under 256 KB
    started: float = dataclasses.field(default_factory=time.perf_counter)
    spent_chars: int = 0
    # Objects already shown, by id, and where: a request's environ passes through twenty frames.
    # Each object is held while the walk lasts, so that its id is not reused by another.
    seen: dict[int, tuple[Any, str]] = dataclasses.field(default_factory=dict)
    place: str = ""  # the value being described, as an expression: talks['lightning'].title
    where: str = ""  # the function whose frame holds it

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    @property
    def exhausted(self) -> bool:
        return self.spent_chars > self.total_chars or time.perf_counter() - self.started > self.seconds


def named(name: Any, value: Any, budget: Budget, redact: Redactor | None, depth: int = 0) -> dict[str, Any]:
    """``value`` as :func:`describe` gives it, or redacted when ``name`` says it is a secret."""
    if redact is not None and issubclass(type(name), str) and redact.sensitive(name):
        kind = type(value)
        return {
            "t": f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins."),
            "r": REDACTED,
            "redacted": 1,
        }
    return describe(value, budget, redact, depth)


def describe(value: Any, budget: Budget, redact: Redactor | None = None, depth: int = 0) -> dict[str, Any]:
    """``value`` as ``{"t": type, "r": text, ...}``; containers and objects carry their parts."""
    kind = type(value)
    node: dict[str, Any] = {"t": f"{kind.__module__}.{kind.__qualname__}".removeprefix("builtins.")}
    if budget.exhausted:
        node["r"] = "<not captured: the snapshot's budget was spent>"
        return node
    if not issubclass(kind, _SHOWN_WHOLE):
        if id(value) in budget.seen:
            node["same"] = budget.seen[id(value)][1]
            node["r"] = f"<the same {node['t']} as {node['same']}>"
            return node
        budget.seen[id(value)] = (value, f"{budget.place} in {budget.where}")
    try:
        _fill(node, value, kind, budget, redact, depth)
    except Exception as exc:
        node["r"] = f"<could not be described: {type(exc).__name__}>"
    budget.spent_chars += len(node["r"]) + 24 if isinstance(node.get("r"), str) else 24  # a node's JSON
    return node


def _fill(
    node: dict[str, Any], value: Any, kind: type, budget: Budget, redact: Redactor | None, depth: int
) -> None:
    if issubclass(kind, SCALARS):
        node["r"] = _cut(node, repr(value), budget.chars)
    elif issubclass(kind, str | bytes | bytearray):
        text = value[: budget.chars * 4]
        node["r"] = _cut(node, repr(redact(text) if redact and isinstance(text, str) else text), budget.chars)
        node["len"] = len(value)
    elif kind in (types.FunctionType, types.MethodType, types.BuiltinFunctionType, type, types.ModuleType):
        node["r"] = f"<{kind.__name__} {getattr(value, '__qualname__', getattr(value, '__name__', '?'))}>"
    elif issubclass(kind, dict):
        _container(node, list(dict.items(value)), len(value), budget, redact, depth, pairs=True)
    elif issubclass(kind, SEQUENCES):
        _container(node, list(first(value, budget.items + 1)), len(value), budget, redact, depth)
    elif issubclass(kind, BaseException):
        args = [describe(arg, budget, redact, depth + 1) for arg in value.args[: budget.items]]
        node["r"] = f"{kind.__name__}({', '.join(str(arg.get('r', '…')) for arg in args)})"
    else:
        _object(node, value, kind, budget, redact, depth)


def _object(
    node: dict[str, Any], value: Any, kind: type, budget: Budget, redact: Redactor | None, depth: int
) -> None:
    state = instance_dict(value)
    if "_result_cache" in state and "_query" in state:  # a Django QuerySet: its repr would run SQL
        cached = state["_result_cache"]
        node["r"] = "<QuerySet, not evaluated>" if cached is None else f"<QuerySet of {len(cached)} rows>"
        return
    if "_wrapped" in state and type(state["_wrapped"]) is object:  # a LazyObject, request.user
        node["r"] = "<lazy object, not evaluated>"
        return
    if "_state" in state and hasattr(kind, "_meta"):  # a Django model instance: its __str__ may query
        node["r"] = f"<{kind.__name__} pk={state.get('id', state.get('pk'))!r}>"
    elif any("__repr__" in vars(cls) for cls in kind.__mro__[:-1]):
        node["r"] = _cut(
            node, timed_repr(value, min(0.05, budget.seconds), budget.chars * 4, redact), budget.chars
        )
    else:
        node["r"] = f"<{kind.__qualname__} object>"
    if depth < budget.depth and state:
        attrs = [
            (name, item)
            for name, item in state.items()
            if issubclass(type(name), str) and not name.startswith("__")
        ]
        base, node["attrs"] = budget.place, {}
        for name, item in attrs[: budget.items]:
            budget.place = f"{base}.{name}"
            node["attrs"][name] = named(name, item, budget, redact, depth + 1)
        budget.place = base
        if len(attrs) > budget.items:
            node["trimmed_attrs"] = len(attrs) - budget.items


def _container(
    node: dict[str, Any],
    items: list[Any],
    size: int,
    budget: Budget,
    redact: Redactor | None,
    depth: int,
    pairs: bool = False,
) -> None:
    node["len"] = size
    shown = items[: budget.items]
    if size > len(shown):
        node["trimmed"] = size - len(shown)
    if depth >= budget.depth:
        node["r"] = f"<{node['t']} of {size:,} item{'' if size == 1 else 's'}>"
        node["trimmed"] = size
        return
    base, node["items"] = budget.place, []
    for index, entry in enumerate(shown):
        key, item = entry if pairs else (index, entry)
        budget.place = f"{base}[{key!r}]"
        value = named(key, item, budget, redact, depth + 1)
        node["items"].append([describe(key, budget, redact, depth + 1), value] if pairs else value)
    budget.place = base


def _cut(node: dict[str, Any], text: str, limit: int) -> str:
    if len(text) > limit:
        node["trimmed_chars"] = len(text) - limit
        return text[:limit] + "…"
    return text
