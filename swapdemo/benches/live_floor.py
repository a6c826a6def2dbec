"""The floor the live demo is measured against: the least a Tornado broadcast server can be.

``python -m swapdemo.benches.live_floor PORT REDIS_URL [STREAM]`` (``-`` for no Redis):
``/live/events`` (SSE) and ``/live/ws`` (WebSocket) send every entry of the Redis Stream to every
connection as it arrives, with no ids, no queues, no replay, no WSGI beside them: what swapdemo's
extras are compared with.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from typing import Any

import redis
from tornado import web, websocket

from swapdemo.kernel.redis_events import STREAM

clients: set[web.RequestHandler] = set()


class Ready(web.RequestHandler):
    def get(self) -> None:
        self.write("ok")


class Events(web.RequestHandler):
    async def get(self) -> None:
        self.set_header("Content-Type", "text/event-stream")
        self.write("retry: 3000\n\n")
        await self.flush()
        clients.add(self)
        self.done = asyncio.Event()
        await self.done.wait()

    def on_connection_close(self) -> None:
        clients.discard(self)
        self.done.set()

    def send(self, data: str) -> None:
        self.write(f"data: {data}\n\n")
        self.flush()


class Socket(websocket.WebSocketHandler):
    def open(self, *args: str, **kwargs: str) -> None:
        clients.add(self)

    def on_close(self) -> None:
        clients.discard(self)

    def send(self, data: str) -> None:
        self.write_message(data)


def fan_out(entries: list[str]) -> None:
    for client in list(clients):
        for data in entries:
            client.send(data)  # type: ignore[attr-defined]


def read(url: str, stream: str, loop: asyncio.AbstractEventLoop) -> None:
    connection: Any = redis.Redis.from_url(url, decode_responses=True)  # str answers, typed loosely
    last = "$"
    while True:
        answer = connection.xread({stream: last}, block=1000, count=500)
        for _, entries in answer or []:
            last = entries[-1][0]
            loop.call_soon_threadsafe(fan_out, [json.dumps(json.loads(f["data"])) for _, f in entries])


async def main(port: int, url: str, stream: str) -> None:
    routes = [(r"/", Ready), (r"/live/events", Events), (r"/live/ws", Socket)]
    web.Application(routes).listen(port, "127.0.0.1")
    if url != "-":
        threading.Thread(target=read, args=(url, stream, asyncio.get_running_loop()), daemon=True).start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else STREAM))
