"""Django's error views for every mount: the site's error page, rendered by DTL.

Django looks its ``handler404`` and friends up in the URLconf that served the request, so each
demo's URLconf imports them: ``from swapdemo.kernel.handlers import handler400, handler403,
handler404, handler500``.  ``CSRF_FAILURE_VIEW`` names :func:`csrf_failure`.  A body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413 stating the limit; a database that stops answering after
start-up is a 503, not a 500; a 500 shows the request id the access log carries, and nothing else.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.shortcuts import render

from swapdemo.kernel.pages import ErrorPage, error

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

CSRF_HELP = "The form was sent without this site's security token, or with an old one (a page left open "
CSRF_HELP += "for a long time, or blocked cookies). Nothing was saved."


def respond(request: HttpRequest, page: ErrorPage, headers: dict[str, str] | None = None) -> HttpResponse:
    """``page`` rendered by DTL with the site's layout."""
    response = render(request, "site/error.html", {"error": page}, status=page.status, using="django")
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit = f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:g} MiB"
        return respond(request, error(413, request.META, f"A form sent here may be at most {limit}."))
    if isinstance(exception, DisallowedHost):
        message = "This server does not answer to the host name this request was sent to."
        return respond(
            request, error(400, request.META, message, advice="Use the address the site gave you.")
        )
    return respond(request, error(400, request.META))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return respond(request, error(403, request.META))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return respond(request, error(404, request.META, f"There is nothing at {request.path}."))


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500, or a 503 when the database stopped answering; Django calls it inside its ``except``."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        message = "The database is not answering just now. Nothing is wrong with your request."
        return respond(request, error(503, request.META, message), {"Retry-After": "30"})
    return respond(request, error(500, request.META))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Say what happened and what to do; the form comes back with what was typed, where it can."""
    typed = {key: value for key, value in request.POST.items() if _safe_to_repeat(key)}
    # A form whose URL carries its own query (an OAuth request) comes back as it was; a plain one
    # (the schedule's filter, which answers GET too) comes back filled in.
    back = request.get_full_path() if request.GET or not typed else f"{request.path}?{urlencode(typed)}"
    advice = "Reload the form and send it again."
    return respond(
        request, error(403, request.META, CSRF_HELP, title="This form has expired", advice=advice, back=back)
    )


def _safe_to_repeat(key: str) -> bool:
    return not any(word in key.lower() for word in ("csrf", "password", "token", "secret"))


handler400: Any = bad_request
handler403: Any = permission_denied
handler404: Any = page_not_found
handler500: Any = server_error
