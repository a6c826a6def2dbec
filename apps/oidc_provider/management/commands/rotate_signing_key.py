"""``python -m django rotate_signing_key --settings=swapdemo.settings``: a new key for /idp/."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.oidc_provider import keys


class Command(BaseCommand):
    help = (
        "Make a new signing key for the development provider (/idp/): it signs from now on, on every "
        "worker and host; the previous key stays in the JWKS until the tokens it signed expire (1 hour)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        key = keys.rotate()
        published = ", ".join(str(each.kid) for each in keys.published())
        self.stdout.write(f"signing with {key.kid}; published: {published}")
