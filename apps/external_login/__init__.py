"""Sign-in through OpenID Connect with a custom authentication backend: see ``apps.external_login.backend``."""
