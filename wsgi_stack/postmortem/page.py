"""The crash pages: the groups of stored crashes, and one snapshot's stack, locals and request.

Everything shown came from a visitor's request or an app's values, so every piece of it goes
through ``html.escape``; nothing here runs code of the snapshot or of the app.  A frame whose file
has changed since the crash (its SHA-256 differs from the stored one) says so above its source.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wsgi_stack import pages
from wsgi_stack.postmortem.show import pretty, text
from wsgi_stack.postmortem.snapshot import source_hash

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

    from wsgi_stack.postmortem.store import Group

e = html.escape
_ARG = " <small>(arg)</small>"


def listing(environ: WSGIEnvironment, path: str, groups: list[Group]) -> bytes:
    """Every group of crashes, the most recent first, each linking its stored samples."""
    base = environ.get("SCRIPT_NAME", "") + path
    intro = (
        "<h1>Crashes</h1>\n<p>Requests that failed with an unhandled exception, grouped by the "
        "exception's type and where it was raised. Times are UTC. Walk one in a shell with "
        "<code>python -m swapdemo.postmortem debug ID</code>.</p>"
    )
    if not groups:
        return pages.page(environ, "Crashes", f"{intro}\n<p>No crash is stored.</p>", "diagnostic")
    rows = []
    for group in groups:
        samples = " ".join(
            f'<a href="{e(base)}/{quote(sample)}">{e(sample)}</a>' for sample in reversed(group.samples)
        )
        rows.append(
            f"<tr><td><strong>{e(group.title)}</strong><br><small>{e(group.place)}</small></td>"
            f'<td class="number">{group.count:,}</td><td>{e(_when(group.first_seen))}</td>'
            f"<td>{e(_when(group.last_seen))}</td>"
            f"<td><small>{e(' '.join(group.request_ids[-5:]))}</small></td>"
            f"<td><small>{samples}</small></td></tr>"
        )
    head = (
        "<tr><th>Crash</th><th>Count</th><th>First seen (UTC)</th><th>Last seen (UTC)</th>"
        "<th>Last request ids</th><th>Snapshots, newest first</th></tr>"
    )
    table = f'<div class="scroll"><table><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table></div>'
    return pages.page(environ, "Crashes", f"{intro}\n{table}", "diagnostic")


def snapshot(environ: WSGIEnvironment, path: str, stored: dict[str, Any]) -> bytes:
    """One snapshot: the exceptions, innermost frame open, each frame's source and locals; the request."""
    base = environ.get("SCRIPT_NAME", "") + path
    first = stored["exceptions"][0]
    parts = [
        f'<p><a href="{e(base)}/">All crashes</a></p>',
        f"<h1>{e(first['type'])}</h1>",
        f'<p class="problem">{e(first["message"]) or "(no message)"}</p>',
        f"<p>Snapshot <code>{e(stored['id'])}</code>, {e(_when(stored['time']))} UTC, request id "
        f"<code>{e(str(stored['request'].get('request_id') or '-'))}</code>. In a shell: "
        f"<code>python -m swapdemo.postmortem debug {e(stored['id'])}</code>.</p>",
    ]
    if stored.get("spent", {}).get("budget_exhausted"):
        parts.append('<p class="note">The capture ran out of its budget: later values say so.</p>')
    for position, error in enumerate(stored["exceptions"]):
        if position:
            how = "which was caused by" if error["link"] == "cause" else "raised while handling"
            parts.append(f"<h2>… {how} {e(error['type'])}</h2><p>{e(error['message'])}</p>")
        parts.append(f"<h3>Stack, outermost first ({len(error['frames'])} frames)</h3>")
        outer = [frame for frame in error["frames"] if frame.get("outer")]
        if outer:  # the server, the stack's layers: there when needed, folded away
            folded = "".join(_frame(frame, opened=False) for frame in outer)
            parts.append(
                f"<details><summary>{len(outer)} frames above the handler that caught it "
                f"(the server, the middleware)</summary>{folded}</details>"
            )
        inner = [frame for frame in error["frames"] if not frame.get("outer")]
        for number, frame in enumerate(inner):
            parts.append(_frame(frame, opened=position == 0 and number == len(inner) - 1))
    parts.append(_request(stored["request"]))
    versions = ", ".join(f"{name} {version}" for name, version in stored.get("versions", {}).items())
    parts.append(f"<h2>Versions</h2><p>{e(versions)}</p>")
    return pages.page(environ, f"Crash {stored['id']}", "\n".join(parts), "diagnostic")


def _frame(frame: dict[str, Any], opened: bool) -> str:
    where = f"{frame['file']}:{frame['line']}"
    summary = f"<summary><code>{e(frame['function'])}</code> <small>{e(where)}</small></summary>"
    body = []
    if frame.get("sha256") and source_hash(frame["file"]) != frame["sha256"]:
        body.append(
            '<p class="warning">The source changed since the crash: the lines below are as they were.</p>'
        )
    lines = frame["source"]["lines"]
    if lines:
        numbered = [
            f"{'→' if number == frame['line'] else ' '} {number:>5}  {line}"
            for number, line in enumerate(lines, start=frame["source"]["first"])
        ]
        body.append(f"<pre><code>{e(chr(10).join(numbered))}</code></pre>")
    names = frame["locals"]
    if names:
        rows = "".join(
            f"<tr><th scope=row><code>{e(name)}</code>{_ARG if name in frame['args'] else ''}"
            f"<br><small>{e(value['t'])}</small></th><td>{_value(value)}</td></tr>"
            for name, value in names.items()
        )
        body.append(f'<div class="scroll"><table class="locals"><tbody>{rows}</tbody></table></div>')
    else:
        body.append("<p><small>No locals.</small></p>")
    return f"<details{' open' if opened else ''}>{summary}{''.join(body)}</details>"


def _value(node: dict[str, Any]) -> str:
    if "items" in node or "attrs" in node:
        return f"<pre><code>{e(pretty(node))}</code></pre>"
    return f"<code>{e(text(node))}</code>"


def _request(request: dict[str, Any]) -> str:
    line = f"{request['method']} {request['path']}"
    parts = [f"<h2>Request</h2><p><code>{e(line)}</code> from {e(str(request.get('remote_addr')))}</p>"]
    for title, pairs in (("Query", request["query"]), ("Headers", list(request["headers"].items()))):
        if pairs:
            rows = "".join(f"<tr><th scope=row>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in pairs)
            parts.append(f"<h3>{title}</h3><table><tbody>{rows}</tbody></table>")
    body = request["body"]
    if body.get("bytes_read"):
        capped = " (capped)" if body.get("capped") else ""
        parts.append(
            f"<h3>Body</h3><p>{body['bytes_read']:,} bytes read{capped}, {e(body['content_type'])}</p>"
        )
        if "fields" in body:
            rows = "".join(
                f"<tr><th scope=row>{e(str(k))}</th><td>{e(str(v))}</td></tr>" for k, v in body["fields"]
            )
            parts.append(f"<table><tbody>{rows}</tbody></table>")
        elif "json" in body:
            parts.append(_value(body["json"]))
        else:
            parts.append(f"<pre><code>{e(body.get('text', ''))}</code></pre>")
    return "\n".join(parts)


def _when(iso: str) -> str:
    return iso.replace("T", " ").split("+")[0]
