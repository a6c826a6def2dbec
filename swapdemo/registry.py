"""Every demo and service of the suite, registered once.

``python -m swapdemo``, the landing page, the stack and each demo's entry
point all read :data:`ENTRIES`; a new demo appears everywhere by adding one
:class:`Entry` here.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config


@dataclasses.dataclass(frozen=True)
class Entry:
    """One demo (listed, with a command) or service (mounted for the demos that need it).

    :param name: the entry point, ``python -m swapdemo.<name>``; for a service,
        just its name.
    :param title: one line for listings.
    :param swaps: what the demo swaps out from under Django, one sentence.
    :param read_first: the file to open next to the page, relative to the repository.
    :param prefix: the mount prefix, or ``None`` for a command-line demo.
    :param factory: ``"module:function"`` taking a :class:`~swapdemo.kernel.config.Config`
        and returning a WSGI app; imported only when mounted.
    :param needs: names of the services it calls (mounted alongside it).
    :param service: mounted for the demos that need it, not listed as a demo.
    :param replaced_by: the :class:`~swapdemo.kernel.config.Config` field naming a real
        counterpart of this service; when it is set, the service is not mounted.
    """

    name: str
    title: str
    swaps: str
    read_first: str
    prefix: str | None = None
    factory: str | None = None
    needs: tuple[str, ...] = ()
    service: bool = False
    replaced_by: str | None = None

    @property
    def command(self) -> str | None:
        return None if self.service else f"python -m swapdemo.{self.name}"

    def load(self) -> Callable[[Config], WSGIApplication]:
        if self.factory is None:
            raise LookupError(f"{self.name} is a command-line demo: it has no WSGI app")
        module, _, function = self.factory.partition(":")
        return getattr(importlib.import_module(module), function)


ENTRIES: tuple[Entry, ...] = (
    Entry(
        name="jinja",
        title="Jinja2 templates for Django views",
        swaps="Django's template language, for Jinja2 through Django's own backend "
        "(the same page in DTL at /jinja/dtl/)",
        read_first="apps/jinja_templates/environment.py",
        prefix="/jinja",
        factory="apps.jinja_templates.app:make_app",
    ),
    Entry(
        name="idp",
        title="The built-in development OpenID Connect provider (development only)",
        swaps="nothing: an Authlib-based provider with demo users, so sign-in works offline",
        read_first="apps/oidc_provider/server.py",
        prefix="/idp",
        factory="apps.oidc_provider.app:make_app",
        service=True,
        replaced_by="oidc_issuer",  # its password is published: never next to a real provider
    ),
    Entry(
        name="auth",
        title="Sign-in through OpenID Connect",
        swaps="password sign-in: a custom authentication backend signs users in with an ID token "
        "from an OpenID provider",
        read_first="apps/external_login/backend.py",
        prefix="/auth",
        factory="apps.external_login.app:make_app",
        needs=("idp",),
    ),
    Entry(
        name="api",
        title="The built-in talks JSON API",
        swaps="nothing: the read-only JSON API that the API-backed demo reads by default",
        read_first="apps/talks_api/app.py",
        prefix="/api",
        factory="apps.talks_api.app:make_app",
        service=True,
    ),
    Entry(
        name="apidata",
        title="Talks from a REST API instead of the ORM",
        swaps="the ORM: a QuerySet-like class over requests feeds Django's Paginator, ListView "
        "and DetailView",
        read_first="apps/api_datasource/queryset.py",
        prefix="/apidata",
        factory="apps.api_datasource.app:make_app",
        needs=("api",),
    ),
    Entry(
        name="pyramid_forms",
        title="Django forms in a Pyramid app",
        swaps="Django around its forms: Pyramid routes, views, CSRF, sessions and Jinja2 pages; "
        "only the form is django.forms",
        read_first="apps/pyramid_forms/bridge.py",
        prefix="/forms",
        factory="apps.pyramid_forms.app:make_app",
    ),
    Entry(
        name="orm_script",
        title="The Django ORM in a standalone script",
        swaps="manage.py and the project: a plain argparse script configures Django in code, "
        "migrates itself, "
        "batch-upserts large files and reports from a materialized view",
        read_first="apps/orm_scripts/standalone.py",
    ),
    Entry(
        name="postmortem",
        title="Post-mortem: the stack of a crashed request, kept and walked later",
        swaps="Django's 500 handling: every framework's crash is stored as a bounded, redacted snapshot "
        "to read at /__postmortem__, walk with pdb's words or replay under pdb",
        read_first="swapdemo/kernel/crashes.py",
        prefix="/postmortem",
        factory="apps.postmortem.app:make_app",
        needs=("api",),
    ),
    Entry(
        name="realtime",
        title="Live pages: new proposals pushed over SSE and WebSocket, under Tornado",
        swaps="the WSGI server: Tornado serves every page of the stack through WSGIContainer and, "
        "beside them, live connections no WSGI server holds cheaply",
        read_first="apps/realtime/hub.py",
        prefix="/live",  # Tornado's own handlers answer it; the WSGI stack does not mount it
    ),
)


def demos() -> tuple[Entry, ...]:
    return tuple(entry for entry in ENTRIES if not entry.service)


def get(name: str) -> Entry:
    for entry in ENTRIES:
        if entry.name == name:
            return entry
    raise LookupError(f"no demo or service named {name!r}")


def closure(names: tuple[str, ...]) -> tuple[Entry, ...]:
    """The entries named and every service they need, in registry order."""
    wanted = set()
    pending = list(names)
    while pending:
        entry = get(pending.pop())
        if entry.name not in wanted:
            wanted.add(entry.name)
            pending.extend(entry.needs)
    return tuple(entry for entry in ENTRIES if entry.name in wanted)
