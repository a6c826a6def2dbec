from __future__ import annotations

from django.apps import AppConfig


class ExternalLoginConfig(AppConfig):
    name = "apps.external_login"
    label = "external_login"
    verbose_name = "Sign-in through OpenID Connect"
