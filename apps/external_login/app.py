"""The sign-in demo as a mountable WSGI app (``/auth/``), configured from a Config.

With ``SWAPDEMO_OIDC_ISSUER`` unset it signs in through the built-in
development provider of this process (``/idp/``), whose issuer is derived from
each request's origin.  Calls to the provider go through a ``requests``
session with the foundation's in-process transport mounted, so a provider
served by the same worker pool answers without a network round trip and
cannot deadlock it; any other provider is called over the network.
"""

from __future__ import annotations

import fcntl
from typing import TYPE_CHECKING

import requests
from django.core.management import call_command

from apps.external_login.client import OIDCClient, Settings
from swapdemo import registry
from swapdemo.site import django_app
from wsgi_stack.transport import InProcessTransport

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from django.http import HttpRequest

    from swapdemo.config import Config


class RelyingParty:
    """This site's registration at a provider; ``issuer=None`` means the built-in one."""

    def __init__(self, issuer: str | None, settings: Settings, http: requests.Session) -> None:
        self.issuer, self.settings, self.http = issuer, settings, http
        self._clients: dict[str, OIDCClient] = {}

    @property
    def builtin(self) -> bool:
        return self.issuer is None

    def issuer_for(self, request: HttpRequest) -> str:
        return self.issuer or request.build_absolute_uri(registry.get("idp").prefix)

    def client(self, request: HttpRequest) -> OIDCClient:
        """The client for this request's provider, kept so discovery and keys are cached."""
        issuer = self.issuer_for(request)
        if issuer not in self._clients:
            self._clients[issuer] = OIDCClient(issuer, self.settings, self.http)
        return self._clients[issuer]


def migrate(config: Config) -> None:
    """Bring the database up to date (sessions, users, identities, codes); idempotent.

    An exclusive lock under ``config.data_dir`` lets several workers start at once.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    with (config.data_dir / "migrate.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        call_command("migrate", interactive=False, verbosity=0)


def make_app(config: Config, timeout: tuple[float, float] = (3.05, 10.0)) -> WSGIApplication:
    """The relying party; ``timeout`` is (connect, read) seconds for every call to the provider.

    Each request carries it in ``environ["external_login.relying_party"]``.
    """
    site = django_app("apps.external_login.urls")
    from apps.external_login.views import RELYING_PARTY_KEY  # imports models: only once Django is set up

    migrate(config)
    if config.oidc_issuer and config.oidc_client_id:
        settings = Settings(config.oidc_client_id, config.oidc_client_secret, timeout=timeout)
    else:
        from apps.oidc_provider.clients import DEVELOPMENT_CLIENT

        settings = Settings(DEVELOPMENT_CLIENT.client_id, DEVELOPMENT_CLIENT.client_secret, timeout=timeout)
    http = requests.Session()
    transport = InProcessTransport()
    http.mount("http://", transport)
    http.mount("https://", transport)
    relying_party = RelyingParty(config.oidc_issuer, settings, http)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[RELYING_PARTY_KEY] = relying_party
        return site(environ, start_response)

    return app
