"""Load generators for the served-throughput comparisons: wrk when installed, else a Python one.

Both keep their connections alive and return requests per second.  The Python generator is a
fallback to say something, not a measuring instrument: on two cores it competes with the server
for the same CPU and tops out well below wrk.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable


def wrk(url: str, connections: int, seconds: float) -> float:
    """``wrk -t1 -cN -dS url``'s requests per second."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if found is None:
        raise RuntimeError(f"wrk printed no rate:\n{output}")
    return float(found.group(1))


def python_load(url: str, connections: int, seconds: float) -> float:
    """Keep-alive GETs of ``url`` from ``connections`` threads; requests answered per second."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    request = f"GET {parts.path or '/'} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        with socket.create_connection((host, port)) as sock:
            reader = sock.makefile("rb")
            while time.monotonic() < stop:
                sock.sendall(request)
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    if line.lower().startswith(b"content-length:"):
                        length = whole_number(line.split(b":", 1)[1].strip().decode("latin-1")) or 0
                reader.read(length)
                counts[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def generator() -> tuple[str, Callable[[str, int, float], float]]:
    """The load generator to use here, and its name for the table."""
    return ("wrk", wrk) if shutil.which("wrk") else ("Python load generator", python_load)
