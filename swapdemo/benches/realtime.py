"""Live push under Tornado, beside the least a Tornado broadcast server can be (``live_floor.py``).

Run them with ``python -m swapdemo.bench --only push --redis-url redis://127.0.0.1:6379/15``:

- memory per idle SSE connection, 5,000 connections to one process (swapdemo and the floor);
- publish-to-receive latency, p50 and p99, to 1,000 SSE + 1,000 WebSocket subscribers spread over
  two processes reading one Redis Stream, with the share delivered (needs ``--redis-url``);
- the same to 10 readers while 10 MB is published, with and without a client that never reads;
- eight concurrent 100 ms WSGI requests under Tornado, and an SSE first byte while they run;
- requests per second for a WSGI page (``/jinja/``) under Tornado and under waitress.

Client and servers share the machine's cores: the floor, measured by the same clients in the same
run, is what the figures mean.
"""

from __future__ import annotations

import os
import threading
import time
from typing import TYPE_CHECKING, Any

from apps.realtime.server import serve_in_thread
from swapdemo.benches import Comparison, Variant
from swapdemo.benches.live_clients import Crowd, FanOut, rss_kib
from swapdemo.benches.live_stall import stalled_comparisons
from swapdemo.benches.load import generator
from swapdemo.kernel.events import MemoryBroker
from swapdemo.servers import ServerProcess, free_port

if TYPE_CHECKING:
    from collections.abc import Callable

REDIS = os.environ.get("SWAPDEMO_BENCH_REDIS_URL")
FLOOR_STREAM = "swapdemo:bench:floor"


def _swapdemo(port: int, redis_url: str | None) -> ServerProcess:
    env = {"SWAPDEMO_REDIS_URL": redis_url} if redis_url else {}
    return ServerProcess(["-m", "swapdemo.realtime", "--port", str(port)], "/live/", env, port=port).start()


def _floor(port: int, redis_url: str | None) -> ServerProcess:
    argv = ["-m", "swapdemo.benches.live_floor", str(port), redis_url or "-", FLOOR_STREAM]
    return ServerProcess(argv, "/", port=port).start()


def _idle(start: Callable[[int, str | None], ServerProcess], count: int) -> Callable[[], float]:
    def measure() -> float:
        server, crowd = start(free_port(), None), Crowd()
        try:
            time.sleep(0.5)
            before = rss_kib(server.process.pid)  # type: ignore[union-attr]
            crowd.join([server.port], count, 0)
            time.sleep(1.0)
            return (rss_kib(server.process.pid) - before) * 1024 / count / 1000  # type: ignore[union-attr]
        finally:
            crowd.close()
            server.stop()

    return measure


def _wsgi_under_tornado() -> dict[str, Any]:
    """Eight 100 ms WSGI requests and an SSE subscriber, in one process: when each is done."""
    import requests

    def slow(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        time.sleep(0.1)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slow"]

    look = {"wsgi_stack.page": lambda *a: "", "wsgi_stack.error": lambda *a: b""}
    with serve_in_thread(slow, MemoryBroker(), look) as (site, _):
        requests.get(f"{site}/warm", timeout=5)
        started = time.perf_counter()
        threads = [
            threading.Thread(target=requests.get, args=(f"{site}/x",), kwargs={"timeout": 5})
            for _ in range(8)
        ]
        for thread in threads:
            thread.start()
        with requests.get(f"{site}/live/events", stream=True, timeout=5) as stream:
            next(stream.iter_content(1))
            first_byte = time.perf_counter() - started
        for thread in threads:
            thread.join()
        return {"all": time.perf_counter() - started, "first_byte": first_byte}


def comparisons(quick: bool) -> list[Comparison]:
    idle = 500 if quick else 5000
    found: list[Comparison] = [
        Comparison(
            f"push: memory per idle SSE connection, {idle:,} connections to one process",
            [
                Variant("swapdemo (Tornado, hub, WSGI stack)", _idle(_swapdemo, idle)),
                Variant("floor (bare Tornado broadcast)", _idle(_floor, idle)),
            ],
            rounds=1,
            unit="KB",
            target="at most 20 KB per connection",
        ),
    ]
    timings: list[dict[str, Any]] = []

    def all_eight() -> float:
        timings.append(_wsgi_under_tornado())
        return float(timings[-1]["all"])

    found.append(
        Comparison(
            "push: eight 100 ms WSGI requests under Tornado, and an SSE first byte meanwhile",
            [
                Variant("all eight done", all_eight),
                Variant("SSE first byte", lambda: timings[-1]["first_byte"]),
            ],
            rounds=3 if quick else 7,
            target="all eight within 0.25 s; the first byte within 50 ms",
        )
    )
    if REDIS:
        found += _fan_out(quick)
    label, load = generator()
    ports: dict[str, int] = {}
    servers: dict[str, ServerProcess] = {}

    def serve() -> None:
        for name, module in (("waitress", "swapdemo.stack"), ("tornado", "swapdemo.realtime")):
            ports[name] = free_port()
            servers[name] = ServerProcess(
                ["-m", module, "--port", str(ports[name])], "/jinja/", port=ports[name]
            ).start()

    seconds = 2 if quick else 5
    for number, (path, what) in enumerate((("/", "the landing page"), ("/jinja/", "the 120-talk schedule"))):
        found.append(
            Comparison(
                f"push: WSGI pages under Tornado and waitress: {path} ({what}), 8 connections ({label})",
                [Variant(name, _rate(load, ports, name, path, seconds)) for name in ("waitress", "tornado")],
                rounds=2 if quick else 3,
                rate=True,
                setup=serve if number == 0 else None,
                teardown=(lambda: [s.stop() for s in servers.values()]) if number == 1 else None,
            )
        )
    return found


def _rate(
    load: Callable[[str, int, float], float], ports: dict[str, int], name: str, path: str, seconds: float
):
    return lambda: load(f"http://127.0.0.1:{ports[name]}{path}", 8, seconds)


def _fan_out(quick: bool) -> list[Comparison]:
    sse, ws = (100, 100) if quick else (1000, 1000)
    ours, floor = FanOut(_swapdemo, None, sse, ws), FanOut(_floor, FLOOR_STREAM, sse, ws)

    def setup() -> None:
        ours.setup()
        floor.setup()

    def teardown() -> None:
        ours.teardown()
        floor.teardown()

    name = f"{sse:,} SSE + {ws:,} WebSocket subscribers over 2 processes through Redis"
    return [
        Comparison(
            f"push: publish-to-receive p99, {name}",
            [Variant("swapdemo", ours.round), Variant("floor", floor.round)],
            rounds=3 if quick else 5,
            setup=setup,
            teardown=teardown,
            target="p99 at most 250 ms, and at most 1.5 x the floor's; 100% delivered every round",
        ),
        Comparison(
            f"push: publish-to-receive p50, {name}",
            [Variant("swapdemo", ours.figure("p50")), Variant("floor", floor.figure("p50"))],
            rounds=1,
        ),
        Comparison(
            f"push: share delivered (lowest round), {name}",
            [
                Variant("swapdemo", lambda: min(r["delivered"] for r in ours.rounds)),
                Variant("floor", lambda: min(r["delivered"] for r in floor.rounds)),
            ],
            rounds=1,
            unit="%",
        ),
        *stalled_comparisons(quick, _swapdemo, FanOut),
    ]
