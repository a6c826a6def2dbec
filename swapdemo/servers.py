"""Servers for tests and benchmarks: an app in a thread, or a command in a process of its own.

:class:`ThreadedServer` serves a WSGI app with waitress on a background thread (a fake upstream,
an API to read).  :class:`ServerProcess` runs a server command (``python -m swapdemo.stack``,
gunicorn, Tornado) on a free port and waits until it answers.  Both listen on 127.0.0.1 only.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

import waitress

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from _typeshed.wsgi import WSGIApplication

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """A WSGI app served by waitress in a background thread on 127.0.0.1.

    ``url`` has no trailing slash.  Use it as a context manager, or call :meth:`start` and
    :meth:`stop` (a bench comparison's set-up and tear-down).
    """

    def __init__(self, app: WSGIApplication, threads: int = 4) -> None:
        self.server = waitress.create_server(
            app, host="127.0.0.1", port=0, threads=threads, clear_untrusted_proxy_headers=True
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        # Polling a flag lets the loop end before the sockets close, so select() never sees a closed fd.
        while not self.stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)

    def start(self) -> ThreadedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()
        for channel in list(self.server._map.values()):
            channel.close()

    def __enter__(self) -> ThreadedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ServerProcess:
    """``python argv...`` in a subprocess, ``{port}`` in ``argv`` replaced by a free port.

    :param argv: the arguments after the interpreter, e.g. ``["-m", "swapdemo.stack", "--port", "{port}"]``.
    :param ready_path: :meth:`start` returns once a ``GET`` of it gets any answer; the first may
        build the whole stack in each worker, so it may take a while.
    :param env: added to this process's environment.
    :param log: where the server's stderr goes (discarded when ``None``).
    """

    def __init__(
        self,
        argv: Sequence[str],
        ready_path: str = "/",
        env: Mapping[str, str] | None = None,
        log: Path | None = None,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.argv = [sys.executable, *(arg.replace("{port}", str(self.port)) for arg in argv)]
        self.ready_path, self.env, self.log = ready_path, dict(env or {}), log
        self.process: subprocess.Popen[bytes] | None = None
        self._errors: IO[bytes] | None = None

    def start(self, timeout: float = 30) -> ServerProcess:
        environ = {**os.environ, "PYTHONPATH": str(ROOT), **self.env}
        self._errors = self.log.open("wb") if self.log else None
        stderr = self._errors or subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.argv, cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=stderr
        )
        deadline = time.monotonic() + timeout
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                told = self.log.read_text(errors="replace") if self.log else "(no log)"
                raise RuntimeError(f"{' '.join(self.argv)} did not start:\n{told}")
            time.sleep(0.1)
        return self

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request("GET", self.ready_path)
            connection.getresponse().read()
            return True
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self, sig: int = signal.SIGTERM) -> int | None:
        """Send ``sig`` and wait (SIGKILL after 20 s); returns the exit status."""
        status = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(sig)
            try:
                status = self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                status = self.process.wait()
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        return status

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def gunicorn(target: Sequence[str], workers: int = 2) -> list[str]:
    """The :class:`ServerProcess` arguments for gunicorn with ``workers`` sync workers on the free
    port, with the project's hooks (:mod:`swapdemo.gunicorn_conf`)."""
    options = ["-c", "python:swapdemo.gunicorn_conf", "-w", str(workers), "-k", "sync", "--timeout", "30"]
    return ["-m", "gunicorn", *options, "-b", "127.0.0.1:{port}", *target]


class Balancer:
    """HAProxy with ``deploy/haproxy.cfg`` (round-robin) in front of two servers, on a free port.

    :param log: where HAProxy's output goes (discarded when ``None``).
    """

    def __init__(self, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, a: ServerProcess, b: ServerProcess) -> Balancer:
        """Balance between ``a`` and ``b`` (which may be one server); returns once HAProxy answers."""
        env = {
            **os.environ,
            "SWAPDEMO_LB": f"127.0.0.1:{self.port}",
            "SWAPDEMO_HOST_A": a.url.removeprefix("http://"),
            "SWAPDEMO_HOST_B": b.url.removeprefix("http://"),
        }
        output = self.log.open("wb") if self.log else None
        command = ["haproxy", "-db", "-f", str(ROOT / "deploy" / "haproxy.cfg")]
        self.process = subprocess.Popen(
            command, env=env, stdout=output or subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        if output:
            output.close()  # the child holds its own copy
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2):
                    return self
            except OSError:
                time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
