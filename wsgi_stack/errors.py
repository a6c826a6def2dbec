"""Turn an exception that escapes the app into the site's 500 page, never a traceback or a bare server page.

Django and Pyramid answer their own errors; a plain WSGI app, a layer, or a framework that fails
before its error handling runs lets the exception escape to the server, whose page is either
bare or, in some servers, a traceback.  :class:`ErrorPages` logs the traceback for the operator,
with the request id, and answers the visitor with the error page, which shows only the id.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from wsgi_stack import pages

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger("wsgi_stack.errors")


class ErrorPages:
    """Answer an unhandled exception from ``app`` with a 500 page.

    :param app: the WSGI app to wrap.
    :param logger: where the traceback goes, with the method, the path and the request id.

    Reads ``REQUEST_METHOD``, ``SCRIPT_NAME``, ``PATH_INFO``, ``wsgi_stack.request_id`` and the
    page hooks of :mod:`wsgi_stack.pages`; writes nothing.  The 500 is started with ``exc_info``, as
    PEP 3333 asks, so a server that already sent headers re-raises instead.  An exception raised
    while the body is iterated is logged and passed on: the status line is gone by then.  Use it
    inside the request-id and access-log layers, so the log line and the page carry the same id.
    """

    def __init__(self, app: WSGIApplication, logger: logging.Logger = logger) -> None:
        self.app = app
        self.logger = logger

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            return self.app(environ, start_response)
        except Exception:
            self._log(environ)
            body = pages.error_body(environ, 500)
            return pages.respond(start_response, 500, body, exc_info=sys.exc_info())

    def _log(self, environ: WSGIEnvironment) -> None:
        where = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        request_id = environ.get("wsgi_stack.request_id", "-")
        self.logger.exception("%s %r failed (request %s)", environ.get("REQUEST_METHOD"), where, request_id)
