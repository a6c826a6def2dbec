"""The pages a wsgi_stack layer answers itself (a 404, a 500, the profiler), in the site's look.

wsgi_stack imports nothing of the project, so a site hands its look in through the environ:

- ``wsgi_stack.page``: ``render(environ, title, body_html, body_class) -> str``, a whole page around
  HTML the layer built and escaped;
- ``wsgi_stack.error``: ``render(environ, status, message) -> bytes``, the site's error page.

Without them a small standalone page is used, so every layer works on its own.
"""

from __future__ import annotations

import html
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

PAGE_KEY = "wsgi_stack.page"
ERROR_KEY = "wsgi_stack.error"
HTML = "text/html; charset=utf-8"


def page(environ: WSGIEnvironment, title: str, body: str, body_class: str = "") -> bytes:
    """``body`` (HTML, already escaped) as a whole page."""
    render = environ.get(PAGE_KEY)
    if render is not None:
        return str(render(environ, title, body, body_class)).encode()
    head = '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    title = html.escape(title)
    document = f"<!doctype html>\n<html lang=en><head>{head}<title>{title}</title></head>\n"
    return f"{document}<body>{body}</body></html>\n".encode()


def error_body(environ: WSGIEnvironment, status: int, message: str | None = None) -> bytes:
    """The error page for ``status``: the site's, or a plain one saying the same."""
    render = environ.get(ERROR_KEY)
    if render is not None:
        return bytes(render(environ, status, message))
    phrase = HTTPStatus(status).phrase
    request_id = environ.get("wsgi_stack.request_id")
    lines = [f"<h1>{html.escape(phrase)}</h1>", f"<p>{html.escape(message or phrase)}</p>"]
    if request_id:
        lines.append(f"<p>Request id: <code>{html.escape(request_id)}</code></p>")
    return page(environ, phrase, "\n".join(lines))


def respond(
    start_response: StartResponse,
    status: int,
    body: bytes,
    content_type: str = HTML,
    headers: Sequence[tuple[str, str]] = (),
    exc_info: Any = None,
) -> Iterable[bytes]:
    """Start a response of ``body`` with its length and ``no-store``, and return it as the iterable."""
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *headers,
        ],
        exc_info,
    )
    return [body]


def error(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    status: int,
    message: str | None = None,
    headers: Sequence[tuple[str, str]] = (),
) -> Iterable[bytes]:
    """Answer with the error page for ``status`` (an empty body for ``HEAD``)."""
    body = error_body(environ, status, message)
    respond(start_response, status, body, headers=headers)
    return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
