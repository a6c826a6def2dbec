"""Tornado's own handlers, routed before the WSGI stack: the live page, its SSE stream, its WebSocket.

``/live/events`` speaks Server-Sent Events: ``text/event-stream``, ``no-cache``, ``X-Accel-Buffering:
no`` (nginx would batch it otherwise), never gzip, a ``retry:`` hint, a comment every 15 s, and
each event's id, so the browser's ``Last-Event-ID`` resumes it.  ``/live/ws`` is the same stream
over a WebSocket (``?last=ID`` resumes it), with Tornado's same-origin check kept, small messages
only and pings on.  Both write through a :class:`~apps.realtime.hub.Subscriber`.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from tornado import web, websocket

from wsgi_stack.gate import Gate

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from apps.realtime.hub import Hub, Subscriber
    from swapdemo.kernel.events import Event

RETRY_MS = 3000


async def _done() -> None:
    """Nothing to wait for (a heartbeat, which a WebSocket does not need: it has pings)."""


class SitePage(web.RequestHandler):
    """A page in the site's look; ``look`` is the environ the stack gives its pages (nav, renderers)."""

    def initialize(self, hub: Hub, look: dict[str, Any]) -> None:
        self.hub, self.look = hub, {**look, "SCRIPT_NAME": "", "wsgi_stack.mount": "/live"}

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.look["wsgi_stack.error"](self.look, status_code))


class LivePage(SitePage):
    def get(self) -> None:
        body = """<h1>Live proposals</h1>
<p>Each talk proposed through <a href="/forms/">the Pyramid form</a> appears here the moment it is
saved, in every open tab, whichever process or host saved it.
<span id="state" role="status">Connecting…</span></p>
<ol id="proposals" reversed></ol>
<noscript><p class="note">The live list needs JavaScript; <a href="/forms/proposals/">the proposals page</a>
does not.</p></noscript>
<script src="/static/live.js" defer></script>"""
        self.set_header("Cache-Control", "no-store")
        self.write(self.look["wsgi_stack.page"](self.look, "Live proposals", body, "live"))


class Stats(SitePage):
    """Connections and drops of this process, for loopback (or ``X-Live-Token``) only."""

    def get(self) -> None:
        environ = {"REMOTE_ADDR": self.request.remote_ip, "HTTP_HOST": self.request.host}
        if not Gate(None).allows(environ):
            raise web.HTTPError(403)
        self.write({"subscribers": len(self.hub.subscribers), "dropped": self.hub.dropped})


class EventStream(web.RequestHandler):
    """``GET /live/events``: Server-Sent Events from ``Last-Event-ID`` (or the recent ones) on."""

    def initialize(self, hub: Hub) -> None:
        self.hub = hub
        self.subscriber: Subscriber | None = None

    async def get(self) -> None:
        for name, value in (
            ("Content-Type", "text/event-stream; charset=utf-8"),
            ("Cache-Control", "no-cache"),
            ("X-Accel-Buffering", "no"),
        ):
            self.set_header(name, value)
        self.write(f"retry: {RETRY_MS}\n\n")
        await self.flush()
        self.subscriber = self.hub.subscriber(self._send, self._drop)
        last = self.request.headers.get("Last-Event-ID") or self.get_argument("last", None)
        await self.hub.subscribe(self.subscriber, last)
        await self.subscriber.run()

    def _send(self, batch: list[Event | None]) -> Awaitable[None]:
        for event in batch:
            self.write(b": keep-alive\n\n" if event is None else event.sse)
        return self.flush()

    def _drop(self, reason: str) -> None:
        self.hub.leave(self.subscriber, reason) if self.subscriber else None
        if self._finished or self.request.connection is None:
            return
        try:
            if reason:
                self.write(f"retry: {RETRY_MS}\nevent: bye\ndata: {json.dumps(reason)}\n\n")
            self.finish()
        except Exception:  # StreamClosedError: the client is gone already
            pass

    def on_connection_close(self) -> None:
        if self.subscriber is not None:
            self.subscriber.close("")


class Socket(websocket.WebSocketHandler):
    """``/live/ws``: the same events as JSON messages; ``?last=ID`` resumes after ID."""

    def initialize(self, hub: Hub) -> None:
        self.hub = hub
        self.subscriber: Subscriber | None = None

    def open(self, *args: str, **kwargs: str) -> None:
        self.subscriber = self.hub.subscriber(self._send, self._drop)
        self.serving = asyncio.ensure_future(self._serve(self.subscriber, self.get_argument("last", None)))

    async def _serve(self, subscriber: Subscriber, last: str | None) -> None:
        await self.hub.subscribe(subscriber, last)
        await subscriber.run()

    def _send(self, batch: list[Event | None]) -> Awaitable[None]:
        sent = [self.write_message(event.json) for event in batch if event is not None]
        return sent[-1] if sent else _done()

    def _drop(self, reason: str) -> None:
        self.hub.leave(self.subscriber, reason) if self.subscriber else None
        if self.ws_connection is not None:
            self.close(1012 if "restart" in reason else 1008, reason[:120] or None)

    def on_message(self, message: str | bytes) -> None:
        """Clients only listen; what they send is ignored (and capped by the server's message size)."""

    def on_close(self) -> None:
        if self.subscriber is not None:
            self.subscriber.close("")
