"""A client that never reads, while 10 MB is published: what it costs the server and the others.

Four SSE readers on one of two swapdemo processes; each round publishes 20 small probes, 100 ms
apart, while 100 events of 100 KB (10 MB) go out beside them.  In the second variant one more
client connects first and never reads a byte.  The figures: the probes' p99 at the readers, and the
server's resident memory at its peak during the round above what it was before the round (the
stalled client's share is the difference between the two variants).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant
from swapdemo.benches.live_clients import rss_kib

if TYPE_CHECKING:
    from collections.abc import Callable


def stalled_comparisons(
    quick: bool, start: Callable[..., Any], fan_out: Callable[..., Any]
) -> list[Comparison]:
    readers = fan_out(start, None, 4, 0)
    peaks: dict[str, list[float]] = {"readers": [], "stalled": []}

    def round_with(stalled: bool) -> float:
        server = readers.servers[0]
        pid = server.process.pid
        sock = None
        if stalled:
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.sendall(b"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            time.sleep(0.3)
        peak, done = [0], threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], rss_kib(pid))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            p99 = readers.round(events=40, flood=10_000_000)
        finally:
            done.set()
            sampler.join()
            if sock is not None:
                sock.close()
        peaks["stalled" if stalled else "readers"].append(peak[0] / 1024)
        return p99

    name = "4 SSE readers while 10 MB is published"
    return [
        Comparison(
            f"push: p99 of {name}, with and without a client that never reads",
            [
                Variant("4 readers", lambda: round_with(False)),
                Variant("4 readers + 1 stalled", lambda: round_with(True)),
            ],
            rounds=2 if quick else 5,
            setup=readers.setup,
            teardown=readers.teardown,
            target="the readers' p99 moves by at most 10%",
        ),
        Comparison(
            f"push: the server's resident memory at its peak, {name}",
            [
                Variant("4 readers", lambda: max(peaks["readers"])),
                Variant("4 readers + 1 stalled", lambda: max(peaks["stalled"])),
            ],
            rounds=1,
            unit="MiB",
            target="the stalled client adds at most 1 MiB",
        ),
    ]
