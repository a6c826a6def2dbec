"""repoze.profile's report of merged stats, made safe to show, each function linked to its page.

repoze.profile 2.3 renders its report from a stats file through ``pstats``, unescaped (``<listcomp>``
vanishes; a posted file name is reflected), and crashes on a ``GET`` query string.  :func:`html`
hands it the merged stats in memory, parameters checked against fixed choices by :func:`checked`,
and escapes its output; every ``file:line(name)`` in it that names a merged function becomes a link.
"""

from __future__ import annotations

import html as markup
import io
import re
import warnings
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from wsgi_stack.numbers import whole_number
from wsgi_stack.profile_paths import to_pstats

with warnings.catch_warnings():
    # repoze.profile 2.3 imports cgi, deprecated in 3.11 and restored by legacy-cgi on 3.13.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    from repoze.profile.profiler import ProfileMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIEnvironment

    from wsgi_stack.profile_paths import Frame, Stats
    from wsgi_stack.profile_store import Merged

_MAX_FORM = 10_000
_CHOICES = {
    "sort": ("time", "cumulative", "calls", "pcalls", "name", "file", "module", "line", "nfl", "stdname"),
    "mode": ("stats", "callees", "callers"),
    "fulldirs": ("0", "1"),
}
_FILENAME = re.compile(r"[\w./:-]{0,200}")
# pstats writes a function as "file:line(name)", or "{name}" for ('~', 0, '<name>') (C functions).
_FUNCTION = re.compile(r"(?P<file>[^\s(){}]+):(?P<line>\d+)\((?P<name>[^()\s]+)\)|\{(?P<builtin>[^{}\n]+)\}")


def read_params(environ: WSGIEnvironment) -> dict[str, str]:
    """The query string and, for a POST from this page, the form; ``ValueError`` names a bad one."""
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
    for name, longest in (("python", 20), ("host", 100), ("worker", 120), ("file", 300), ("name", 300)):
        if len(raw.get(name, "")) > longest:
            raise ValueError(f"{name} may be {longest} characters at most.")
    return checked(raw)


def checked(raw: dict[str, str]) -> dict[str, str]:
    """The report's parameters from ``raw``, checked; ``ValueError`` names the first bad one.

    Names the report does not know (``python``, ``host``, ``worker``, ``file``, ``line``,
    ``name``, ``clear``) pass through as they are, for the page to check against its records.
    """
    params = {name: value for name, value in raw.items() if name not in ("limit", "filename", *_CHOICES)}
    for name in _CHOICES:
        if name in raw:
            if raw[name] not in _CHOICES[name]:
                raise ValueError(f"{name} must be one of: {', '.join(_CHOICES[name])}.")
            params[name] = raw[name]
    if "limit" in raw:
        if whole_number(raw["limit"], 1, 1000) is None:
            raise ValueError("limit must be a whole number from 1 to 1000.")
        params["limit"] = raw["limit"]
    params["filename"] = raw.get("filename", "").strip()
    if not _FILENAME.fullmatch(params["filename"]):
        raise ValueError("filename may hold only letters, digits and . / : _ - (200 at most).")
    return params


def html(
    merged: Merged, params: dict[str, str], base: str, selection: dict[str, str], link: Callable[[Frame], str]
) -> str:
    """repoze.profile's report (form and text) of ``merged.stats``, escaped and linked."""
    if not merged.stats:
        return "<h2>Functions</h2><p>No cProfiled request yet.</p>"
    report: dict[str, str] = {
        name: params[name] for name in ("sort", "mode", "limit", "filename") if name in params
    }
    report["fulldirs"] = params.get("fulldirs", "1")  # file names are already short (normalised)
    repoze = ProfileMiddleware(None, log_filename=".", flush_at_shutdown=False)  # "." exists: a report is due
    repoze.Stats = lambda _: to_pstats(merged.stats)
    request = SimpleNamespace(get_params=lambda: report, get_url=lambda: base)
    output = _LinkedOutput(merged.stats, link)
    page = repoze.index(request, output=output)
    body = page.partition("<body>")[2].rpartition("</body>")[0] or page
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{markup.escape(value)}">'
        for name, value in selection.items()
    )
    body = body.replace("</form>", f"{hidden}</form>", 1)
    return f"<h2>Functions</h2>\n<p>repoze.profile's report of the merged cProfile stats.</p>\n{body}"


class _LinkedOutput(io.StringIO):
    """repoze.profile writes pstats' text here; it comes out escaped, each known function linked."""

    def __init__(self, stats: Stats, link: Callable[[Frame], str]) -> None:
        super().__init__()
        self._stats, self._link = stats, link

    def getvalue(self) -> str:
        text = super().getvalue()
        parts, end = [], 0
        for match in _FUNCTION.finditer(text):
            builtin = match["builtin"]
            frame = (
                ("~", 0, f"<{builtin}>") if builtin else (match["file"], int(match["line"]), match["name"])
            )
            parts.append(markup.escape(text[end : match.start()]))
            shown = markup.escape(match[0])
            known = frame in self._stats
            parts.append(f'<a href="{markup.escape(self._link(frame))}">{shown}</a>' if known else shown)
            end = match.end()
        parts.append(markup.escape(text[end:]))
        return "".join(parts)
