"""Test-wide set-up (a known secret key, a throwaway data folder, real servers on loopback), and what
the tests of several packages share.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from apps.conference import load_talks
from swapdemo.kernel.config import from_environment
from swapdemo.servers import ServerProcess, ThreadedServer

KEY = "tests-only-secret-key-" + "x" * 40  # long enough for SWAPDEMO_SECRET_KEY's check
# The suite reads its configuration once per process, so the test process fixes it before any import.
os.environ.setdefault("SWAPDEMO_SECRET_KEY", KEY)
os.environ.setdefault("SWAPDEMO_DATA_DIR", tempfile.mkdtemp(prefix="swapdemo-tests-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swapdemo.settings")


# Tests call it LiveServer, after Django's LiveServerTestCase.
LiveServer = ThreadedServer


ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def run_server(
    command: Sequence[str], ready_path: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run a server command (``{port}`` is replaced by a free port) until ``ready_path`` answers.

    Yields the server's URL; its stderr goes to ``log``.
    """
    with ServerProcess(command, ready_path, env, log) as server:
        yield server.url


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """A client that keeps cookies across requests, as a visitor's browser does."""
    with requests.Session() as session:
        yield session


def csrf(page: requests.Response) -> str:
    """The CSRF token of the form on a Django page."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


TALKS = load_talks()
TOKEN = "csrfmiddlewaretoken"


class Canonical(HTMLParser):
    """HTML as a list of tags, attributes and text: entities decoded, whitespace collapsed.

    The CSRF token is masked: Django masks it afresh for every render (BREACH protection).
    """

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, ...]] = []
        self.feed(html)
        self.close()

    def handle_decl(self, decl: str) -> None:
        self.items.append(("!", decl.lower()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        masked = {
            name: "<token>" if dict(attrs).get("name") == TOKEN and name == "value" else value
            for name, value in attrs
        }
        self.items.append(("<", tag, *(f"{name}={value}" for name, value in sorted(masked.items()))))

    def handle_endtag(self, tag: str) -> None:
        self.items.append(("/", tag))

    def handle_data(self, data: str) -> None:
        if text := " ".join(data.split()):
            self.items.append(("text", text))


@pytest.fixture
def config(tmp_path):
    return from_environment().replace(data_dir=tmp_path)


def _environ_without_django_settings(data_dir: Path) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return {**environ, "SWAPDEMO_DATA_DIR": str(data_dir)}


class Step:
    """One numbered step of a README's "Try it": the paths it opens and the text it quotes (“…”)."""

    def __init__(self, text: str) -> None:
        self.text = " ".join(text.split())
        self.paths = re.findall(r"<http://127\.0\.0\.1:8000(/[^>]*)>", self.text)
        self.quoted = re.findall(r"“([^”]+)”", self.text)

    def __repr__(self) -> str:
        return f"Step({self.text!r})"


def try_it(readme: Path) -> list[Step]:
    """The numbered steps of ``readme``'s "Try it" section, so a test performs what it promises."""
    section = readme.read_text(encoding="utf-8").split("## Try it", 1)[1].split("\n## ", 1)[0]
    return [Step(match) for match in re.findall(r"^\d+\. (.+?)(?=^\d+\. |^\S|\Z)", section, re.M | re.S)]


def try_it_commands(readme: Path) -> list[str]:
    """The shell commands in ``readme``'s "Try it" section, one a line."""
    section = readme.read_text(encoding="utf-8").split("## Try it", 1)[1].split("\n## ", 1)[0]
    return [line for block in re.findall(r"```sh\n(.*?)```", section, re.S) for line in block.splitlines()]


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 to a real server (PostgreSQL, Redis) that a test can stop.

    Stopping it closes the listening socket and every forwarded connection, as a server that goes
    away would: the tests see the outage through the same drivers a deployment uses.
    """

    def __init__(self, target_port: int, port: int = 0) -> None:
        self.target = ("127.0.0.1", target_port)
        self.listener = socket.create_server(("127.0.0.1", port))  # port: again where a stopped one was
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        self.listener.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class Trickle:
    """An HTTP server on 127.0.0.1 that answers one byte every ``pause`` seconds, for ever.

    ``part="body"`` sends whole headers, then the body a byte at a time; ``part="headers"`` trickles
    the headers themselves.  Each byte comes well within any read timeout: only a total deadline
    ends such a call.
    """

    def __init__(self, part: str = "body", pause: float = 0.1) -> None:
        self.part, self.pause = part, pause
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(client,), daemon=True).start()

    def _answer(self, client: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        with client, contextlib.suppress(OSError):
            client.recv(65536)
            if self.part == "body":
                client.sendall(head)
            for byte in itertools.cycle(head[:-4] if self.part == "headers" else b" "):
                client.sendall(bytes([byte]))
                time.sleep(self.pause)

    def __enter__(self) -> Trickle:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()


# Browser, multi-host and load tests take long: .ci/run runs them on one Python only.
slow = pytest.mark.skipif(
    not os.environ.get("SWAPDEMO_TEST_SLOW"), reason="a slow test: set SWAPDEMO_TEST_SLOW=1"
)


PG = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")


@contextmanager
def empty_postgres_database() -> Iterator[str]:
    """An empty PostgreSQL database of its own (its name), dropped afterwards."""
    import psycopg

    assert PG, "an empty database needs SWAPDEMO_TEST_DATABASE_URL"
    name = f"swapdemo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database() -> Iterator[str]:
    with empty_postgres_database() as name:
        yield name


def proposal(token: str, title: str, abstract: str = "A talk proposed by a test.") -> dict[str, str]:
    """The /forms/ page's fields for a valid proposal, with the page's CSRF token."""
    return {
        "csrf_token": token,
        "title": title,
        "speaker": "Ada",
        "email": "ada@example.org",
        "track": "Core",
        "level": "beginner",
        "topics": "forms",
        "duration": "25",
        "preferred_day": "2009-09-09",
        "abstract": abstract,
    }
