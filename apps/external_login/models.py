"""Which account at which provider is which user: the key is ``iss`` and ``sub``, never an email."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExternalIdentity(models.Model):
    """A user's account at one OpenID provider.

    OpenID Connect guarantees ``sub`` only unique within its issuer, and an
    email address can change hands, so the pair of ``issuer`` and ``subject``
    is the key.  A user may have several identities (several providers).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="external_login_unique_issuer_subject")
        ]
        verbose_name_plural = "external identities"

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
