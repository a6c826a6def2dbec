"""The development OpenID Connect provider as a mountable WSGI app (``/idp/``).

Development only: it signs in two demo users with a published password.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swapdemo.kernel.site import django_app, migrate

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from swapdemo.kernel.config import Config


def make_app(config: Config) -> WSGIApplication:
    """The provider, with a signing key made now for the life of the process.

    Each request carries the provider in ``environ["oidc_provider.provider"]``.
    """
    site = django_app("apps.oidc_provider.urls")
    # Models can be imported only once django_app() has set Django up.
    from apps.oidc_provider.server import Provider
    from apps.oidc_provider.views import PROVIDER_KEY

    migrate(config)
    provider = Provider()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[PROVIDER_KEY] = provider
        return site(environ, start_response)

    return app
