"""The pieces Authlib leaves to its user: where codes are stored, which key signs, what PKCE allows.

``CodeGrant`` keeps authorization codes in the database (a code issued by one worker can be
redeemed at another), ``RequireS256`` makes PKCE mandatory and S256-only, ``IDTokens`` signs ID
tokens with the provider's key for its issuer, and ``EndSession`` answers RP-initiated logout.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import KeySet

from apps.oidc_provider.clients import DEMO_USERS, DemoUser, RegisteredClient
from apps.oidc_provider.models import AuthorizationCode

if TYPE_CHECKING:
    from authlib.oauth2.rfc6749 import OAuth2Request
    from joserfc.jwk import RSAKey

ALGORITHM = "RS256"


class TokenLogFilter(logging.Filter):
    """Authlib logs every issued token at DEBUG level; tokens must never reach a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Issue token")


class RequireS256(CodeChallenge):
    """PKCE for every client, and only with ``code_challenge_method=S256``."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError(
                "PKCE is required: send a code_challenge with code_challenge_method=S256."
            )
        super().validate_code_challenge(grant, redirect_uri)


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        AuthorizationCode.objects.create(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=request.payload.redirect_uri or "",
            scope=request.scope,
            username=request.user.username,
            auth_time=request.user.auth_time,
            nonce=data.get("nonce") or "",
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
        )

    def query_authorization_code(self, code: str, client: RegisteredClient) -> AuthorizationCode | None:
        found = AuthorizationCode.objects.filter(code=code, client_id=client.get_client_id()).first()
        return None if found is None or found.is_expired() else found

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        authorization_code.delete()

    def authenticate_user(self, authorization_code: AuthorizationCode) -> DemoUser | None:
        return DEMO_USERS.get(authorization_code.username)


class IDTokens(OpenIDCode):
    """Signs ID tokens with the provider's key, for its issuer."""

    def __init__(self, issuer: str, key: RSAKey) -> None:
        super().__init__(require_nonce=True)
        self.issuer, self.key = issuer, key

    def resolve_client_private_key(self, client: RegisteredClient) -> RSAKey:
        return self.key

    def get_client_algorithm(self, client: RegisteredClient) -> str:
        return ALGORITHM

    def get_encode_header(self, client: RegisteredClient) -> dict[str, str]:
        return {"alg": ALGORITHM, "kid": str(self.key.kid)}

    def get_client_claims(self, client: RegisteredClient) -> dict[str, Any]:
        return {"iss": self.issuer, "aud": [client.get_client_id()]}

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return AuthorizationCode.objects.filter(client_id=request.payload.client_id, nonce=nonce).exists()

    def generate_user_info(self, user: DemoUser, scope: str) -> dict[str, Any]:
        return user.claims(scope)


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self) -> KeySet:
        return KeySet(list[Any](self.server.published))  # every key whose tokens may still be valid

    def get_algorithms(self) -> list[str]:
        return [ALGORITHM]

    def end_session(self, end_session_request: Any) -> None:
        """Nothing to do here: the view deletes the sign-in cookie on the response."""

    def is_post_logout_redirect_uri_legitimate(self, request: OAuth2Request, *args: Any) -> bool:
        # Without an id_token_hint the OP must confirm some other way (RP-Initiated Logout §3):
        # here, the person clicked "Sign out" on the provider's own CSRF-protected page.
        return request.method == "POST"
