"""Many live clients in one asyncio loop on a thread of its own, for the live-push benchmarks.

A :class:`Crowd` opens SSE connections (plain asyncio streams) and WebSocket connections (the
``websockets`` library) to the servers it is given, and records, for every event that carries a
``sent`` time, how long it took to arrive.  Nothing here is swapdemo's: the same crowd measures
swapdemo's server and the floor.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any


class Crowd:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        self.latencies: dict[int, list[float]] = {}
        self.tasks: list[asyncio.Future[Any]] = []
        self.ready = 0

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
        for task in self.tasks:
            self.loop.call_soon_threadsafe(task.cancel)
        time.sleep(0.2)
        self.loop.call_soon_threadsafe(self.loop.stop)


def rss_kib(pid: int) -> int:
    """A process's resident memory, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")
