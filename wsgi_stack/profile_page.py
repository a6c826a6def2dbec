"""The profiler's pages: every worker's records merged, with filters, a flame graph and downloads.

``/__profile__`` lists the workers (host, pid, Python, requests) with links that filter by host or
worker, draws a flame graph of the sampled stacks, and shows repoze.profile's report of the merged
cProfile stats, escaped, each function linked to ``/function`` (callers, callees, source, bytecode).
``/stats.prof``, ``/callgrind.out`` and ``/speedscope.json`` download the same selection.  Every
parameter is checked against what the records hold; the clear button only works from this page.
"""

from __future__ import annotations

import functools
import html
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Protocol
from urllib.parse import quote, urlencode

from wsgi_stack import flame, pages, profile_exports, profile_function, profile_report
from wsgi_stack.numbers import whole_number
from wsgi_stack.profile_store import merge

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from wsgi_stack.gate import Gate
    from wsgi_stack.profile_paths import Frame
    from wsgi_stack.profile_record import Record
    from wsgi_stack.profile_store import Merged
    from wsgi_stack.profile_worker import Worker


class Profiler(Protocol):
    """What the pages need of the :class:`~wsgi_stack.profiling.Profiler` they belong to."""

    path: str
    sample_every: int
    gate: Gate
    worker: Worker


Response = tuple[str, list[tuple[str, str]], bytes]
_NO_WORKERS = "<tr><td colspan=6>No stats yet: make some requests.</td></tr>"
_EXPORTS = ("/stats.prof", "/callgrind.out", "/speedscope.json")


def serve(profiler: Profiler, environ: WSGIEnvironment, subpath: str) -> Response:
    """The answer to a request for ``profiler.path + subpath``."""
    if not profiler.gate.allows(environ):
        return problem(environ, 403, profiler.gate.refusal())
    if subpath not in ("", "/", "/function", *_EXPORTS):
        return problem(environ, 404, "No such profiler page.")
    methods = ("GET", "POST") if subpath in ("", "/") else ("GET",)
    if environ["REQUEST_METHOD"] not in methods:
        return problem(environ, 405, "Method not allowed here.", ("Allow", ", ".join(methods)))
    try:
        params = profile_report.read_params(environ)
    except ValueError as exc:
        return problem(environ, 400, str(exc))
    worker = profiler.worker
    notes = worker.clear() if params.pop("clear", None) else worker.flush()
    records, more = worker.shelf.load()
    notes += more
    pythons = sorted({record.python for record in records})
    python = params.get("python") or (
        worker.python if worker.python in pythons or not pythons else pythons[0]
    )
    known = {record.host for record in records}, {record.worker for record in records}
    for name, values in zip(("host", "worker"), known, strict=True):
        if params.get(name) and params[name] not in values:
            return problem(
                environ, 404, f"No stats from {name} {params[name]} (it may not have flushed yet)."
            )
    if pythons and python not in pythons:
        return problem(environ, 404, f"No stats from Python {python}.")
    merged = merge(records, python, params.get("host"), params.get("worker"))
    base = quote(environ.get("SCRIPT_NAME", "") + profiler.path)
    selection = {name: params[name] for name in ("python", "host", "worker") if params.get(name)}
    link = functools.partial(_function_url, base, selection)
    if subpath in _EXPORTS:
        if not merged.records:
            return problem(environ, 404, "No profiling data yet: make some requests first.")
        return profile_exports.export(subpath, merged)
    if subpath == "/function":
        body = profile_function.html(merged, _frame(params), link)
        if body is None:
            return problem(environ, 404, "No such function in these stats.")
        title = "Profiler: function"
    else:
        body, title = (
            _summary(profiler, environ, params, merged, records, notes, base, selection, link),
            "Profiler",
        )
    document = pages.page(environ, title, body, "diagnostic")
    return "200 OK", [("Content-Type", pages.HTML)], document


def _summary(
    profiler: Profiler,
    environ: WSGIEnvironment,
    params: dict[str, str],
    merged: Merged,
    records: list[Record],
    notes: list[str],
    base: str,
    selection: dict[str, str],
    link: Callable[[Frame], str],
) -> str:
    every = profiler.sample_every
    mode = (
        f"cProfile counts every call in {'every request' if every == 1 else f'one request in {every}'} "
        "(measured: a 170 µs Django view takes x2.7 its time on Python 3.11, x3.4 on 3.13, and x2.9 "
        "and x3.7 with the sampler also on; docs/benchmarks.md)"
        if every
        else "cProfile is off (SWAPDEMO_PROFILE_SAMPLE=0)"
    )
    worker = profiler.worker
    interval = f"{worker.sampler.interval * 1000:g} ms" if worker.sampler else None
    sampler = (
        f"; a sampler reads every request's stack every {interval} for the flame graph "
        "(measured: 3% of a 7 ms page's time)"
        if interval
        else "; the sampler is off (SWAPDEMO_PROFILE_SAMPLER_MS=0), so there is no flame graph"
    )
    parts = [
        "<h1>Profiler</h1>",
        f"<p>{html.escape(mode + sampler)}.  Each worker flushes its stats every "
        f"{worker.flush_every:g} s, when this page is viewed, and when it exits.</p>",
        *(f'<p class="note">{html.escape(note)}</p>' for note in notes),
        _workers(records, merged, base, selection),
    ]
    if merged.samples.stacks:
        seconds, workers = merged.samples.total(), len(merged.records)
        title = f"{seconds:.2f} s sampled in {workers} worker(s): hover for file and line, click for code"
        parts.append(flame.svg(merged.samples.stacks, title=title, href=link))
    parts.append(profile_report.html(merged, params, base, selection, link))
    query = f"?{urlencode(selection)}" if selection else ""
    parts.append(
        f'<p>Download <a href="{base}/stats.prof{html.escape(query)}">stats.prof</a> (pstats, snakeviz), '
        f'<a href="{base}/callgrind.out{html.escape(query)}">callgrind.out</a> (KCachegrind) or '
        f'<a href="{base}/speedscope.json{html.escape(query)}">speedscope.json</a> (speedscope.app, one '
        f"profile per worker).  Records are kept in {html.escape(str(worker.shelf.folder))}.</p>"
        f'<form method="post" action="{base}">'
        '<input type="submit" name="clear" value="Clear every worker\'s stats"></form>'
    )
    return "\n".join(parts)


def _workers(records: list[Record], merged: Merged, base: str, selection: dict[str, str]) -> str:
    python = {"python": merged.python} if len({record.python for record in records}) > 1 else {}
    rows = []
    now = time.time()
    for record in sorted(records, key=lambda record: (record.python, record.host, record.pid)):
        host = html.escape(f"{base}?{urlencode({**python, 'python': record.python, 'host': record.host})}")
        worker = html.escape(f"{base}?{urlencode({'python': record.python, 'worker': record.worker})}")
        chosen = " class=chosen" if record in merged.records else ""
        rows.append(
            f'<tr{chosen}><td><a href="{host}">{html.escape(record.host)}</a></td>'
            f'<td><a href="{worker}">{record.pid}</a></td><td>{html.escape(record.python)}</td>'
            f"<td>{record.requests}</td><td>{record.profiled}</td>"
            f"<td>{max(0, now - record.flushed):.0f} s ago</td></tr>"
        )
    shown = ", ".join(f"{name} {value}" for name, value in selection.items()) or "every worker"
    return (
        f"<h2>Workers</h2><p>Showing {html.escape(shown)}: {merged.requests} requests, "
        f'{merged.profiled} cProfiled (<a href="{base}">every worker</a>).  '
        "Python versions are never added together.</p>\n<table class=workers><thead><tr>"
        "<th>host<th>pid<th>Python<th>requests<th>cProfiled<th>flushed</thead>"
        f"<tbody>{''.join(rows) or _NO_WORKERS}</tbody></table>"
    )


def _function_url(base: str, selection: dict[str, str], frame: Frame) -> str:
    return f"{base}/function?{urlencode({**selection, 'file': frame[0], 'line': frame[1], 'name': frame[2]})}"


def _frame(params: dict[str, str]) -> Frame | None:
    line = whole_number(params.get("line", ""), 0, 10_000_000)
    if line is None or "file" not in params or "name" not in params:
        return None
    return (params["file"], line, params["name"])


def problem(environ: WSGIEnvironment, status: int, reason: str, *headers: tuple[str, str]) -> Response:
    """An error answer in the site's look, saying ``reason``."""
    status_line = f"{status} {HTTPStatus(status).phrase}"
    return status_line, [("Content-Type", pages.HTML), *headers], pages.error_body(environ, status, reason)


def respond(start_response: StartResponse, response: Response) -> list[bytes]:
    status, headers, body = response
    start_response(status, [*headers, ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]
