"""Whom the development provider knows: one registered client and two demo users.

A real provider keeps both in a database and lets an administrator register
clients.  This one is for development only, so they are constants, and the
client's redirect URIs are paths on whatever origin the provider is served
from (``http://127.0.0.1:8000/auth/callback/`` when it runs on port 8000).
"""

from __future__ import annotations

import dataclasses
import hmac
from typing import Any

from authlib.oauth2.rfc6749 import ClientMixin
from authlib.oidc.core import UserInfo

from swapdemo.kernel.config import DEVELOPMENT_CLIENT_ID, DEVELOPMENT_CLIENT_SECRET

DEMO_PASSWORD = "demo"
SCOPES = ("openid", "profile", "email")


@dataclasses.dataclass(frozen=True)
class DemoUser:
    """A person the provider can vouch for; ``auth_time`` is when they signed in here."""

    username: str
    sub: str
    given_name: str
    family_name: str
    email: str
    auth_time: int = 0

    def claims(self, scope: str) -> UserInfo:
        """The OpenID Connect standard claims that ``scope`` asks for."""
        info = UserInfo(
            sub=self.sub,
            name=f"{self.given_name} {self.family_name}",
            given_name=self.given_name,
            family_name=self.family_name,
            preferred_username=self.username,
            email=self.email,
            email_verified=True,
        )
        return info.filter(scope)


DEMO_USERS = {
    user.username: user
    for user in (
        DemoUser("ada", "5e1c0a7e-ada0-4c1e-9f00-000000000001", "Ada", "Lovelace", "ada@example.org"),
        DemoUser("grace", "5e1c0a7e-ada0-4c1e-9f00-000000000002", "Grace", "Hopper", "grace@example.org"),
    )
}


@dataclasses.dataclass(frozen=True)
class RegisteredClient(ClientMixin):
    """A confidential client, as Authlib's server asks about it.

    :param redirect_paths: where codes may be sent, as paths on ``origin``.
    :param post_logout_redirect_paths: where a finished sign-out may return to.
    :param origin: ``scheme://host[:port]`` the provider is answering on; set
        per request with :meth:`at`.
    """

    client_id: str
    client_secret: str = dataclasses.field(repr=False)
    name: str
    redirect_paths: tuple[str, ...]
    post_logout_redirect_paths: tuple[str, ...]
    origin: str = ""

    def at(self, origin: str) -> RegisteredClient:
        return dataclasses.replace(self, origin=origin)

    @property
    def client_metadata(self) -> dict[str, Any]:
        return {"post_logout_redirect_uris": [self.origin + path for path in self.post_logout_redirect_paths]}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.origin + self.redirect_paths[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(part for part in (scope or "").split() if part in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in {self.origin + path for path in self.redirect_paths}

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


DEVELOPMENT_CLIENT = RegisteredClient(
    client_id=DEVELOPMENT_CLIENT_ID,
    client_secret=DEVELOPMENT_CLIENT_SECRET,
    name="swapdemo: sign-in through OpenID Connect",
    redirect_paths=("/auth/callback/",),
    post_logout_redirect_paths=("/auth/",),
)
