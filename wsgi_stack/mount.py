"""Dispatch requests to WSGI apps by URL prefix, the way a server mounts them.

Each app sees the prefix it is mounted at in ``SCRIPT_NAME`` and the rest of
the path in ``PATH_INFO``, so URL builders (Django's ``reverse()``, Pyramid's
``request.route_url``) produce links that include the prefix.  Use it to serve
several apps from one process; do not use it to route inside one app, which
is its framework's job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote

from wsgi_stack import pages
from wsgi_stack.serving import serving

PREFIX_KEY = "wsgi_stack.mount"

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def _not_found(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return pages.error(environ, start_response, 404, f"There is nothing at {path}.")


class Mount:
    """Route each request to the app mounted at the longest matching prefix.

    :param mounts: ``{"/prefix": app}``; prefixes start with ``/`` and have no
        trailing slash.  ``/jinja`` answers ``/jinja`` and ``/jinja/...`` but
        not ``/jinjax``.
    :param default: the app for paths no prefix matches (a landing page),
        which sees the path unchanged.  The site's 404 page (:mod:`wsgi_stack.pages`) when not given.

    Reads ``SCRIPT_NAME`` and ``PATH_INFO``; moves the matched prefix from
    ``PATH_INFO`` to the end of ``SCRIPT_NAME``, and writes it to ``wsgi_stack.mount``
    (``""`` for the default app), so a page can tell its mount from the root; a Mount inside a
    mounted app adds its prefix to the enclosing one's (``/postmortem/rate``).  A request for the bare
    prefix (``/jinja``) is redirected to ``/jinja/`` so relative links work.
    While an app runs, :class:`wsgi_stack.transport.InProcessTransport` knows
    this dispatcher and the origin it is being served on.
    """

    def __init__(self, mounts: Mapping[str, WSGIApplication], default: WSGIApplication | None = None) -> None:
        for prefix in mounts:
            if not prefix.startswith("/") or prefix.endswith("/"):
                raise ValueError(f"mount prefix {prefix!r} must start with '/' and not end with one")
        self.mounts = dict(sorted(mounts.items(), key=lambda item: len(item[0]), reverse=True))
        self.default = default or _not_found

    def match(self, path: str) -> str | None:
        """The mounted prefix that owns ``path``, or ``None``."""
        for prefix in self.mounts:
            if path == prefix or path.startswith(prefix + "/"):
                return prefix
        return None

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        prefix = self.match(path)
        token = serving(environ, self)
        try:
            outer = environ.get(PREFIX_KEY, "")  # set when this Mount is inside another
            if prefix is None:
                environ[PREFIX_KEY] = outer
                return self.default(environ, start_response)
            if path == prefix:
                return self._add_slash(environ, start_response)
            environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + prefix
            environ["PATH_INFO"] = path[len(prefix) :]
            environ[PREFIX_KEY] = outer + prefix
            return self.mounts[prefix](environ, start_response)
        finally:
            token.var.reset(token)

    @staticmethod
    def _add_slash(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("SCRIPT_NAME", "") + environ["PATH_INFO"] + "/"
        location = quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=-._~")
        if environ.get("QUERY_STRING"):
            location += "?" + environ["QUERY_STRING"]
        body = f"Moved to {location}\n".encode("ascii")
        headers = [
            ("Location", location),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        start_response("301 Moved Permanently", headers)
        return [body]
