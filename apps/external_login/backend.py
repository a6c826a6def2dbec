"""A Django authentication backend whose credential is an OpenID Connect callback.

``django.contrib.auth.authenticate()`` asks each backend of
``AUTHENTICATION_BACKENDS`` in turn.  This one answers only calls that carry
``oidc_callback=``; for any other it returns ``None`` so the next backend can
try.  Given a callback it finishes the authorization-code flow (the code is
redeemed with the PKCE verifier, the ID token validated against the nonce) and
finds or creates the user keyed on the provider's ``iss`` and ``sub``, never on
an email address.  The users it creates have no usable password.  Subclass it
and override :meth:`clean_username`, :meth:`create_user` or
:meth:`update_user` to name and keep users your way, as with Django's
``RemoteUserBackend``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import IntegrityError, transaction

from apps.external_login.models import ExternalIdentity

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.http import HttpRequest

    from apps.external_login.client import OIDCClient
    from apps.external_login.registration import PendingLogin


@dataclasses.dataclass
class OIDCCallback:
    """The credential: the code the provider sent back, and the sign-in it answers.

    After a successful ``authenticate()``, :attr:`claims` holds the validated
    ID token claims.
    """

    client: OIDCClient
    code: str
    pending: PendingLogin
    claims: dict[str, Any] | None = None


class OpenIDConnectBackend(ModelBackend):
    """Authenticate with an :class:`OIDCCallback`; errors from the provider raise ``OIDCError``."""

    # A backend names the credential it takes, as Django's own docs show; the stubs allow only **kwargs.
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, oidc_callback: OIDCCallback | None = None, **kwargs: Any
    ) -> User | None:
        if oidc_callback is None:
            return None
        client, pending = oidc_callback.client, oidc_callback.pending
        tokens = client.exchange_code(oidc_callback.code, pending)
        oidc_callback.claims = claims = client.validate_id_token(tokens, nonce=pending.nonce)
        user = self.update_user(self.get_or_create_user(claims), claims)
        return user if self.user_can_authenticate(user) else None

    def get_or_create_user(self, claims: dict[str, Any]) -> User:
        """The user linked to this ``iss`` and ``sub``, created on their first sign-in."""
        linked = ExternalIdentity.objects.select_related("user").filter(
            issuer=claims["iss"], subject=claims["sub"]
        )
        found = linked.first()
        if found is not None:
            return found.user
        try:
            with transaction.atomic():
                user = self.create_user(claims)
                ExternalIdentity.objects.create(user=user, issuer=claims["iss"], subject=claims["sub"])
                return user
        except IntegrityError:
            # Two first sign-ins of one person at once: the other request created the user.
            found = linked.first()
            if found is None:
                raise
            return found.user

    def clean_username(self, claims: dict[str, Any]) -> str:
        """A readable, unused username: ``preferred_username``, made unique by a hash of iss and sub."""
        wanted = claims.get("preferred_username") or str(claims.get("email", "")).partition("@")[0] or "user"
        base = re.sub(r"[^\w.@+-]", "-", str(wanted))[:100] or "user"
        if not get_user_model()._default_manager.filter(username=base).exists():
            return base
        digest = hashlib.sha256(f"{claims['iss']} {claims['sub']}".encode()).hexdigest()
        return f"{base}-{digest[:12]}"

    def create_user(self, claims: dict[str, Any]) -> User:
        """A new user without a usable password: the provider is the only way in."""
        user = get_user_model()(username=self.clean_username(claims))
        user.set_unusable_password()
        user.save()
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """Copy names, and the email only when the provider has verified it, on every sign-in."""
        wanted = {
            "first_name": str(claims.get("given_name", ""))[:150],
            "last_name": str(claims.get("family_name", ""))[:150],
        }
        if claims.get("email_verified") is True:
            wanted["email"] = str(claims.get("email", ""))[:254]
        changed = [name for name, value in wanted.items() if getattr(user, name) != value]
        for name in changed:
            setattr(user, name, wanted[name])
        if changed:
            user.save(update_fields=changed)
        return user
