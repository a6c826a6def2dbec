"""The page at ``/``: every demo, what it swaps, a link and the file to read, in the site's layout."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from swapdemo import registry
from swapdemo.kernel.layout import chrome
from swapdemo.kernel.pages import JINJA2_DIR
from wsgi_stack import pages

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader([Path(__file__).parent / "templates", JINJA2_DIR]),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def make_landing(
    mounted: Collection[str], profiling: bool = False, postmortem: bool = False
) -> WSGIApplication:
    """A WSGI app rendering the landing page; links go only to ``mounted`` prefixes."""
    template = _templates.get_template("landing.html")

    def landing(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") not in ("", "/"):
            return pages.error(environ, start_response, 404, f"There is nothing at {environ['PATH_INFO']}.")
        context = {
            "demos": registry.demos(),
            "mounted": mounted,
            "profiling": profiling,
            "postmortem": postmortem,
            "chrome": chrome(environ),
        }
        body = template.render(context).encode("utf-8")
        pages.respond(start_response, 200, body)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    return landing
