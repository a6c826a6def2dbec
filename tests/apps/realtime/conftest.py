"""Real clients for the live demo: an SSE reader over a streaming HTTP response, a proposer that
posts through the Pyramid form, and a Tornado server run in this process on a free port."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from apps.realtime.server import serve_in_thread
from swapdemo.kernel.events import Event, MemoryBroker
from tests.conftest import proposal


def events(response: requests.Response) -> Iterator[Event | str]:
    """The events of an SSE response as they arrive (a comment or ``retry:`` comes as a string)."""
    fields: dict[str, str] = {}
    for raw in response.iter_lines(decode_unicode=True):
        if raw == "":
            if fields:
                data = json.loads(fields.get("data", "null"))
                yield Event(fields.get("id", ""), fields.get("event", "message"), data)
                fields = {}
            continue
        if raw.startswith((":", "retry:")):
            yield raw
            continue
        name, _, value = raw.partition(":")
        fields[name] = value.removeprefix(" ")


def subscribe(site: str, last: str | None = None, timeout: float = 15) -> requests.Response:
    headers = {"Last-Event-ID": last} if last else {}
    return requests.get(f"{site}/live/events", headers=headers, stream=True, timeout=timeout)


@contextmanager
def listening(site: str, last: str | None = None, timeout: float = 15) -> Iterator[Iterator[Event | str]]:
    """:func:`events` of a subscription, the connection closed afterwards."""
    response = subscribe(site, last, timeout)
    try:
        yield events(response)
    finally:
        response.close()


def take(stream: Iterator[Event | str], count: int, kind: str = "proposal") -> list[Event]:
    found: list[Event] = []
    for item in stream:
        if isinstance(item, Event) and item.kind in (kind, "reset", "bye"):
            found.append(item)
            if len(found) == count or item.kind != kind:
                break
    return found


class Proposer:
    """Proposes talks through the real /forms/ page, one session, one CSRF token."""

    def __init__(self, site: str) -> None:
        self.site, self.session = site, requests.Session()
        page = self.session.get(f"{site}/forms/", timeout=10)
        self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def propose(self, title: str) -> None:
        fields = proposal(self.token, title, "Pushed live to every open page.")
        answer = self.session.post(f"{self.site}/forms/", data=fields, allow_redirects=False, timeout=10)
        assert answer.status_code == 303, answer.text[:500]


@contextmanager
def tornado_in_thread(app: Any, broker: Any = None, **options: Any) -> Iterator[tuple[str, Any, Any]]:
    """The live server around ``app``, in this process, with a plain look."""
    broker = broker or MemoryBroker()
    look = {
        "wsgi_stack.page": lambda e, t, b, c: f"<h1>{t}</h1>{b}",
        "wsgi_stack.error": lambda e, s: b"error",
    }
    with serve_in_thread(app, broker, look, **options) as (site, hub):
        yield site, broker, hub
