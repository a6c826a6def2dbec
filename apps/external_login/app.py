"""The sign-in demo as a mountable WSGI app (``/auth/``), configured from a Config.

With ``SWAPDEMO_OIDC_ISSUER`` unset it signs in through the built-in
development provider of this process (``/idp/``), whose issuer is derived from
each request's origin.  Calls to the provider go through a ``requests``
session with the foundation's in-process transport mounted, so a provider
served by the same worker pool answers without a network round trip and
cannot deadlock it; any other provider is called over the network.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from apps.external_login.client import OIDCClient, Settings
from swapdemo import registry
from swapdemo.kernel.site import django_app, migrate
from wsgi_stack.transport import InProcessTransport

if TYPE_CHECKING:
    from collections.abc import Iterable

    import requests
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from django.http import HttpRequest

    from swapdemo.kernel.config import Config


class RelyingParty:
    """This site's registration at a provider; ``issuer=None`` means the built-in one."""

    def __init__(self, issuer: str | None, settings: Settings, http: requests.Session) -> None:
        self.issuer, self.settings, self.http = issuer, settings, http
        # Bounded: each Host header that ALLOWED_HOSTS admits (any port) names an issuer of its own.
        self._clients = functools.lru_cache(maxsize=16)(self._new_client)

    @property
    def builtin(self) -> bool:
        return self.issuer is None

    def issuer_for(self, request: HttpRequest) -> str:
        return self.issuer or request.build_absolute_uri(registry.get("idp").prefix)

    def client(self, request: HttpRequest) -> OIDCClient:
        """The client for this request's provider, kept so discovery and keys are cached."""
        return self._clients(self.issuer_for(request))

    def _new_client(self, issuer: str) -> OIDCClient:
        return OIDCClient(issuer, self.settings, self.http)


def make_app(config: Config, timeout: tuple[float, float] = (3.05, 10.0)) -> WSGIApplication:
    """The relying party; ``timeout`` is (connect, read) seconds for every call to the provider.

    Each request carries it in ``environ["external_login.relying_party"]``.
    """
    site = django_app("apps.external_login.urls")
    from apps.external_login.views import (
        RELYING_PARTY_KEY,  # imports models: only once Django is set up
    )

    migrate(config)
    if config.oidc_issuer and config.oidc_client_id:
        settings = Settings(config.oidc_client_id, config.oidc_client_secret, timeout=timeout)
    else:
        from apps.oidc_provider.clients import DEVELOPMENT_CLIENT

        settings = Settings(DEVELOPMENT_CLIENT.client_id, DEVELOPMENT_CLIENT.client_secret, timeout=timeout)
    relying_party = RelyingParty(config.oidc_issuer, settings, InProcessTransport.session(trust_forwarded_proto=config.https))

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[RELYING_PARTY_KEY] = relying_party
        return site(environ, start_response)

    return app
