"""A flame graph of sampled call stacks, drawn on the server as one standalone SVG.

The graph is an icicle: the root is the top row and each callee sits below its caller, as wide as
its share of the time.  Identical stack prefixes merge into one tree (:func:`tree`), children run
left to right by name, as flame graphs order them (the x axis is not time), and a frame narrower
than ``min_fraction`` of the total is left out, its time staying in its caller.

Draw it only from real stacks (:class:`~wsgi_stack.samples.Samples`): pstats keeps caller→callee
totals, and a tree rebuilt from them puts time under callers that never made the call.

The SVG holds no script and loads nothing: hovering a frame shows its ``<title>`` (name,
file:line, seconds, percent), and an ``href`` callback may link frames (to their source, say).
Every name is XML-escaped; the output stays under 1 MB by pruning harder when it must.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from wsgi_stack.profile_paths import Frame

MAX_BYTES = 1_000_000
ROW = 18
CHAR = 7.2  # px per character of 12 px monospace
_HEADER = 40
_LABEL_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ALL: Frame = ("", 0, "all")


@dataclass(slots=True)
class Node:
    """One frame in one calling context: its inclusive seconds and its callees, ordered by name.

    The root's frame is :data:`ALL`: it stands for every stack.
    """

    frame: Frame
    seconds: float = 0.0
    children: dict[Frame, Node] = field(default_factory=dict)


def tree(stacks: Mapping[tuple[Frame, ...], float], min_fraction: float = 0.0, max_depth: int = 300) -> Node:
    """Merge ``stacks`` (root first) into one tree of at most ``max_depth`` frames per path, leaving
    out nodes under ``min_fraction`` of the total (their time stays in their caller).
    """
    return _grown(stacks, min_fraction, max_depth, limit=None)[0]


def svg(
    stacks: Mapping[tuple[Frame, ...], float],
    *,
    title: str,
    href: Callable[[Frame], str | None] | None = None,
    width: int = 1200,
    min_fraction: float = 0.005,
) -> str:
    """``stacks`` as an icicle graph, root at the top, in a standalone SVG document under 1 MB."""
    fraction, depth = min_fraction, 300
    while True:
        # Every frame drawn takes over 100 bytes: a tree with more nodes is abandoned unrendered.
        root, complete = _grown(stacks, fraction, depth, limit=MAX_BYTES // 100)
        if complete:
            document = _render(root, title, href, width, fraction)
            if len(document.encode()) <= MAX_BYTES or depth <= 1:
                return document
        if fraction < 1:
            fraction = max(fraction * 2, 0.001)
        else:  # one path of very long names is left: draw fewer rows of it
            depth //= 2


def _grown(
    stacks: Mapping[tuple[Frame, ...], float], min_fraction: float, max_depth: int, limit: int | None
) -> tuple[Node, bool]:
    """The tree, grown from the root a level at a time so that pruned branches cost nothing, and
    whether it was finished within ``limit`` nodes.
    """
    positive = [(stack, seconds) for stack, seconds in stacks.items() if seconds > 0]
    root = Node(ALL, sum(weight for _, weight in positive))
    threshold, nodes = min_fraction * root.seconds, 1
    pending = [(root, positive, 0)]
    while pending:
        node, group, depth = pending.pop()
        if depth >= max_depth:
            continue
        callees: dict[Frame, list[tuple[tuple[Frame, ...], float]]] = {}
        for stack, seconds in group:
            if len(stack) > depth:
                callees.setdefault(stack[depth], []).append((stack, seconds))
        for frame in sorted(callees, key=lambda frame: (frame[2], frame[0], frame[1])):
            seconds = sum(weight for _, weight in callees[frame])
            if seconds >= threshold:
                node.children[frame] = Node(frame, seconds)
                pending.append((node.children[frame], callees[frame], depth + 1))
                nodes += 1
        if limit is not None and nodes > limit:
            return root, False
    return root, True


def _render(
    root: Node, title: str, href: Callable[[Frame], str | None] | None, width: int, fraction: float
) -> str:
    shapes, rows = [], 0
    scale = width / root.seconds if root.seconds > 0 else 0.0
    pending: list[tuple[Node, float, int]] = [(root, 0.0, 0)] if root.seconds > 0 else []
    while pending:
        node, x, row = pending.pop()
        shapes.append(_shape(node, x, _HEADER + row * ROW, node.seconds * scale, root.seconds, href))
        rows = max(rows, row + 1)
        for child in node.children.values():
            pending.append((child, x, row + 1))
            x += child.seconds * scale
    height = _HEADER + ROW * rows
    note = f"{root.seconds:.3f} s sampled; frames under {fraction:.1%} of it are not drawn"
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
            f'<text x="4" y="16" font-size="14">{_escape(title)}</text>',
            f'<text x="4" y="32" fill="#555">{_escape(note)}</text>',
            *shapes,
            "</svg>\n",
        ]
    )


def _shape(
    node: Node, x: float, y: int, width: float, total: float, href: Callable[[Frame], str | None] | None
) -> str:
    name = node.frame[2]
    where = "every stack" if node.frame is ALL else f"{node.frame[0]}:{node.frame[1]}"
    tip = f"{name} ({where}) {node.seconds:.3f} s, {node.seconds / total:.1%}"
    fits = int((width - 6) // CHAR)
    label = name if len(name) <= fits else (name[: fits - 1] + "…" if fits >= 3 else "")
    shape = (
        f'<g><title>{_escape(tip)}</title><rect x="{x:.2f}" y="{y}" width="{width:.2f}" '
        f'height="{ROW - 1}" fill="{_colour(name)}"/>'
    )
    if label:
        shape += f'<text x="{x + 3:.2f}" y="{y + 13}">{_escape(label)}</text>'
    link = _safe_link(href(node.frame)) if href and node.frame is not ALL else None
    return f'<a href="{html.escape(link)}">{shape}</g></a>' if link else shape + "</g>"


def _safe_link(link: str | None) -> str | None:
    """``link`` if it is a relative or http(s) URL of sane length: no ``javascript:`` in an SVG."""
    try:
        scheme = urlsplit(link).scheme if link and len(link) <= 2000 else None
    except ValueError:
        return None
    return link if scheme in ("", "http", "https") else None


def _colour(name: str) -> str:
    """A warm colour that is the same for a name on every run and every host (``hash()`` is salted)."""
    digest = zlib.crc32(name.encode("utf-8", "replace"))
    return f"hsl({digest % 55},{70 + digest // 55 % 25}%,{55 + digest // 1375 % 15}%)"


def _escape(text: str) -> str:
    return html.escape(_CONTROL.sub("?", text[:_LABEL_CHARS]))
