"""Django's forms inside a Pyramid app: the "propose a talk" demo at ``/forms/``.

Read in this order: :mod:`.bridge` (the adapter, the lesson of the demo),
:mod:`.forms` (a plain Django form), :mod:`.views` (plain Pyramid views),
:mod:`.store` (SQLite or PostgreSQL), then :func:`make_app` below.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING

from pyramid.config import Configurator
from pyramid.events import NewResponse
from pyramid.httpexceptions import HTTPRequestEntityTooLarge
from pyramid.session import SignedCookieSessionFactory
from pyramid.tweens import MAIN

from apps.pyramid_forms.bridge import language_for
from apps.pyramid_forms.forms import MAX_SLIDES_BYTES
from apps.pyramid_forms.store import ProposalStore

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIApplication
    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

    from swapdemo.kernel.config import Config

TEMPLATES = Path(__file__).parent / "templates"
MAX_BODY_BYTES = MAX_SLIDES_BYTES + 1024 * 1024


def request_body_tween(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    """Pyramid tween: refuse a body over :data:`MAX_BODY_BYTES`, and close WebOb's copy of a large one.

    The 413 comes before anything parses the body, the CSRF check included
    (it reads ``request.POST``).  A body without a ``Content-Length`` (chunked,
    which gunicorn passes on with ``wsgi.input_terminated``) is read up to one
    byte past the limit, and kept when it fits.  WebOb copies a large body into
    a temporary file to make it seekable and never closes it
    (Pylons/webob#416): the tween closes it once the response is ready.
    """

    def tween(request: Request) -> Response:
        if (request.content_length or 0) > MAX_BODY_BYTES:
            raise HTTPRequestEntityTooLarge()
        if request.content_length is None and request.is_body_readable:
            request.body = _read_at_most(request.body_file_raw, MAX_BODY_BYTES)
        received = request.environ.get("wsgi.input")
        try:
            return handler(request)
        finally:
            body = request.environ.get("wsgi.input")
            if body is not received and body is not None:
                body.close()

    return tween


def security_headers(event: NewResponse) -> None:
    """What Django's security and clickjacking middleware add to the Django demos' pages."""
    headers = event.response.headers
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")


def _read_at_most(stream: IO[bytes], limit: int) -> bytes:
    """All of ``stream``, or ``HTTPRequestEntityTooLarge`` as soon as it holds more than ``limit`` bytes."""
    chunks, size = [], 0
    while chunk := stream.read(min(limit + 1 - size, 1 << 16)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise HTTPRequestEntityTooLarge()
    return b"".join(chunks)


def make_app(config: Config) -> WSGIApplication:
    """The Pyramid WSGI app; proposals go to PostgreSQL when ``DATABASE_URL`` names it, else to
    ``<data_dir>/pyramid_forms.sqlite3``.

    Nothing of Django is configured here: :mod:`.bridge` does it on the first
    request, so that in the stack the Django demos set the process's settings first.
    """
    store = ProposalStore.for_config(config)
    sessions = SignedCookieSessionFactory(
        config.secret_key, cookie_name="swapdemo_forms", secure=config.https, httponly=True, samesite="Lax"
    )
    with Configurator(settings={"jinja2.undefined": "strict"}) as configurator:
        configurator.set_session_factory(sessions)
        configurator.set_default_csrf_options(require_csrf=True)
        configurator.set_locale_negotiator(language_for)
        configurator.include("pyramid_jinja2")
        configurator.add_jinja2_renderer(".html")
        configurator.add_jinja2_search_path(str(TEMPLATES), name=".html")
        configurator.add_request_method(lambda request: store, "proposals", reify=True)
        configurator.add_route("propose", "/")
        configurator.add_route("proposals", "/proposals/")
        configurator.add_route("slides", r"/proposals/{id:[0-9]{1,18}}/slides")  # larger ids overflow SQLite
        configurator.add_tween("apps.pyramid_forms.bridge.django_language_tween")
        configurator.add_tween("apps.pyramid_forms.app.request_body_tween", over=MAIN)
        configurator.add_subscriber(security_headers, NewResponse)
        configurator.scan("apps.pyramid_forms.views")
    return configurator.make_wsgi_app()
