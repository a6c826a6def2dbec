"""The site in a Pyramid app: ``configurator.include("swapdemo.kernel.pyramid")``.

It gives the app Jinja2 pages (``.html``, through pyramid_jinja2) that can extend the site's
layout, the header and nav on every page (the ``chrome`` the Django demos' context processor
gives theirs), and the site's 500 page for any exception no more specific exception view takes:
the traceback goes to the log and, when the post-mortem layer is on, to its store; the visitor
sees the request id and nothing else.  :func:`error_page` is what an app's own exception views
return.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pyramid.events import BeforeRender

from swapdemo.kernel.layout import chrome
from swapdemo.kernel.pages import JINJA2_DIR, error
from wsgi_stack.postmortem.layer import CAPTURE_KEY

if TYPE_CHECKING:
    from pyramid.config import Configurator
    from pyramid.request import Request

logger = logging.getLogger("swapdemo")


def includeme(config: Configurator) -> None:
    config.include("pyramid_jinja2")
    config.add_jinja2_renderer(".html")
    config.add_jinja2_search_path(str(JINJA2_DIR), name=".html")  # site/base.html, site/error.html
    config.add_subscriber(add_chrome, BeforeRender)
    config.add_exception_view(crash, context=Exception, renderer="site/error.html")


def add_chrome(event: BeforeRender) -> None:
    """Every page gets the site's header and nav."""
    request = event.get("request")
    event.setdefault("chrome", chrome(request.environ if request is not None else {}))


def error_page(request: Request, status: int, message: str | None = None, **options: Any) -> dict[str, Any]:
    """The context of ``site/error.html`` for ``status``; sets the response's status and no-store."""
    request.response.status_int = status
    request.response.cache_control = "no-store"
    return {"error": error(status, request.environ, message, **options)}


def crash(exc: Exception, request: Request) -> dict[str, Any]:
    """Any other exception: the traceback to the log and the post-mortem store, the id to the page."""
    logger.exception(
        "%s %s failed (request %s)",
        request.method,
        request.path,
        request.environ.get("wsgi_stack.request_id"),
    )
    capture = request.environ.get(CAPTURE_KEY)
    if capture is not None and request.exc_info is not None:
        capture(request.exc_info, request.environ)
    return error_page(request, 500)
