from __future__ import annotations

from django.apps import AppConfig


class OidcProviderConfig(AppConfig):
    name = "apps.oidc_provider"
    label = "oidc_provider"
    verbose_name = "Development OpenID Connect provider"
