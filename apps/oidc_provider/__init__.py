"""A development-only OpenID Connect provider, built on Authlib: see ``apps.oidc_provider.server``."""
