"""Many live clients in one asyncio loop on a thread of its own, for the live-push benchmarks.

A :class:`Crowd` opens SSE connections (plain asyncio streams) and WebSocket connections (the
``websockets`` library) to the servers it is given, and records, for every event that carries a
``sent`` time, how long it took to arrive.  :class:`FanOut` runs rounds of published events
through two servers to a crowd.  Nothing here is swapdemo's: the same crowd measures
swapdemo's server and the floor.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from swapdemo.servers import ServerProcess


class Crowd:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.latencies: dict[int, list[float]] = {}
        self.tasks: list[asyncio.Future[Any]] = []
        self.pads = 0

    def run(self, coroutine: Any, timeout: float = 120) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def join(self, ports: list[int], sse: int, ws: int) -> None:
        """Open ``sse`` and ``ws`` connections, spread over ``ports``; return once all are open."""
        self.run(self._join(ports, sse, ws))

    async def _join(self, ports: list[int], sse: int, ws: int) -> None:
        opened = []
        for number in range(sse + ws):
            port = ports[number % len(ports)]
            kind = self._sse if number < sse else self._ws
            started = asyncio.get_running_loop().create_future()
            self.tasks.append(asyncio.ensure_future(kind(port, started)))
            opened.append(started)
            if number % 200 == 199:
                await asyncio.gather(*opened)
        await asyncio.gather(*opened)

    def _seen(self, text: str) -> None:
        try:
            data = json.loads(text)
        except ValueError:
            return
        data = data.get("data", data) if isinstance(data, dict) else data
        if isinstance(data, dict) and "pad" in data:
            self.pads += 1
        if isinstance(data, dict) and "sent" in data:
            self.latencies.setdefault(int(data["round"]), []).append(time.time() - float(data["sent"]))

    async def _sse(self, port: int, started: asyncio.Future[None]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
        writer.write(b"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        while True:
            line = await reader.readline()
            if not line:
                return
            if line.startswith(b"retry:") and not started.done():
                started.set_result(None)
            elif line.startswith(b"data: "):
                self._seen(line[6:].decode())

    async def _ws(self, port: int, started: asyncio.Future[None]) -> None:
        from websockets.asyncio.client import connect

        async with connect(f"ws://127.0.0.1:{port}/live/ws", max_size=2**22, ping_interval=None) as socket:
            started.set_result(None)
            async for message in socket:
                self._seen(str(message))

    def close(self) -> None:
        async def cancel() -> None:
            for task in self.tasks:
                task.cancel()
            await asyncio.gather(*self.tasks, return_exceptions=True)

        try:
            self.run(cancel(), timeout=30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)


class FanOut:
    """Two servers of a kind, a crowd on them, rounds of published events; the figures per round."""

    def __init__(
        self, start: Callable[[int, str | None], ServerProcess], stream: str | None, sse: int, ws: int
    ):
        self.start, self.stream, self.sse, self.ws = start, stream, sse, ws
        self.rounds: list[dict[str, float]] = []

    def setup(self) -> None:
        from swapdemo.kernel.redis_events import STREAM, RedisBroker
        from swapdemo.servers import free_port

        redis_url = os.environ["SWAPDEMO_BENCH_REDIS_URL"]
        stream = self.stream or STREAM
        RedisBroker(redis_url, stream=stream).redis.delete(stream, f"{stream}:epoch")  # a fresh history
        self.servers = [self.start(free_port(), redis_url) for _ in range(2)]
        self.crowd = Crowd()
        self.crowd.join([s.port for s in self.servers], self.sse, self.ws)
        self.broker = RedisBroker(redis_url, stream=stream)
        time.sleep(1.0)
        self.crowd.latencies.clear()

    def teardown(self) -> None:
        self.crowd.close()
        for server in self.servers:
            server.stop()

    def round(self, events: int = 10, flood: int = 0) -> float:
        """Publish ``events`` probes (100 ms apart), and meanwhile ``flood`` bytes in 100 KB events;
        the p99 of the probes' arrival, once all arrived or 10 s passed."""
        number = len(self.rounds)
        flooding = threading.Thread(target=self._flood, args=(flood,))
        flooding.start()
        for serial in range(events):
            key = number * 1000 + serial
            self.broker.publish("bench", {"round": key, "sent": time.time()})
            time.sleep(0.1)
        flooding.join()
        floods = flood // 100_000 * (self.sse + self.ws)
        drained = time.monotonic() + 60
        while self.crowd.pads < floods and time.monotonic() < drained:  # rounds must not overlap
            time.sleep(0.05)
        self.crowd.pads = 0
        wanted = events * (self.sse + self.ws)
        deadline = time.monotonic() + 10
        keys = [number * 1000 + serial for serial in range(events)]
        while time.monotonic() < deadline:
            got = sum(len(self.crowd.latencies.get(key, [])) for key in keys)
            if got >= wanted:
                break
            time.sleep(0.05)
        latencies = sorted(x for key in keys for x in self.crowd.latencies.get(key, []))
        self.rounds.append(
            {
                "p50": statistics.median(latencies),
                "p99": latencies[int(len(latencies) * 0.99) - 1],
                "delivered": 100 * len(latencies) / wanted,
            }
        )
        return self.rounds[-1]["p99"]

    def _flood(self, size: int) -> None:
        for _ in range(size // 100_000):
            self.broker.publish("bench", {"pad": "x" * 100_000})

    def figure(self, name: str) -> Callable[[], float]:
        return lambda: statistics.median(r[name] for r in self.rounds)


def rss_kib(pid: int) -> int:
    """A process's resident memory, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
