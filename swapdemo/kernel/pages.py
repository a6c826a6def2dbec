"""Error pages and plain pages in the site's look: one catalogue of errors, for every framework.

:func:`error` describes an error page (status, title, what happened, what to do, the request id);
Django's handlers (:mod:`swapdemo.kernel.handlers`) render it with ``templates/site/error.html``,
Pyramid's exception views and plain WSGI apps with its Jinja2 twin, ``jinja2/site/error.html``, so
a 404 looks the same whoever answers it.  :func:`render_page` is the page renderer the stack hands
to ``wsgi_stack`` layers (the profiler, the post-mortem), which import nothing of the project.
"""

from __future__ import annotations

import dataclasses
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from swapdemo.kernel.layout import chrome

if TYPE_CHECKING:
    from collections.abc import Mapping

JINJA2_DIR = Path(__file__).resolve().parent / "jinja2"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_CATALOGUE = {
    400: ("Bad request", "The server could not understand this request.", ""),
    403: ("Forbidden", "You may not see this page.", ""),
    404: ("Page not found", "There is nothing at this address.", "Check the address, or start again."),
    405: ("Method not allowed", "This address does not answer that kind of request.", ""),
    413: ("Request too large", "What you sent is larger than this page accepts.", ""),
    500: (
        "Something went wrong",
        "The server failed while answering this request. Nothing you did caused it.",
        "Try again in a moment.",
    ),
    503: (
        "Temporarily unavailable",
        "A service this page needs is not answering just now. Nothing is wrong with your request.",
        "Try again in a moment.",
    ),
}


@dataclasses.dataclass(frozen=True)
class ErrorPage:
    """What an error page says: the status, what happened, what to do, and the request id."""

    status: int
    title: str
    message: str
    advice: str = ""
    request_id: str | None = None
    back: str | None = None

    @property
    def status_line(self) -> str:
        return f"{self.status} {HTTPStatus(self.status).phrase}"


def error(
    status: int,
    environ: Mapping[str, Any],
    message: str | None = None,
    *,
    title: str | None = None,
    advice: str | None = None,
    back: str | None = None,
) -> ErrorPage:
    """The page for ``status``; ``message`` and the rest replace the catalogue's words."""
    default_title, default_message, default_advice = _CATALOGUE.get(
        status, (HTTPStatus(status).phrase, "", "")
    )
    return ErrorPage(
        status,
        title or default_title,
        message or default_message,
        default_advice if advice is None else advice,
        environ.get("wsgi_stack.request_id"),
        back,
    )


_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(JINJA2_DIR), autoescape=True, undefined=jinja2.StrictUndefined
)


def render_error(environ: Mapping[str, Any], page: ErrorPage) -> bytes:
    """The error page as HTML, in the site's look (Jinja2)."""
    return _environment.get_template("site/error.html").render(error=page, chrome=chrome(environ)).encode()


def render_page(environ: Mapping[str, Any], title: str, body: str, body_class: str = "") -> str:
    """A plain WSGI page: ``body`` (HTML the caller escaped) inside the site's layout."""
    template = _environment.get_template("site/page.html")
    return template.render(title=title, body=body, body_class=body_class, chrome=chrome(environ))


def error_page(environ: Mapping[str, Any], status: int, message: str | None = None) -> bytes:
    """The hook ``wsgi_stack`` layers call for an error page (``wsgi_stack.error``)."""
    return render_error(environ, error(status, environ, message))
