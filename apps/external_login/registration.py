"""What this site registered at its provider, and what it remembers of a sign-in in flight."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Settings:
    """What we registered at the provider, and what we accept from it.

    :param algorithms: ID token signature algorithms accepted, pinned here, never
        taken from the token or the provider (RS256 is OpenID Connect's default).
    :param timeout: (connect, read) seconds for every call to the provider.
    :param total: seconds for a whole call, however slowly the provider trickles its answer.
    :param leeway: seconds of clock skew allowed on ``exp`` and ``iat``.
    :param cache_seconds: how long discovery and keys are reused.
    """

    client_id: str
    client_secret: str | None = dataclasses.field(repr=False)
    algorithms: tuple[str, ...] = ("RS256",)
    scope: str = "openid profile email"
    timeout: tuple[float, float] = (3.05, 10.0)
    total: float = 15.0
    leeway: int = 60
    cache_seconds: float = 300.0


@dataclasses.dataclass(frozen=True)
class PendingLogin:
    """A sign-in that was sent to the provider and has not come back yet."""

    state: str
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_url: str
    started: float
