"""The "propose a talk" demo's factory: a Pyramid app whose only Django part is its form.

Read :mod:`.bridge` (the adapter, the lesson of the demo), :mod:`.forms`, :mod:`.views` and
:mod:`.store` first; :func:`make_app` wires them with Pyramid's configurator: the session, CSRF,
the site's Jinja2 pages and 500 page (``swapdemo/kernel/pyramid.py``), routes, and the guards of
:mod:`.guards`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pyramid.config import Configurator
from pyramid.events import NewResponse
from pyramid.session import SignedCookieSessionFactory
from pyramid.tweens import MAIN

from apps.pyramid_forms.bridge import language_for
from apps.pyramid_forms.guards import security_headers
from apps.pyramid_forms.store import ProposalStore
from swapdemo.kernel.broker import broker_for

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config

TEMPLATES = Path(__file__).parent / "templates"


def make_app(config: Config) -> WSGIApplication:
    """The Pyramid WSGI app; proposals go to PostgreSQL when ``DATABASE_URL`` names it, else to
    ``<data_dir>/pyramid_forms.sqlite3``.

    Nothing of Django is configured here: :mod:`.bridge` does it on the first
    request, so that in the stack the Django demos set the process's settings first.
    """
    store = ProposalStore.for_config(config)
    events = broker_for(config)  # each saved proposal is announced to the live page (apps/realtime)
    sessions = SignedCookieSessionFactory(
        config.secret_key, cookie_name="swapdemo_forms", secure=config.https, httponly=True, samesite="Lax"
    )
    settings = {"jinja2.undefined": "strict", "allowed_hosts": config.allowed_hosts}
    with Configurator(settings=settings) as configurator:
        configurator.set_session_factory(sessions)
        configurator.set_default_csrf_options(require_csrf=True)
        configurator.set_locale_negotiator(language_for)
        configurator.include("swapdemo.kernel.pyramid")  # Jinja2 pages in the site's look, the 500 page
        configurator.add_jinja2_search_path(str(TEMPLATES), name=".html")
        configurator.add_request_method(lambda request: store, "proposals", reify=True)
        configurator.add_request_method(lambda request: events, "events", reify=True)
        configurator.add_route("propose", "/")
        configurator.add_route("proposals", "/proposals/")
        configurator.add_route("slides", r"/proposals/{id:[0-9]{1,18}}/slides")  # larger ids overflow SQLite
        configurator.add_tween("apps.pyramid_forms.bridge.django_language_tween")
        configurator.add_tween("apps.pyramid_forms.guards.allowed_hosts_tween", over=MAIN)
        configurator.add_tween("apps.pyramid_forms.guards.request_body_tween", over=MAIN)
        configurator.add_subscriber(security_headers, NewResponse)
        configurator.scan("apps.pyramid_forms.views")
        configurator.scan("apps.pyramid_forms.errors")
    return configurator.make_wsgi_app()
