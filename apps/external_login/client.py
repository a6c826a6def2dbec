"""The relying party's side of OpenID Connect: discovery, the code flow, ID token checks.

The protocol pieces are libraries': Authlib's ``OAuth2Session`` builds the
authorization URL with PKCE and authenticates the token request, its
``OpenIDProviderMetadata`` checks the discovery document and its
``CodeIDToken`` the OpenID claims (nonce, azp, at_hash); joserfc verifies the
signature against the provider's JWK set.  This module makes the choices an
integration must make: which signing algorithms to accept, a timeout on every
call, and one typed error, fit to show a visitor, for each way a provider fails.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

import requests
from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from authlib.oidc import rpinitiated
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from apps.external_login.errors import InvalidIDToken, ProviderRefused, ProviderTimeout, ProviderUnavailable
from apps.external_login.registration import PendingLogin, Settings
from wsgi_stack.deadline import deadline

if TYPE_CHECKING:
    from collections.abc import Iterator

T = TypeVar("T")


class OIDCClient:
    """One provider, found by discovery from ``issuer``, called through ``http``."""

    def __init__(self, issuer: str, settings: Settings, http: requests.Session) -> None:
        self.issuer, self.settings, self.http = issuer, settings, http
        self._registry = JWSRegistry(algorithms=list(settings.algorithms), strict_check_header=False)
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None

    def metadata(self) -> dict[str, Any]:
        """The discovery document, checked (OpenID Connect Discovery 1.0 §3 and §4.3)."""
        if (fresh := self._fresh(self._metadata)) is not None:
            return fresh
        url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        document = self._get_json(url)
        if not isinstance(document, dict):
            raise ProviderUnavailable(f"{url} answered with JSON that is not a discovery document.")
        metadata = OpenIDProviderMetadata(document)
        try:
            metadata.validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
        except (ValueError, TypeError, AttributeError) as exc:
            raise ProviderUnavailable(f"The discovery document at {url} is not valid: {exc}") from exc
        if metadata["issuer"] != self.issuer:
            raise ProviderUnavailable(
                f"The discovery document at {url} names another issuer: {metadata['issuer']!r}."
            )
        self._metadata = (time.monotonic(), dict(metadata))
        return self._metadata[1]

    def start(self, redirect_uri: str, next_url: str) -> tuple[str, PendingLogin]:
        """The provider's authorization URL to send the visitor to, and what to remember meanwhile."""
        pending = PendingLogin(
            generate_token(32), generate_token(32), generate_token(64), redirect_uri, next_url, time.time()
        )
        endpoint = self.metadata()["authorization_endpoint"]
        url, _ = self._oauth(redirect_uri).create_authorization_url(
            endpoint, state=pending.state, nonce=pending.nonce, code_verifier=pending.code_verifier
        )
        return url, pending

    def exchange_code(self, code: str, pending: PendingLogin) -> dict[str, Any]:
        """Redeem ``code`` at the token endpoint, proving with the PKCE verifier that we asked for it."""
        token_endpoint = self.metadata()["token_endpoint"]
        with self._calling(token_endpoint):
            try:
                tokens = self._oauth(pending.redirect_uri).fetch_token(
                    token_endpoint,
                    code=code,
                    code_verifier=pending.code_verifier,
                    timeout=self.settings.timeout,
                )
            except OAuthError as exc:
                raise ProviderRefused(exc.error, exc.description) from exc
        if not isinstance(tokens.get("id_token"), str):
            raise InvalidIDToken("The provider's token response carries no ID token.")
        return dict(tokens)

    def validate_id_token(self, tokens: dict[str, Any], nonce: str) -> dict[str, Any]:
        """The ID token's claims, once OpenID Connect Core 3.1.3.7 is satisfied."""
        try:
            try:
                decoded = self._decode(tokens["id_token"], self._key_set())
            except InvalidKeyIdError:
                decoded = self._decode(tokens["id_token"], self._key_set(refresh=True))
            client_id = self.settings.client_id
            options = {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "value": client_id},
            }
            params = {"nonce": nonce, "client_id": client_id, "access_token": tokens.get("access_token")}
            claims = CodeIDToken(decoded.claims, decoded.header, options, params)
            claims.validate(leeway=self.settings.leeway)
        except JoseError as exc:
            raise InvalidIDToken(
                f"The ID token was rejected: {exc.description or exc.error.replace('_', ' ')}."
            ) from exc
        return dict(claims)

    def logout_url(self, post_logout_redirect_uri: str) -> str | None:
        """Where to end the session at the provider too, when it offers RP-initiated logout."""
        endpoint = self.metadata().get("end_session_endpoint")
        if not endpoint:
            return None
        params = {"client_id": self.settings.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return add_params_to_uri(endpoint, params)

    def _decode(self, id_token: str, keys: KeySet) -> jwt.Token:
        return jwt.decode(id_token, keys, registry=self._registry)

    def _fresh(self, cached: tuple[float, T] | None) -> T | None:
        """The value cached at a ``time.monotonic()`` less than ``cache_seconds`` ago, else ``None``."""
        if cached is not None and time.monotonic() - cached[0] < self.settings.cache_seconds:
            return cached[1]
        return None

    def _key_set(self, refresh: bool = False) -> KeySet:
        if not refresh and (fresh := self._fresh(self._keys)) is not None:
            return fresh
        url = self.metadata()["jwks_uri"]
        try:
            keys = KeySet.import_key_set(self._get_json(url))
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise ProviderUnavailable(f"The key set at {url} is not a JWK set.") from exc
        self._keys = (time.monotonic(), keys)
        return keys

    def _oauth(self, redirect_uri: str) -> OAuth2Session:
        # One per call, because Authlib's session keeps the last token on itself;
        # it borrows the shared session's adapters, so it is not closed here.
        methods = self.metadata().get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
        method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
        oauth = OAuth2Session(
            self.settings.client_id,
            self.settings.client_secret,
            token_endpoint_auth_method=method if self.settings.client_secret else "none",
            scope=self.settings.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )
        for prefix, adapter in self.http.adapters.items():
            oauth.mount(prefix, adapter)
        return oauth

    def _get_json(self, url: str) -> Any:
        with self._calling(url):
            response = self.http.get(
                url, timeout=self.settings.timeout, headers={"Accept": "application/json"}
            )
            response.raise_for_status()
            try:
                return response.json()
            except ValueError as exc:
                raise ProviderUnavailable(f"{url} answered with something that is not JSON.") from exc

    @contextmanager
    def _calling(self, url: str) -> Iterator[None]:
        total = self.settings.total
        try:
            with deadline(total) as watched:
                try:
                    yield
                except requests.RequestException as exc:
                    if watched.expired:  # the total deadline shut the socket: say so, not "broke off"
                        raise ProviderTimeout(
                            f"{url} did not answer in full within {total:g} seconds."
                        ) from exc
                    raise
        except requests.Timeout as exc:
            raise ProviderTimeout(
                f"{url} did not answer within {self.settings.timeout[1]:g} seconds."
            ) from exc
        except requests.ConnectionError as exc:
            raise ProviderUnavailable(f"{url} could not be reached.") from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "an error"
            raise ProviderUnavailable(f"{url} answered HTTP {status}.") from exc
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"{url} answered with something that is not a valid reply.") from exc
