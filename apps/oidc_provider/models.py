"""Authorization codes: the provider's only state that must outlive a request.

They live in the database, not in memory, so a code issued by one worker can
be redeemed at another (``gunicorn -w 2``).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

CODE_LIFETIME = datetime.timedelta(minutes=5)


class AuthorizationCode(models.Model):
    """One code, redeemable once at the token endpoint before :data:`CODE_LIFETIME` passes.

    The ``get_*`` methods are what Authlib's ``AuthorizationCodeMixin`` asks for.
    """

    code = models.CharField(max_length=128, unique=True)
    client_id = models.CharField(max_length=128)
    redirect_uri = models.TextField()
    scope = models.TextField()
    username = models.CharField(max_length=150)
    auth_time = models.BigIntegerField()
    nonce = models.CharField(max_length=255, blank=True, db_index=True)
    code_challenge = models.CharField(max_length=128)
    code_challenge_method = models.CharField(max_length=10)
    created = models.DateTimeField(default=timezone.now)

    def is_expired(self) -> bool:
        return timezone.now() - self.created > CODE_LIFETIME

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


# How long an ID token stays valid (Authlib's default ``exp``): a retired key is published this long.
TOKEN_LIFETIME = datetime.timedelta(hours=1)


class SigningKey(models.Model):
    """An RSA key the provider signs ID tokens with, shared by every worker and host.

    In the database, not in a process: a token signed by one worker is checked against the JWKS
    served by another, and after a restart.  The newest key not retired signs; a retired key stays
    in the JWKS for :data:`TOKEN_LIFETIME`, until the tokens it signed have expired.
    """

    kid = models.CharField(max_length=100, unique=True)
    private_jwk = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    retired = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:  # never the key itself: str() reaches logs and admin pages
        return f"signing key {self.kid}"
