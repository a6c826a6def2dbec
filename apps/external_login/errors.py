"""Each way a sign-in can fail, as a typed error whose message a visitor may read.

The views turn every :class:`OIDCError` into the error page with its ``status`` and ``title``;
nothing from a provider ever reaches a visitor as a traceback.
"""

from __future__ import annotations


class OIDCError(Exception):
    """A sign-in that cannot go on; ``str(error)`` says why, in words fit for the visitor."""

    status = 400
    title = "Sign-in failed"


class ProviderUnavailable(OIDCError):
    status = 502
    title = "The sign-in provider is unavailable"


class ProviderTimeout(ProviderUnavailable):
    status = 504
    title = "The sign-in provider did not answer in time"


class ProviderRefused(OIDCError):
    """The provider answered with an OAuth error code, e.g. ``access_denied``."""

    status = 403
    title = "The sign-in provider refused"

    def __init__(self, error: str, description: str | None = None) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        if error == "access_denied":
            self.title = "Access was denied at the sign-in provider"


class InvalidIDToken(OIDCError):
    status = 403
    title = "The provider's ID token was rejected"
