"""The provider's signing keys, kept in the database: made on first use, rotated by a command.

``python -m django rotate_signing_key --settings=swapdemo.settings`` makes a new key that signs from
then on; the old one stays in the JWKS until the tokens it signed expire.  Workers read the keys on
each request that needs them (one small query), so a rotation reaches every worker and host at once.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from joserfc.jwk import RSAKey

from apps.oidc_provider.grants import ALGORITHM
from apps.oidc_provider.models import TOKEN_LIFETIME, SigningKey

_parsed: dict[str, RSAKey] = {}  # kid -> key: parsing a 2048-bit key costs about a millisecond


def signing_key() -> RSAKey:
    """The key that signs now: the newest one not retired, made if there is none."""
    current = SigningKey.objects.filter(retired=None).first()
    return _load(current) if current is not None else rotate()


def published() -> list[RSAKey]:
    """Every key whose signatures may still be valid: the JWKS."""
    cutoff = timezone.now() - TOKEN_LIFETIME
    return [_load(row) for row in SigningKey.objects.filter(Q(retired=None) | Q(retired__gte=cutoff))]


def rotate() -> RSAKey:
    """Make a new signing key and retire the others (they stay published for the tokens' lifetime)."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": ALGORITHM}, auto_kid=True)
    with transaction.atomic():
        now = timezone.now()
        row = SigningKey.objects.create(kid=str(key.kid), private_jwk=json.dumps(key.as_dict(private=True)))
        SigningKey.objects.filter(retired=None).exclude(pk=row.pk).update(retired=now)
        SigningKey.objects.filter(retired__lt=now - TOKEN_LIFETIME).delete()
    # Read back, not ``key``: of two workers rotating together (an empty table at start-up), both
    # then sign with the newest.
    return signing_key()


def _load(row: SigningKey) -> RSAKey:
    key = _parsed.get(row.kid)
    if key is None:
        key = _parsed[row.kid] = RSAKey.import_key(json.loads(row.private_jwk))
    return key
