"""The profiler's page and downloads: repoze.profile's report, made safe to show.

repoze.profile 2.3 renders its page from a ``pstats`` text dump without escaping it (``<listcomp>``
vanishes; a posted file name is reflected) and crashes on a ``GET`` query string.  :func:`page`
gives it parameters checked against fixed choices and escapes its output; :func:`export` serves
the stats as ``stats.prof`` (pstats, snakeviz) or ``callgrind.out`` (KCachegrind).
"""

from __future__ import annotations

import html
import io
import re
from http import HTTPStatus
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlsplit

from pyprof2calltree import CalltreeConverter

from wsgi_stack import pages
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from pathlib import Path

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Response = tuple[str, list[tuple[str, str]], bytes]

_CHOICES = {
    "sort": ("time", "cumulative", "calls", "pcalls", "name", "file", "module", "line", "nfl", "stdname"),
    "mode": ("stats", "callees", "callers"),
    "fulldirs": ("0", "1"),
}
_FILENAME = re.compile(r"[\w./:-]{0,200}")
_MAX_FORM = 10_000


def page(repoze: Any, environ: WSGIEnvironment, path: str, stats_dir: Path) -> Response:
    """repoze.profile's report for the stats just dumped, escaped, with links to the downloads."""
    try:
        params = read_params(environ)
    except ValueError as exc:
        return problem(environ, 400, str(exc))
    url = quote(environ.get("SCRIPT_NAME", "") + path)
    request = SimpleNamespace(get_params=lambda: params, get_url=lambda: url)
    report = repoze.index(request, output=_EscapedOutput())
    links = f"""<p>Download <a href="{url}/stats.prof">stats.prof</a> (pstats, snakeviz) or
<a href="{url}/callgrind.out">callgrind.out</a> (KCachegrind),
written to {html.escape(str(stats_dir))}.</p>"""
    body = report.partition("<body>")[2].rpartition("</body>")[0] or report
    intro = "<h1>Profiler</h1>\n<p>repoze.profile's report of every profiled request so far.</p>"
    document = pages.page(environ, "Profiler", f"{intro}\n{body}\n{links}", "diagnostic")
    return "200 OK", [("Content-Type", pages.HTML)], document


def export(repoze: Any, environ: WSGIEnvironment, subpath: str, stats_file: Path | None) -> Response:
    """``/stats.prof`` or ``/callgrind.out`` of ``stats_file`` as a download."""
    if stats_file is None:
        return problem(environ, 404, "No profiling data yet: make some requests first.")
    if subpath == "/stats.prof":
        name, body = "swapdemo.prof", stats_file.read_bytes()
    else:
        out = io.StringIO()
        CalltreeConverter(repoze.Stats(str(stats_file))).output(out)
        name, body = "callgrind.out.swapdemo", out.getvalue().encode(errors="replace")
    disposition = f'attachment; filename="{name}"'
    return (
        "200 OK",
        [("Content-Type", "application/octet-stream"), ("Content-Disposition", disposition)],
        body,
    )


class _EscapedOutput(io.StringIO):
    """repoze.profile writes pstats' text here; names such as ``<listcomp>`` come out escaped."""

    def getvalue(self) -> str:
        return html.escape(super().getvalue())


def read_params(environ: WSGIEnvironment) -> dict[str, str]:
    raw = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    raw.pop("clear", None)  # a change of state: only from the page's own form, below
    if environ["REQUEST_METHOD"] == "POST":
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None and urlsplit(origin).netloc != environ.get("HTTP_HOST"):
            raise ValueError("The profiler takes forms from its own page only.")
        length = whole_number(environ.get("CONTENT_LENGTH") or "0", 0, _MAX_FORM)
        if length is None:
            raise ValueError("The form must be urlencoded and under 10 kB.")
        form = environ["wsgi.input"].read(length).decode("latin-1")
        raw.update(parse_qsl(form, keep_blank_values=True))
    params = {name: raw[name] for name in _CHOICES if name in raw}
    for name, value in params.items():
        if value not in _CHOICES[name]:
            raise ValueError(f"{name} must be one of: {', '.join(_CHOICES[name])}.")
    if "limit" in raw:
        if whole_number(raw["limit"], 1, 1000) is None:
            raise ValueError("limit must be a whole number from 1 to 1000.")
        params["limit"] = raw["limit"]
    params["filename"] = raw.get("filename", "").strip()
    if not _FILENAME.fullmatch(params["filename"]):
        raise ValueError("filename may hold only letters, digits and . / : _ - (200 at most).")
    if "clear" in raw:
        params["clear"] = "1"
    return params


def problem(environ: WSGIEnvironment, status: int, reason: str, *headers: tuple[str, str]) -> Response:
    """An error answer in the site's look, saying ``reason``."""
    status_line = f"{status} {HTTPStatus(status).phrase}"
    return status_line, [("Content-Type", pages.HTML), *headers], pages.error_body(environ, status, reason)


def respond(start_response: StartResponse, response: Response) -> list[bytes]:
    status, headers, body = response
    start_response(status, [*headers, ("Content-Length", str(len(body))), ("Cache-Control", "no-store")])
    return [body]
