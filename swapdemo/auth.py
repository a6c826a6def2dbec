"""Sign-in through OpenID Connect with a custom Django authentication backend.

With nothing configured it signs in through the built-in development provider
at ``/idp/`` (development only: demo users ``ada`` and ``grace``, password
``demo``); set ``SWAPDEMO_OIDC_ISSUER``, ``SWAPDEMO_OIDC_CLIENT_ID`` and
``SWAPDEMO_OIDC_CLIENT_SECRET`` to use any standards-compliant provider.

Usage::

    python -m swapdemo.auth [--host 127.0.0.1] [--port 8000] [--profile]
"""

from __future__ import annotations

from swapdemo.stack import serve

if __name__ == "__main__":
    raise SystemExit(
        serve(("auth",), "sign-in through OpenID Connect at /auth/, with the development provider at /idp/")
    )
