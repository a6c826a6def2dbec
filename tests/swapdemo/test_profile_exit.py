"""Served profiles outlive their workers: worker_exit flushes them; SIGKILL loses only the unflushed."""

from __future__ import annotations

import platform
import signal

import requests

from swapdemo.servers import ServerProcess, gunicorn
from tests.conftest import KEY
from wsgi_stack.profile_store import Shelf, merge

VIEW = "apps/jinja_templates/views.py"


def talk_calls(folder) -> int:
    """How many calls of the talk page's view the records in ``folder`` hold, all workers added."""
    records, notes = Shelf(folder).load()
    assert notes == []
    stats = merge(records, platform.python_version()).stats
    return sum(entry[1] for (file, _, name), entry in stats.items() if file == VIEW and name == "talk")


def environ(tmp_path) -> dict[str, str]:
    return {
        "SWAPDEMO_DATA_DIR": str(tmp_path / "data"),
        "SWAPDEMO_SECRET_KEY": KEY,
        "SWAPDEMO_PROFILE": "1",
        "SWAPDEMO_PROFILE_FLUSH": "3600",  # only the page view and the exit flush
    }


def test_a_killed_server_keeps_what_it_flushed_and_loses_only_the_rest(tmp_path):
    folder = tmp_path / "data" / "profile"
    command = ["-m", "swapdemo.stack", "--port", "{port}"]
    with ServerProcess(command, "/", environ(tmp_path), tmp_path / "log") as server:
        for _ in range(5):
            assert requests.get(server.url + "/jinja/talks/1/", timeout=10).status_code == 200
        assert requests.get(server.url + "/__profile__", timeout=10).status_code == 200
        for _ in range(3):
            requests.get(server.url + "/jinja/talks/1/", timeout=10)
        server.stop(signal.SIGKILL)
    assert talk_calls(folder) == 5


def test_gunicorn_workers_flush_their_profiles_when_they_exit(tmp_path):
    folder = tmp_path / "data" / "profile"
    command = gunicorn(["swapdemo.stack:application"], workers=2)
    server = ServerProcess(command, "/", environ(tmp_path), tmp_path / "log").start()
    try:
        for _ in range(10):
            assert requests.get(server.url + "/jinja/talks/1/", timeout=10).status_code == 200
    finally:
        server.stop(signal.SIGTERM)  # graceful: each worker runs worker_exit
    assert talk_calls(folder) == 10
    records, _ = Shelf(folder).load()
    assert sum(record.requests for record in records) >= 10  # plus the start-up probe
