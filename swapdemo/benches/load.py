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
from typing import TYPE_CHECKING, BinaryIO
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
    """Keep-alive GETs of ``url`` from ``connections`` threads; complete answers per second.

    A server that closes the connection (gunicorn's sync workers answer ``Connection: close``) is
    reconnected to, as wrk does; an answer cut short is not counted.
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    counts = [0] * connections
    stop = time.monotonic() + seconds

    def answered(sock: socket.socket, reader: BinaryIO) -> tuple[bool, bool]:
        """Send one request; whether a whole answer came, and whether the connection stays open."""
        try:
            sock.sendall(request)
        except OSError:
            return False, False
        length, keep = 0, True
        status = reader.readline()
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = whole_number(value.strip().decode("latin-1")) or 0
            elif name.lower() == b"connection" and value.strip().lower() == b"close":
                keep = False
        if not status or not line:
            return False, False
        return len(reader.read(length)) == length, keep

    def client(index: int) -> None:
        while time.monotonic() < stop:
            with socket.create_connection((host, port)) as sock, sock.makefile("rb") as reader:
                keep = True
                while keep and time.monotonic() < stop:
                    whole, keep = answered(sock, reader)
                    counts[index] += whole

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def generator() -> tuple[str, Callable[[str, int, float], float]]:
    """The load generator to use here, and its name for the table."""
    return ("wrk", wrk) if shutil.which("wrk") else ("Python load generator", python_load)
