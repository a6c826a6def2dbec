"""The Pyramid app's error pages: the site's own (``site/error.html``), as the Django demos show them.

A 404, a 413 stating the limit, a refused ``Host`` and a database that does not answer (503) each
render the site's error template through Pyramid's Jinja2 renderer; a crash is the kernel's 500
page (``swapdemo/kernel/pyramid.py``).  A failed CSRF check on the proposal form shows
the form again, filled in with what was sent, and a fresh token: nothing typed is lost.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pyramid.exceptions import BadCSRFOrigin, BadCSRFToken
from pyramid.httpexceptions import HTTPClientError, HTTPRequestEntityTooLarge
from pyramid.view import exception_view_config

from apps.pyramid_forms.forms import ProposalForm
from apps.pyramid_forms.guards import MAX_BODY_BYTES, DisallowedHostError
from apps.pyramid_forms.store import StoreError
from swapdemo.kernel.handlers import CSRF_HELP
from swapdemo.kernel.pyramid import error_page

if TYPE_CHECKING:
    from pyramid.request import Request

logger = logging.getLogger(__name__)


@exception_view_config(HTTPClientError, renderer="site/error.html")
def client_error(exc: HTTPClientError, request: Request) -> dict[str, Any]:
    if isinstance(exc, HTTPRequestEntityTooLarge):
        return error_page(request, 413, f"A form sent here may be at most {MAX_BODY_BYTES / 2**20:g} MiB.")
    if isinstance(exc, DisallowedHostError):
        message = "This server does not answer to the host name this request was sent to."
        return error_page(request, 400, message, advice="Use the address the site gave you.")
    if exc.code == 404:
        return error_page(request, 404, f"There is nothing at {request.path}.")
    return error_page(request, exc.code, exc.explanation or None)


@exception_view_config(BadCSRFToken, renderer="propose.html")
@exception_view_config(BadCSRFOrigin, renderer="propose.html")
def csrf_failure(exc: Exception, request: Request) -> dict[str, Any]:
    """The proposal form again, with what was sent (files aside: browsers never re-send them)."""
    request.response.status_int = 403
    sent = request.POST
    typed = {
        key: sent.getall(key) if key == "topics" else sent.get(key) for key in sent if key != "csrf_token"
    }
    form = ProposalForm(initial={key: value for key, value in typed.items() if isinstance(value, str | list)})
    return {"form": form, "expired": f"{CSRF_HELP} What you typed is below: send it again."}


@exception_view_config(StoreError, renderer="site/error.html")
def store_error(exc: StoreError, request: Request) -> dict[str, Any]:
    logger.error("proposals are unavailable: %s", exc)
    request.response.headers["Retry-After"] = "30"
    return error_page(
        request, 503, "The proposals cannot be read just now. Nothing is wrong with your request."
    )
