"""The development provider: Authlib's authorization server, signing with the database's key.

Authlib's ``AuthorizationServer`` runs the authorization-code grant; ``OpenIDCode`` adds the signed
ID token, ``CodeChallenge`` (narrowed to S256, and required) checks PKCE, and
``EndSessionEndpoint`` answers RP-initiated logout (``grants.py``).  The issuer is the origin and
mount a request came in on, so :class:`Provider` builds a small server per request (a few
registrations) for that issuer, signing with the current key from ``keys.py``.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

from authlib.integrations.django_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants

from apps.oidc_provider import keys
from apps.oidc_provider.clients import DEVELOPMENT_CLIENT, SCOPES, RegisteredClient
from apps.oidc_provider.grants import CodeGrant, EndSession, IDTokens, RequireS256, TokenLogFilter

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749 import OAuth2Request
    from django.http import HttpRequest
    from joserfc.jwk import RSAKey


class Provider:
    """The provider: servers made per request, with the keys every worker and host shares."""

    def __init__(self) -> None:
        keys.signing_key()  # made now, at start-up, if the database has none
        grant_logger = logging.getLogger(grants.AuthorizationCodeGrant.__module__)
        if not any(isinstance(existing, TokenLogFilter) for existing in grant_logger.filters):
            grant_logger.addFilter(TokenLogFilter())

    def server(self, request: HttpRequest) -> ProviderServer:
        origin = f"{request.scheme}://{request.get_host()}"
        return ProviderServer(issuer(request), origin, keys.signing_key())

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in keys.published()]}


def issuer(request: HttpRequest) -> str:
    """``scheme://host`` and the mount prefix: what the relying party derives for ``/idp``."""
    return f"{request.scheme}://{request.get_host()}{request.META.get('SCRIPT_NAME', '')}"


class ProviderServer(AuthorizationServer):
    """Authlib's Django server for one issuer; it stores no access tokens (there is no userinfo endpoint)."""

    def __init__(self, issuer: str, origin: str, key: RSAKey) -> None:
        super().__init__(client_model=None, token_model=None)
        self.issuer, self.origin, self.key = issuer, origin, key
        self.scopes_supported = list(SCOPES)
        self.register_grant(CodeGrant, [RequireS256(), IDTokens(issuer, key)])
        self.register_endpoint(EndSession)

    @functools.cached_property
    def published(self) -> list[RSAKey]:
        """The JWKS's keys, read only by the endpoint that checks an ``id_token_hint``."""
        return keys.published()

    def query_client(self, client_id: str) -> RegisteredClient | None:
        return DEVELOPMENT_CLIENT.at(self.origin) if client_id == DEVELOPMENT_CLIENT.client_id else None

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        return None
