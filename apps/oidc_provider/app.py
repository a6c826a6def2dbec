"""The development OpenID Connect provider's factory: a mountable WSGI app for ``/idp/``.

Development only: it signs in two demo users with a published password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swapdemo.kernel.site import django_app, migrate, setup_django

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config

PROVIDER_KEY = "oidc_provider.provider"


def make_app(config: Config) -> WSGIApplication:
    """The provider; its signing key lives in the database (made now if there is none).

    Each request carries the provider in ``environ["oidc_provider.provider"]``.
    """
    setup_django()
    from apps.oidc_provider.server import Provider  # it stores codes in a model: after set-up

    migrate(config)
    return django_app("apps.oidc_provider.urls", {PROVIDER_KEY: Provider()})
