"""Every HTTP call the data source makes: timeouts, retries, a size cap, typed errors and a cache.

:func:`make_session` builds the ``requests.Session``: urllib3's ``Retry``
retries idempotent GETs only, with exponential backoff, honouring
``Retry-After`` up to a cap; :class:`~wsgi_stack.transport.InProcessTransport`
sends calls aimed at this process's own mounted apps straight to them.
:class:`ApiClient` makes one GET: a (connect, read) timeout on every call,
the body streamed against a size cap, JSON decoded,
and the result kept in Django's cache for ``ttl`` seconds; once stale, the
entry is revalidated with ``If-None-Match`` so an unchanged resource costs a 304.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from typing import TYPE_CHECKING, Any

import requests
from urllib3.util.retry import Retry

from apps.api_datasource.cache import AnswerCache
from apps.api_datasource.errors import (
    BadResponse,
    ResponseTooLarge,
    UpstreamStatus,
    UpstreamTimeout,
    status_reason,
    upstream_error,
)
from wsgi_stack.deadline import DeadlineAdapter, deadline
from wsgi_stack.numbers import whole_number
from wsgi_stack.transport import InProcessTransport

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from django.core.cache.backends.base import BaseCache


def make_session(
    *,
    retries: int = 2,
    backoff: float = 0.2,
    retry_after_cap: int = 5,
    in_process: bool = True,
    behind_tls_proxy: bool = False,
) -> requests.Session:
    """A Session retrying GETs on connection errors, read errors and 429/502/503/504.

    :param retries: retries after the first attempt; ``0`` switches retrying off.
    :param backoff: urllib3's ``backoff_factor``: sleeps of 0, 2b, 4b ... seconds.
    :param retry_after_cap: the longest ``Retry-After`` obeyed, in seconds.
    :param in_process: mount :class:`~wsgi_stack.transport.InProcessTransport`
        (network calls still go through the retrying adapter).
    :param behind_tls_proxy: trust ``X-Forwarded-Proto`` when deciding whether a
        URL names this server (``SWAPDEMO_HTTPS``).
    """
    retry = Retry(
        total=retries,
        backoff_factor=backoff,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        retry_after_max=retry_after_cap,
        raise_on_status=False,
    )
    network = DeadlineAdapter(max_retries=retry)
    if in_process:
        session = InProcessTransport.session(fallback=network, trust_forwarded_proto=behind_tls_proxy)
    else:
        session = requests.Session()
        session.mount("http://", network)
        session.mount("https://", network)
    session.headers["Accept"] = "application/json"
    return session


@dataclasses.dataclass(frozen=True)
class Fetched:
    """One decoded answer: the URL asked, the JSON, the headers (lower-case names)."""

    url: str
    data: Any
    headers: dict[str, str]


class ApiClient:
    """GET JSON from an API, safely; see the module docstring.

    :param session: from :func:`make_session` (or any ``requests.Session``).
    :param timeout: ``(connect, read)`` seconds for each attempt; the read
        timeout bounds each wait for bytes, not the whole download.
    :param total: seconds for the whole call, retries included, over the network.
    :param max_bytes: the size cap for a body, decoded.
    :param cache: a Django cache (``django.core.cache.cache``), or ``None`` for no caching; one that
        fails is a miss (``cache.py``).
    :param ttl: seconds an answer is served from the cache without asking.
    :param keep_stale: seconds a stale entry is kept for revalidation after ``ttl``.
    :param clock: the wall clock for freshness (shared across processes through the cache).
    """

    def __init__(
        self,
        session: requests.Session,
        *,
        timeout: tuple[float, float] = (3.05, 10.0),
        total: float = 15.0,
        max_bytes: int = 5_000_000,
        cache: BaseCache | None = None,
        ttl: float = 30.0,
        keep_stale: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.session, self.timeout, self.total, self.max_bytes = session, timeout, total, max_bytes
        self.cache = AnswerCache(cache) if cache is not None else None
        self.ttl, self.keep_stale, self.clock = ttl, keep_stale, clock

    def get(self, url: str, params: Sequence[tuple[str, str]] = ()) -> Fetched:
        """GET ``url`` with ``params``; raises an :class:`~apps.api_datasource.errors.UpstreamError`."""
        full = requests.Request("GET", url, params=list(params)).prepare().url or url
        key = "api_datasource:" + hashlib.sha256(full.encode()).hexdigest()
        entry = self.cache.get(key) if self.cache is not None else None
        if entry is not None and entry["fresh_until"] > self.clock():
            return entry["fetched"]
        fetched = self._fetch(full, entry["etag"] if entry is not None else None)
        if fetched is None and entry is not None:
            fetched, etag = entry["fetched"], entry["etag"]  # a 304: the stored answer is still current
        elif fetched is None:
            raise BadResponse(full, "the answer was 304 Not Modified to a request that was not conditional")
        else:
            etag = fetched.headers.get("etag")
        if self.cache is not None:
            stored = {"fetched": fetched, "etag": etag, "fresh_until": self.clock() + self.ttl}
            self.cache.set(key, stored, timeout=self.ttl + self.keep_stale)
        return fetched

    def _fetch(self, url: str, etag: str | None) -> Fetched | None:
        """The decoded answer, or ``None`` for a 304 to ``If-None-Match: etag``."""
        headers = {"If-None-Match": etag} if etag else {}
        with deadline(self.total) as watched:
            try:
                with self.session.get(url, headers=headers, timeout=self.timeout, stream=True) as response:
                    if response.status_code == 304 and etag:
                        return None
                    if response.status_code != 200:
                        raise UpstreamStatus(url, status_reason(response), response.status_code)
                    body = self._read(url, response)
                    names = {name.lower(): value for name, value in response.headers.items()}
            except requests.RequestException as exc:
                if watched.expired:
                    raise UpstreamTimeout(url, f"no complete answer within {self.total:g} s") from exc
                raise upstream_error(url, exc, self.timeout) from exc
        try:
            return Fetched(url, json.loads(body), names)
        except ValueError as exc:
            kind = names.get("content-type", "no content type")
            raise BadResponse(url, f"the answer is not JSON ({kind}): {exc}") from exc

    def _read(self, url: str, response: requests.Response) -> bytes:
        # A Content-Length that is not a plain number is left to urllib3, which refuses it while reading.
        declared = whole_number(response.headers.get("Content-Length"), 0, 10**30)
        if declared is not None and declared > self.max_bytes:
            raise ResponseTooLarge(
                url, f"the answer declares {declared:,} bytes; the cap is {self.max_bytes:,}"
            )
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > self.max_bytes:
                raise ResponseTooLarge(url, f"the answer grew past the cap of {self.max_bytes:,} bytes")
        return bytes(body)
