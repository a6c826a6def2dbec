"""One function's page: who called it and what it called, with times, then its source and bytecode.

Callers come from cProfile's per-caller counts, callees from every other function's callers, both
from the merged stats.  The source shows, per line, the samples in which that line was running
(:mod:`wsgi_stack.code_view`), followed by the function's bytecode from ``dis``.
"""

from __future__ import annotations

import html as markup
from typing import TYPE_CHECKING

from wsgi_stack import code_view

if TYPE_CHECKING:
    from collections.abc import Callable

    from wsgi_stack.profile_paths import CallerStats, Frame
    from wsgi_stack.profile_store import Merged


def html(merged: Merged, frame: Frame | None, link: Callable[[Frame], str]) -> str | None:
    """The page's body for ``frame``, or ``None`` if these stats and samples never saw it."""
    sampled = frame is not None and any(frame in stack for stack in merged.samples.stacks)
    if frame is None or (frame not in merged.stats and not sampled):
        return None
    parts = [code_view.heading(frame)]
    entry = merged.stats.get(frame)
    if entry is None:
        parts.append("<p>Sampled, but not in the cProfile stats: no call counts.</p>")
    else:
        cc, nc, tt, ct, callers = entry
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        parts.append(
            f"<p>{calls} calls in {merged.profiled} cProfiled request(s): {tt:.6f} s in the function itself, "
            f"{ct:.6f} s with what it called.</p>"
        )
        callees = {key: value[4][frame] for key, value in merged.stats.items() if frame in value[4]}
        parts.append(_table("Callers", callers, link, merged))
        parts.append(_table("Callees", callees, link, merged))
    parts.append(code_view.body(frame, merged.samples.lines))
    return "\n".join(parts)


def _table(title: str, rows: dict[Frame, CallerStats], link: Callable[[Frame], str], merged: Merged) -> str:
    if not rows:
        return f"<h3>{title}</h3><p>None recorded.</p>"
    body = []
    for other, (cc, nc, tt, ct) in sorted(rows.items(), key=lambda item: -item[1][3]):
        name = markup.escape(f"{other[2]} {other[0]}:{other[1]}")
        shown = f'<a href="{markup.escape(link(other))}">{name}</a>' if other in merged.stats else name
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        body.append(f"<tr><td>{shown}</td><td>{calls}</td><td>{tt:.6f}</td><td>{ct:.6f}</td></tr>")
    return (
        f"<h3>{title}</h3><table class={title.lower()}><thead><tr><th>function<th>calls<th>own s<th>total s"
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )
