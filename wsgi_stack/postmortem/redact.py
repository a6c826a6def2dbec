"""Secrets out of a crash's snapshot by construction: by name and by value, whatever ``DEBUG`` says.

By name: a local, key, attribute, header, form field or query parameter whose name looks secret
(Django's ``API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE``, Sentry's ``dsn``, ``pwd``,
``credentials``, ``private``, cookies, CSRF tokens, session ids, and words such as ``sk``) keeps its
name and loses its value.  By value: any text containing a known secret (the site's keys and
passwords, the values of sensitive environment variables, this request's cookie, bearer token and
password fields), a URL's userinfo, or a long random-looking token is rewritten.  Django's own
filter redacts settings and ``request.META`` only, and frame locals only under decorators; Sentry
matches exact names.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

REDACTED = "********"
_NAMES = re.compile(
    r"api|auth|token|key|secret|pass|signature|cookie"  # Django's SafeExceptionReporterFilter's words
    r"|dsn|pwd|credential|private|session|csrf|bearer|salt|otp",  # and Sentry's, coredumpy's
    re.I,
)
_WORDS = {"sk", "pk", "pw", "jwt", "sig", "sid"}
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@", re.I)
# An API key, a session id, a hex digest: 24+ letters, digits, _ or - holding both letters and
# digits, or 32+ letters and digits in any mix (coredumpy's rule).
_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_\-])(?:(?=[A-Za-z0-9_\-]*[0-9])(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{24,}"
    r"|[A-Za-z0-9]{32,})"
)


@functools.lru_cache(maxsize=4096)
def sensitive_name(name: str) -> bool:
    """Whether a value called ``name`` is a secret by its name alone."""
    words = {word.lower() for word in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", name) if word}
    return bool(_NAMES.search(name)) or bool(words & _WORDS)


class Redactor:
    """Decides what of a snapshot is secret.

    :param secrets: values that must not appear anywhere (keys, passwords, tokens); short ones
        (under 6 characters) are ignored, as they would match too much.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: set[str] = set()
        self._seen: dict[str, str] = {}
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        """Also keep these values out (this request's cookie, bearer token, password fields)."""
        self.secrets |= {secret for secret in secrets if secret and len(secret) >= 6}
        ordered = sorted(self.secrets, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._seen.clear()

    def sensitive(self, name: str) -> bool:
        """Whether a value called ``name`` is a secret by its name alone (:func:`sensitive_name`)."""
        return sensitive_name(name)

    def __call__(self, text: str) -> str:
        """``text`` with every secret in it replaced."""
        if self._known is not None:
            text = self._known.sub(REDACTED, text)
        text = _USERINFO.sub(rf"\1{REDACTED}@", text)
        return _TOKEN.sub(REDACTED, text)

    def remembered(self, text: str) -> str:
        """:meth:`__call__`, remembered: for text met again and again, such as source lines."""
        found = self._seen.get(text)
        if found is None:
            if len(self._seen) > 20_000:
                self._seen.clear()
            found = self._seen[text] = self(text)
        return found
