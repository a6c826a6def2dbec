"""The sign-in demo's factory: the relying party at ``/auth/``, configured from a Config.

With ``SWAPDEMO_OIDC_ISSUER`` unset it signs in through the built-in development provider of
this process (``/idp/``, whose published client registration the configuration carries), its
issuer derived from each request's origin.  Calls to the provider go through a ``requests``
session with the in-process transport mounted, so a provider served by the same worker pool
answers without a network round trip and cannot deadlock it; any other provider is called over
the network.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.external_login.registration import Settings
from apps.external_login.relying_party import RELYING_PARTY_KEY, RelyingParty
from swapdemo.kernel.site import django_app, migrate
from wsgi_stack.deadline import DeadlineAdapter
from wsgi_stack.transport import InProcessTransport

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config


def make_app(
    config: Config, timeout: tuple[float, float] = (3.05, 10.0), total: float = 15.0
) -> WSGIApplication:
    """The relying party; ``timeout`` is (connect, read) seconds for every call to the provider,
    ``total`` the seconds a whole call may take.

    Each request carries it in ``environ["external_login.relying_party"]``.
    """
    settings = Settings(config.oidc_client_id or "", config.oidc_client_secret, timeout=timeout, total=total)
    http = InProcessTransport.session(DeadlineAdapter(), trust_forwarded_proto=config.https)
    app = django_app(
        "apps.external_login.urls", {RELYING_PARTY_KEY: RelyingParty(config.oidc_issuer, settings, http)}
    )
    migrate(config)  # the users and their identities
    return app
