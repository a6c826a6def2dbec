"""A crashed request kept for later, whichever framework it crashed in: the post-mortem's wiring.

Today a 500 leaves a log line; with the post-mortem on (``--postmortem``, ``SWAPDEMO_POSTMORTEM=1``)
it also leaves a snapshot of the stack, every frame's locals and the request, which a person walks
hours later with ``python -m swapdemo.postmortem debug ID``.  Each framework hides the exception
from the WSGI layers around it in its own way, so each needs its own hook into one capture:

- Django turns a view's or template's exception into a 500 page inside its handler, and no WSGI
  layer sees it.  It sends ``got_request_exception`` from inside its ``except`` block, where
  ``sys.exc_info()`` still holds the exception and its traceback: :func:`capture_django_crash`.
- Pyramid renders it in an exception view: the site's (``kernel/pyramid.py``) calls the hook.
- Anything else that escapes an app reaches :class:`~wsgi_stack.postmortem.layer.PostMortem`,
  the WSGI layer, which also puts the hook (``wsgi_stack.postmortem.capture``) in the environ.

One crash may pass two hooks (a Pyramid view, then the layer): the first stores it and writes
its id into the environ, the others see the id and stop.  The snapshot keeps the site's secrets
out by construction: :func:`redactor` knows them all, whatever ``DEBUG`` says.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.signals import got_request_exception

from wsgi_stack.postmortem.layer import CAPTURE_KEY, PostMortem
from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.sqlstore import SqlStore
from wsgi_stack.postmortem.store import FileStore

if TYPE_CHECKING:
    from django.http import HttpRequest

    from swapdemo.kernel.config import Config
    from wsgi_stack import Layer


def capture_django_crash(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """``got_request_exception``'s receiver: hand the exception to the hook the layer set, if any."""
    environ = request.META if request is not None else {}  # a WSGIRequest's META is the WSGI environ
    hook = environ.get(CAPTURE_KEY)
    if hook is not None:
        hook(sys.exc_info(), environ)


def connect() -> None:
    """Listen to Django's ``got_request_exception``; idempotent."""
    got_request_exception.connect(capture_django_crash, dispatch_uid="swapdemo.kernel.crashes")


def redactor(config: Config) -> Redactor:
    """Every secret the site knows: its key, passwords, tokens, secret-named environment values."""
    urls = [config.cache_url, config.redis_url, config.api_url, config.oidc_issuer]
    return Redactor(
        [
            config.secret_key,
            config.database.get("PASSWORD") or "",
            config.oidc_client_secret or "",
            config.profile_token or "",
            config.postmortem_token or "",
            *(urlsplit(url).password or "" for url in urls if url),
            *config.sensitive_environment,
        ]
    )


def store(config: Config) -> FileStore | SqlStore:
    """The database every worker and host shares when it is PostgreSQL; else the data folder."""
    if config.database["ENGINE"] != "django.db.backends.postgresql":
        return FileStore(config.data_dir / "postmortem")
    import psycopg

    database = config.database
    options = {
        "dbname": database["NAME"],
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
    }
    return SqlStore(lambda: psycopg.connect(connect_timeout=5, **options))


def layer(config: Config) -> Layer:
    """The post-mortem layer for the stack: its store, its redactor and its gate's token."""
    return (
        PostMortem,
        {"store": store(config), "redactor": redactor(config), "token": config.postmortem_token},
    )
