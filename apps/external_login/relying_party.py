"""This site's registration at its OpenID provider, and one client per issuer it talks to.

The factory (``app.py``) builds one :class:`RelyingParty` and hands it to the views through the
environ; with no issuer configured it signs in through the development provider of this same
origin, reached by URL (``/idp``), never by importing it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from apps.external_login.client import OIDCClient

if TYPE_CHECKING:
    import requests
    from django.http import HttpRequest

    from apps.external_login.registration import Settings

RELYING_PARTY_KEY = "external_login.relying_party"


class RelyingParty:
    """This site at ``issuer``; ``issuer=None`` means the built-in provider at ``builtin_path``."""

    def __init__(
        self, issuer: str | None, settings: Settings, http: requests.Session, builtin_path: str = "/idp"
    ) -> None:
        self.issuer, self.settings, self.http, self.builtin_path = issuer, settings, http, builtin_path
        # Bounded: each Host header that ALLOWED_HOSTS admits (any port) names an issuer of its own.
        self._clients = functools.lru_cache(maxsize=16)(self._new_client)

    @property
    def builtin(self) -> bool:
        return self.issuer is None

    def issuer_for(self, request: HttpRequest) -> str:
        return self.issuer or request.build_absolute_uri(self.builtin_path)

    def client(self, request: HttpRequest) -> OIDCClient:
        """The client for this request's provider, kept so discovery and keys are cached."""
        return self._clients(self.issuer_for(request))

    def _new_client(self, issuer: str) -> OIDCClient:
        return OIDCClient(issuer, self.settings, self.http)
