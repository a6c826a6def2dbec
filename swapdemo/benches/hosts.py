"""Throughput over processes and hosts: gunicorn with one and two workers, and two hosts behind HAProxy.

:mod:`swapdemo.benches.stack` lists these.  The load generator runs on the same cores as the servers.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from swapdemo.benches import Comparison, Variant
from swapdemo.benches.load import generator
from swapdemo.kernel.config import from_environment
from swapdemo.servers import Balancer, ServerProcess, gunicorn

if TYPE_CHECKING:
    from collections.abc import Callable

WRITES = "/auth/login/?next=/auth/members/"  # a new session row per request: a database write


def _gunicorn(workers: int, data_dir: Path | None = None) -> ServerProcess:
    env = {"SWAPDEMO_DATA_DIR": str(data_dir)} if data_dir else {}
    return ServerProcess(gunicorn(["swapdemo.stack:application"], workers), "/", env)


def _warm(load: Callable[[str, int, float], float], url: str) -> None:
    load(url, 2, 1)


def workers_throughput(quick: bool) -> Comparison:
    one, two = _gunicorn(1), _gunicorn(2)
    name, load = generator()
    seconds = 1 if quick else 3

    def variant(label: str, server: ServerProcess, path: str) -> Variant:
        return Variant(label, lambda: load(server.url + path, 4, seconds))

    def setup() -> None:
        for server in (one, two):
            server.start()
            _warm(load, server.url + "/")
            _warm(load, server.url + WRITES)

    return Comparison(
        f"served: gunicorn -w 1 against -w 2 ({name}, 4 connections)",
        [
            variant("gunicorn -w 1, /", one, "/"),
            variant("gunicorn -w 2, /", two, "/"),
            variant("gunicorn -w 1, a page writing a session row", one, WRITES),
            variant("gunicorn -w 2, a page writing a session row", two, WRITES),
        ],
        rounds=3 if quick else 5,
        rate=True,
        target="-w 2 at least x1.5 of -w 1 on / (2 cores, shared with the load generator); "
        "the database page as it is (SQLite: one writer at a time)",
        setup=setup,
        teardown=lambda: [server.stop() for server in (one, two)],
    )


def hosts_throughput(quick: bool) -> list[Comparison]:
    if not shutil.which("haproxy"):
        print("skipped the two-hosts comparison: it needs haproxy (apt-get install haproxy)\n")
        return []
    folder = Path(tempfile.mkdtemp(prefix="hosts-", dir=from_environment().data_dir))
    host_a, host_b = _gunicorn(1, folder / "a"), _gunicorn(1, folder / "b")
    single = _gunicorn(2, folder / "single")
    two_hosts, one_host = Balancer(), Balancer()
    name, load = generator()
    seconds = 1 if quick else 3

    def setup() -> None:
        for server in (host_a, host_b, single):
            server.start()
        two_hosts.start(host_a, host_b)
        one_host.start(single, single)
        for url in (two_hosts.url, one_host.url, single.url):
            _warm(load, url + "/")

    def teardown() -> None:
        for part in (two_hosts, one_host, host_a, host_b, single):
            part.stop()
        shutil.rmtree(folder, ignore_errors=True)

    def variant(label: str, url: Callable[[], str]) -> Variant:
        return Variant(label, lambda: load(url() + "/", 4, seconds))

    return [
        Comparison(
            f"served: two 1-worker hosts behind HAProxy against one 2-worker host ({name}, 4 connections, /)",
            [
                variant("one host, gunicorn -w 2, behind HAProxy", lambda: one_host.url),
                variant("two hosts, gunicorn -w 1 each, behind HAProxy", lambda: two_hosts.url),
                variant("one host, gunicorn -w 2, direct", lambda: single.url),
            ],
            rounds=3 if quick else 5,
            rate=True,
            target="two hosts at least x0.9 of one 2-worker host (both behind the balancer)",
            setup=setup,
            teardown=teardown,
        )
    ]


def comparisons(quick: bool) -> list[Comparison]:
    return [workers_throughput(quick), *hosts_throughput(quick)]
