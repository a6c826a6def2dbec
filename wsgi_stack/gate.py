"""Who may see a diagnostic page (the profiler's, the post-mortem's): a token holder, or loopback.

A diagnostic page shows code, timings and data that a visitor must never see.  :class:`Gate`
answers one question per request.  With a token, every client must send it in a header, loopback
included (behind a reverse proxy on the same host every client looks like loopback).  Without
one, only a loopback client that names the server by a loopback name passes, so a page on another
site cannot reach it through DNS rebinding.  The token never travels in a query string, which
ends up in logs and browser history.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


class Gate:
    """Admit requests carrying ``token`` in ``header``, or, without a token, local ones.

    :param token: the shared secret; ``None`` or empty means loopback clients only.
    :param header: the request header that carries it, ``X-Profile-Token`` by default.

    Reads ``REMOTE_ADDR``, ``HTTP_HOST`` and the header's environ key; writes nothing.
    """

    def __init__(self, token: str | None, header: str = "X-Profile-Token") -> None:
        self.token = token or None
        self.header = header
        self.key = "HTTP_" + header.upper().replace("-", "_")

    def allows(self, environ: WSGIEnvironment) -> bool:
        """Whether this request may see the page."""
        return self.matches(environ.get(self.key)) if self.token else is_local(environ)

    def matches(self, value: str | None) -> bool:
        """Whether ``value`` is the token, compared in constant time."""
        if self.token is None or value is None:
            return False
        return hmac.compare_digest(value.encode("latin-1", "replace"), self.token.encode())

    def refusal(self) -> str:
        """What a refused client is missing, in one sentence."""
        needs = (
            f"an {self.header} header"
            if self.token
            else "a loopback client that calls it localhost or a loopback IP"
        )
        return f"This page needs {needs}."


def is_loopback(address: str) -> bool:
    """Whether ``address`` is a loopback IP (an IPv4-mapped IPv6 one included)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return (getattr(ip, "ipv4_mapped", None) or ip).is_loopback


def is_local(environ: WSGIEnvironment) -> bool:
    """A loopback client that calls the server by a loopback name, as no DNS-rebinding page can."""
    host = environ.get("HTTP_HOST")
    try:
        name = urlsplit(f"//{host}").hostname if host else None
    except ValueError:
        return False
    named_locally = host is None or name == "localhost" or is_loopback(name or "")
    return named_locally and is_loopback(environ.get("REMOTE_ADDR", ""))
