"""Django as a mountable WSGI app: one settings module, one URLconf per mount.

``django_app("apps.jinja_templates.urls")`` returns Django's WSGI handler
answering only that URLconf's URLs.  The handler already turns
``SCRIPT_NAME`` into the script prefix, so ``reverse()`` includes the prefix
the app is mounted at; :class:`MountUrlconfMiddleware` sets Django's
documented ``request.urlconf`` from the mount, so two Django demos in one
process never see each other's URLs.  :class:`ExceptionReporterFilter` is the
settings' filter for error reports.
"""

from __future__ import annotations

import fcntl
import os
import re
from typing import TYPE_CHECKING, Any

from django.views.debug import SafeExceptionReporterFilter

from swapdemo.kernel import crashes
from wsgi_stack.environ import WithEnviron

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from _typeshed.wsgi import WSGIApplication
    from django.http import HttpRequest, HttpResponse

    from swapdemo.kernel.config import Config

URLCONF_KEY = "swapdemo.urlconf"


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter for debug pages and error mails, also hiding cache ``LOCATION``s.

    A Redis URL carries its password, and Django's own list of hidden names
    (API, TOKEN, KEY, SECRET, PASS, ...) does not cover it.
    """

    hidden_settings = re.compile(f"{SafeExceptionReporterFilter.hidden_settings.pattern}|LOCATION", re.I)


# pg_advisory_lock's key for migrations: any fixed number; this one is b"swapdemo".
MIGRATION_LOCK = int.from_bytes(b"swapdemo", "big") & 0x7FFF_FFFF_FFFF_FFFF


def migrate(config: Config) -> None:
    """Bring the process's database up to date (sessions, users, ...); idempotent.

    Several workers, and several hosts, may start at once: on PostgreSQL a session-level advisory
    lock in the database itself makes them migrate one after the other (a file lock in each host's
    data folder would not: two hosts racing on an empty database meet ``IntegrityError``s); on
    SQLite, whose database is a file in the data folder, an exclusive lock beside it does.
    """
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
        try:
            call_command("migrate", interactive=False, verbosity=0)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])
        return
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with (config.data_dir / "migrate.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("migrate", interactive=False, verbosity=0)


def setup_django() -> None:
    """Load ``swapdemo.settings`` and the app registry, once per process: models import after this."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swapdemo.settings")
    import django

    django.setup(set_prefix=False)
    crashes.connect()  # a view's crash reaches the post-mortem store, when it is on


def django_app(urlconf: str, values: Mapping[str, Any] | None = None) -> WSGIApplication:
    """Set Django up (once per process) and return a handler for ``urlconf``.

    ``values`` go into each request's environ (``request.META`` in the views): the objects the
    demo's factory built for its views.
    """
    setup_django()
    from django.core.handlers.wsgi import WSGIHandler

    return WithEnviron(WSGIHandler(), {URLCONF_KEY: urlconf, **(values or {})})


class MountUrlconfMiddleware:
    """Route each request with the URLconf of the mount it came through.

    Reads ``swapdemo.urlconf`` from the WSGI environ; requests without it use
    ``ROOT_URLCONF``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        urlconf = request.META.get(URLCONF_KEY)
        if urlconf:
            request.urlconf = urlconf
        return self.get_response(request)
