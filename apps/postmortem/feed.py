"""The plain WSGI page: the built-in API's talks, read by an adapter written for another API."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from apps.postmortem.crashes import titles
from wsgi_stack import pages
from wsgi_stack.deadline import DeadlineAdapter
from wsgi_stack.transport import InProcessTransport

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

session = InProcessTransport.session(fallback=DeadlineAdapter())


def feed(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The first five talks' titles from ``/api/talks/`` of this server; no framework around it."""
    origin = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST') or environ['SERVER_NAME']}"
    answer = session.get(f"{origin}/api/talks/?limit=5", timeout=(3, 10)).json()
    items = "".join(f"<li>{html.escape(title)}</li>" for title in titles(answer))
    body = pages.page(environ, "Talk feed", f"<h1>Talk feed</h1><ul>{items}</ul>")
    return pages.respond(start_response, 200, body)
