"""The demo's WSGI factory, named by its registry entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from swapdemo.kernel.site import django_app

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config


def make_app(config: Config) -> WSGIApplication:
    """The schedule views as a WSGI app to mount at ``/jinja``.

    Django's settings are process-wide (``swapdemo.settings`` reads the same
    configuration), so ``config`` selects nothing here; it is the suite's
    factory signature.
    """
    return django_app("apps.jinja_templates.urls")
