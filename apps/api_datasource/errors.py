"""What can go wrong reading an API, as typed exceptions.

:class:`UnsupportedQuery` is the caller's mistake and is raised at once, before
any request.  :class:`UpstreamError` and its subclasses are the upstream's
failures; each names the upstream (a URL without query string or credentials)
so the 503 page can say which service failed.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import MaxRetryError, ReadTimeoutError


class ApiDataError(Exception):
    """Base of every error this package raises."""


class UnsupportedQuery(ApiDataError, ValueError):
    """A field, lookup, value or combination the API (or its convention) cannot serve."""


class UpstreamError(ApiDataError):
    """The API failed to give a usable answer.

    :param url: the URL called; kept as :attr:`upstream` without query string or user info.
    :param reason: what went wrong, in words a visitor may read.
    """

    def __init__(self, url: str, reason: str) -> None:
        self.upstream = public_url(url)
        self.reason = reason
        super().__init__(f"{self.upstream}: {reason}")


class UpstreamTimeout(UpstreamError):
    """No connection, or no answer, within the time allowed."""


class UpstreamStatus(UpstreamError):
    """An HTTP status other than 200 (or 304 to a conditional request), after any retries."""

    def __init__(self, url: str, reason: str, status: int) -> None:
        super().__init__(url, reason)
        self.status = status


class ResponseTooLarge(UpstreamError):
    """The body is over the size cap (declared or counted while streaming)."""


class BadResponse(UpstreamError):
    """The body is not JSON, or not the shape the API convention promises."""


def public_url(url: str) -> str:
    """``url`` fit to show a visitor: no user name or password, no query string or fragment."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def upstream_error(url: str, exc: requests.RequestException, timeout: tuple[float, float]) -> UpstreamError:
    cause = exc.args[0] if exc.args else None
    cause = cause.reason if isinstance(cause, MaxRetryError) else cause
    # requests reports read timeouts met after retries, or while streaming the body, as a ConnectionError.
    if isinstance(exc, requests.Timeout) or isinstance(cause, ReadTimeoutError):
        return UpstreamTimeout(
            url, f"no answer within {timeout[0]:g} s to connect and {timeout[1]:g} s between bytes"
        )
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return UpstreamError(url, "the answer was cut short")
    if isinstance(exc, requests.ConnectionError):
        return UpstreamError(url, "the connection could not be made or broke off")
    return UpstreamError(url, f"the request failed ({type(exc).__name__})")


def status_reason(response: requests.Response) -> str:
    reason = f"it answered {response.status_code} {response.reason or ''}".rstrip()
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            detail = json.loads(next(response.iter_content(4096), b"")).get("error")
        except (ValueError, AttributeError, requests.RequestException):
            detail = None
        if isinstance(detail, str):
            reason += f": {detail}"
    retries = getattr(response.raw, "retries", None)
    if retries is not None and retries.history:
        reason += f" (after {len(retries.history)} retries)"
    return reason
