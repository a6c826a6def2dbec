"""Stored values as text, and the walk into them: what the crash page and the shell's ``p`` show.

A stored value is a tree of plain dictionaries (:mod:`.values`).  :func:`text` renders one on a
line, :func:`pretty` over several, each saying what was trimmed; :func:`lookup` follows
``name.attr`` and ``name[key]`` into the stored structure, never into a live object.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[\s*(-?\d+|'[^']*'|\"[^\"]*\")\s*\]")


def text(node: dict[str, Any]) -> str:
    """One line: the value's text, or its parts, and what was left out."""
    if "items" not in node:
        return str(node.get("r", f"<{node.get('t')}>")) + _more(node)
    if node["t"] in ("dict",) or (node["items"] and isinstance(node["items"][0], list)):
        parts = [f"{text(key)}: {text(value)}" for key, value in node["items"]]
        opening, closing = "{", "}"
    else:
        parts = [text(item) for item in node["items"]]
        brackets = {"tuple": "()", "set": "{}", "frozenset": "{}"}.get(node["t"], "[]")
        opening, closing = brackets[0], brackets[1]
    if node.get("trimmed"):
        parts.append(f"… {node['trimmed']:,} more")
    return opening + ", ".join(parts) + closing


def pretty(node: dict[str, Any], indent: str = "") -> str:
    """Several lines: containers and objects one part a line, nested by indent."""
    if "attrs" in node:
        lines = [f"{indent}{text(node)}  ({node['t']})"]
        lines += [
            f"{indent}  .{name} = {pretty(value, indent + '    ').lstrip()}"
            for name, value in node["attrs"].items()
        ]
        if node.get("trimmed_attrs"):
            lines.append(f"{indent}  … {node['trimmed_attrs']} more attributes")
        return "\n".join(lines)
    if "items" not in node:
        return indent + text(node)
    pairs = node["items"] and isinstance(node["items"][0], list)
    size = node.get("len", len(node["items"]))
    lines = [f"{indent}{node['t']} of {size:,} item{'' if size == 1 else 's'}:"]
    for item in node["items"]:
        lines.append(f"{indent}  {text(item[0])}: {text(item[1])}" if pairs else f"{indent}  {text(item)}")
    if node.get("trimmed"):
        lines.append(f"{indent}  … {node['trimmed']:,} more")
    return "\n".join(lines)


def lookup(
    names: dict[str, dict[str, Any]], expression: str, resolve: Callable[[str], dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``name``, ``name.attr``, ``name[0]`` or ``name['key']`` among stored values; ``KeyError`` if absent.

    A value stored once and pointed to elsewhere (``"same"``) is followed through ``resolve``.
    """
    head = re.match(r"[A-Za-z_]\w*", expression.strip())
    if head is None:
        raise KeyError(expression)
    node = names[head.group(0)]
    rest = expression.strip()[head.end() :]
    while True:
        if "same" in node and resolve is not None:
            node = resolve(node["same"])
        if not rest:
            return node
        step = _STEP.match(rest)
        if step is None:
            raise KeyError(rest)
        node = _step(node, step.group(1), step.group(2))
        rest = rest[step.end() :].strip()


def _step(node: dict[str, Any], attribute: str | None, key: str | None) -> dict[str, Any]:
    if attribute is not None:
        return dict(node.get("attrs", {})[attribute])
    assert key is not None
    items = node.get("items", [])
    if items and isinstance(items[0], list):
        wanted = repr(key[1:-1]) if key.startswith(("'", '"')) else key  # as the key was stored
        for stored_key, value in items:
            if stored_key.get("r") == wanted:
                return dict(value)
        raise KeyError(key)
    return dict(items[int(key)])


def _more(node: dict[str, Any]) -> str:
    notes = []
    if node.get("trimmed_chars"):
        notes.append(f"{node['trimmed_chars']:,} more characters")
    if node.get("trimmed") and "items" not in node:
        notes.append(f"{node['trimmed']:,} not shown")
    if node.get("trimmed_chars") and node["t"] in ("str", "bytes", "bytearray"):
        notes.append(f"length {node['len']:,}")
    return f"  ({'; '.join(notes)})" if notes else ""
