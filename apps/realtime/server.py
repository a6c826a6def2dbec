"""The server: Tornado in front, its own handlers first, every WSGI page of the stack behind them.

``WSGIContainer`` runs the stack (every demo, every layer, the profiler included) on a bounded
``ThreadPoolExecutor``: without one it would run each WSGI request on the event loop, one at a
time, and every push would wait for the slowest page.  Django and the ORM only ever run on those
threads.  :class:`TornadoServer` binds when made (so a port in use is the runner's one sentence),
runs the loop, and on SIGTERM or Ctrl-C tells every live connection to come back later and stops
within 5 s.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tornado import httpserver, netutil, web, wsgi

from apps.realtime.handlers import EventStream, LivePage, Socket, Stats
from apps.realtime.hub import Hub

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from swapdemo.kernel.config import Config
    from swapdemo.kernel.events import Broker

WSGI_THREADS = 8
HEARTBEAT_SECONDS = 15
STATIC = Path(__file__).parent / "static"


def for_container(app: WSGIApplication) -> WSGIApplication:
    """Run the whole response on the executor's thread, and strip header values.

    ``WSGIContainer`` buffers the body anyway, but reads it chunk by chunk on any pool thread and
    calls ``close()`` on the event loop's thread, where Django's end-of-request work (closing this
    thread's database connections) and a per-thread profiler hook do not belong; here the body is
    read and closed on the thread that called the app.  Django writes ``Set-Cookie`` as
    `` name=value`` (a leading space), which ``WSGIContainer`` rejects, leaving the request
    unanswered."""

    def tidied(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            return start_response(status, [(name, value.strip()) for name, value in headers], exc_info)

        body = app(environ, start)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return tidied


def make_application(
    app: WSGIApplication, broker: Broker, look: dict[str, Any], threads: int = WSGI_THREADS, **options: Any
) -> tuple[web.Application, Hub, ThreadPoolExecutor]:
    """Tornado's routes: ``/live/``, ``/live/events``, ``/live/ws``, ``/live/stats``, then the stack;
    ``options`` (``backlog``, ``stall``) go to the :class:`~apps.realtime.hub.Hub`."""
    hub = Hub(broker, **options)
    executor = ThreadPoolExecutor(threads, thread_name_prefix="wsgi")
    container = wsgi.WSGIContainer(for_container(app), executor=executor)
    routes: list[Any] = [
        (r"/live/", LivePage, {"hub": hub, "look": look}),
        (r"/live/stats", Stats, {"hub": hub, "look": look}),
        (r"/live/events", EventStream, {"hub": hub}),
        (r"/live/ws", Socket, {"hub": hub}),
        (r".*", web.FallbackHandler, {"fallback": container}),
    ]
    settings: dict[str, Any] = {
        "websocket_ping_interval": 10,
        "websocket_ping_timeout": 20,
        "websocket_max_message_size": 4096,
        "compress_response": False,  # never gzip an event stream: it would arrive in bursts
    }
    return web.Application(routes, **settings), hub, executor


@contextlib.contextmanager
def serve_in_thread(
    app: WSGIApplication, broker: Broker, look: dict[str, Any], threads: int = WSGI_THREADS, **options: Any
) -> Iterator[tuple[str, Hub]]:
    """:func:`make_application` on a free loopback port, its loop on a thread of its own (tests, benches)."""
    application, hub, executor = make_application(app, broker, look, threads, **options)
    loop = asyncio.new_event_loop()
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        httpserver.HTTPServer(application).add_sockets(sockets)
        hub.start(loop)
        loop.call_soon(ready.set)
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(5)
    try:
        yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}", hub
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        hub.stop()
        executor.shutdown(wait=False, cancel_futures=True)


class TornadoServer:
    """The runner's server for ``python -m swapdemo.realtime``; see the module docstring."""

    def __init__(self, app: WSGIApplication, host: str, port: int, config: Config, broker: Broker, look: Any):
        self.application, self.hub, self.executor = make_application(app, broker, look)
        self.sockets = netutil.bind_sockets(port, host)
        self.port = int(self.sockets[0].getsockname()[1])
        proxy = [config.trusted_proxy] if config.trusted_proxy else None
        self.http = httpserver.HTTPServer(
            self.application, xheaders=proxy is not None, trusted_downstream=proxy, idle_connection_timeout=75
        )

    def run(self) -> None:
        # The stack is built: move its objects out of the collector's way, or each full collection
        # walks Django's whole heap while live connections wait (the tail of the push latency).
        gc.freeze()
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        self.http.add_sockets(self.sockets)
        self.hub.start(loop)
        beat = asyncio.ensure_future(self._heartbeat())
        await stopping.wait()
        self.http.stop()
        self.hub.close_all("the server is restarting: reconnect in a few seconds")
        await asyncio.sleep(0.2)  # let the goodbyes leave
        beat.cancel()
        try:
            await asyncio.wait_for(self.http.close_all_connections(), timeout=3)
        except TimeoutError:
            pass

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            self.hub.heartbeat()

    def close(self) -> None:
        self.hub.stop()
        self.executor.shutdown(wait=False, cancel_futures=True)
