"""What the Pyramid app guards itself against, as Django's middleware guards the Django demos.

A Host header outside ``SWAPDEMO_ALLOWED_HOSTS`` is refused with the same 400 page Django gives
(``ALLOWED_HOSTS``, with Django's own matching); a body over :data:`MAX_BODY_BYTES` is refused
before anything parses it; every response carries the security headers Django's middleware adds.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from django.http.request import split_domain_port, validate_host
from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

from apps.pyramid_forms.forms import MAX_SLIDES_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.events import NewResponse
    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

MAX_BODY_BYTES = MAX_SLIDES_BYTES + 1024 * 1024


class DisallowedHostError(HTTPBadRequest):
    """The request named a host this site does not answer to."""


def allowed_hosts_tween(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    """Pyramid tween: a ``Host`` outside the ``allowed_hosts`` setting is a 400, before any view runs."""
    allowed = list(registry.settings["allowed_hosts"])

    def tween(request: Request) -> Response:
        domain, _port = split_domain_port(request.host)
        if not domain or not validate_host(domain, allowed):
            raise DisallowedHostError()
        return handler(request)

    return tween


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
