"""Sign-in through OpenID Connect with a custom authentication backend: read ``backend.py`` first."""
