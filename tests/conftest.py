"""Test-wide set-up: a known secret key, a throwaway data folder, real servers on loopback."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from swapdemo.servers import ServerProcess, ThreadedServer

if TYPE_CHECKING:
    pass

# The suite reads its configuration once per process, so the test process fixes it before any import.
os.environ.setdefault("SWAPDEMO_SECRET_KEY", "tests-only-secret-key-" + "x" * 40)
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


def gunicorn(target: Sequence[str], workers: int = 2) -> list[str]:
    """The command for :func:`run_server`: gunicorn with sync workers on the free port."""
    return [
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "-k",
        "sync",
        "--timeout",
        "30",
        "-b",
        "127.0.0.1:{port}",
        *target,
    ]


@pytest.fixture
def browser() -> Iterator[requests.Session]:
    """A client that keeps cookies across requests, as a visitor's browser does."""
    with requests.Session() as session:
        yield session


def csrf(page: requests.Response) -> str:
    """The CSRF token of the form on a Django page."""
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
