"""The page at ``/``: every demo, what it swaps, a link and the file to read."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from swapdemo import registry

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def make_landing(mounted: Collection[str], profiling: bool = False) -> WSGIApplication:
    """A WSGI app rendering the landing page; links go only to ``mounted`` prefixes."""
    template = _templates.get_template("landing.html")

    def landing(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") not in ("", "/"):
            body = b"Not Found\n"
            start_response(
                "404 Not Found",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        root = environ.get("SCRIPT_NAME", "")
        body = template.render(
            demos=registry.demos(), mounted=mounted, root=root, profiling=profiling
        ).encode("utf-8")
        start_response(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        )
        if environ["REQUEST_METHOD"] == "HEAD":
            return []
        return [body]

    return landing
