"""``python -m swapdemo.realtime`` as a visitor and an operator meet it: a real Tornado process on a
free port, read by a streaming HTTP client (SSE) and by the ``websockets`` library."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import requests
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from swapdemo.servers import ServerProcess, gunicorn
from tests.apps.realtime.conftest import Proposer, events, listening, take
from tests.conftest import KEY

REDIS = os.environ.get("SWAPDEMO_TEST_REDIS_URL")


def realtime(tmp_path: Path, *flags: str, env: dict[str, str] | None = None, port: int | None = None):
    environ = {"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path / "data"), **(env or {})}
    command = ["-m", "swapdemo.realtime", "--port", "{port}", *flags]
    return ServerProcess(command, "/live/", environ, tmp_path / "realtime.log", port=port)


def ws_url(site: str, last: str | None = None) -> str:
    return site.replace("http://", "ws://") + "/live/ws" + (f"?last={last}" if last else "")


def drain(socket) -> None:
    """Read until the server closes the socket (the recent events come first)."""
    for _ in range(100):
        socket.recv(timeout=10)


def test_the_stack_under_tornado_with_events_on_the_wire(tmp_path) -> None:
    with realtime(tmp_path, "--profile") as server:
        site = server.url
        live = requests.get(f"{site}/live/", timeout=10)
        assert live.status_code == 200 and '<header class="site-header">' in live.text
        assert 'aria-current="page">Live pages' in live.text and 'src="/static/live.js"' in live.text
        assert requests.get(f"{site}/static/live.js", timeout=10).status_code == 200
        assert requests.get(f"{site}/jinja/", timeout=10).status_code == 200
        assert (
            "Profiler" in requests.get(f"{site}/__profile__", timeout=10).text
        )  # every layer, the profiler too
        forms = requests.get(f"{site}/forms/", timeout=10)  # Django-style Set-Cookie through WSGIContainer
        assert forms.status_code == 200 and "swapdemo_forms" in forms.cookies

        stream = requests.get(
            f"{site}/live/events", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=15
        )
        assert stream.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        assert stream.headers["Cache-Control"] == "no-cache" and stream.headers["X-Accel-Buffering"] == "no"
        assert "Content-Encoding" not in stream.headers
        sse = events(stream)
        assert next(sse) == "retry: 3000"
        with connect(ws_url(site), origin=site) as socket:
            Proposer(site).propose("Pushed <b>live</b>")
            (event,) = take(sse, 1)
            message = json.loads(socket.recv(timeout=10))
        assert event.data["title"] == message["data"]["title"] == "Pushed <b>live</b>"
        assert event.id == message["id"] and event.kind == message["kind"] == "proposal"
        stream.close()

        with pytest.raises(InvalidStatus) as refused:  # a page on another site cannot subscribe
            connect(ws_url(site), origin="http://evil.example").close()
        assert refused.value.response.status_code == 403
        with connect(ws_url(site), origin=site) as socket:
            socket.send("x" * 10_000)  # over the 4 KiB a client may send
            with pytest.raises(ConnectionClosed) as closed:
                drain(socket)
        assert closed.value.rcvd.code == 1009


def test_a_dropped_subscriber_gets_the_fifty_it_missed_in_order_without_duplicates(tmp_path) -> None:
    with realtime(tmp_path) as server:
        proposer = Proposer(server.url)
        with listening(server.url) as sse:
            proposer.propose("seen before the drop")
            (seen,) = take(sse, 1)
        for number in range(50):
            proposer.propose(f"missed {number}")
        with listening(server.url, last=seen.id) as sse:
            resumed = take(sse, 50)
        with connect(ws_url(server.url, seen.id), origin=server.url) as socket:
            by_socket = [json.loads(socket.recv(timeout=10)) for _ in range(50)]
        with listening(server.url, last="0badc0de:3") as sse:
            other_epoch = take(sse, 1)
    titles = [f"missed {n}" for n in range(50)]
    assert [e.data["title"] for e in resumed] == titles and len({e.id for e in resumed}) == 50
    assert [m["data"]["title"] for m in by_socket] == titles
    assert [e.kind for e in other_epoch] == ["reset"]  # a history it cannot have: the page starts over


def test_sigterm_says_come_back_later_to_every_client_and_stops_within_five_seconds(tmp_path) -> None:
    server = realtime(tmp_path).start()
    try:
        listener = listening(server.url)
        sse = listener.__enter__()
        next(sse)
        with connect(ws_url(server.url), origin=server.url) as socket:
            time.sleep(0.3)
            started = time.monotonic()
            server.process.terminate()
            (bye,) = take(sse, 1, kind="bye")
            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=10)
            status = server.process.wait(timeout=5)
        listener.__exit__(None, None, None)
    finally:
        server.stop()
    assert bye.kind == "bye" and "reconnect" in bye.data
    assert closed.value.rcvd.code == 1012 and status == 0 and time.monotonic() - started < 5


@pytest.mark.skipif(not REDIS, reason="set SWAPDEMO_TEST_REDIS_URL to run the cross-process test")
def test_proposals_saved_by_gunicorn_reach_a_tornado_process_even_across_its_restart(tmp_path) -> None:
    import redis

    redis.Redis.from_url(REDIS).delete("swapdemo:live:events", "swapdemo:live:events:epoch")
    env = {"SWAPDEMO_REDIS_URL": REDIS}
    workers_env = {"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path / "data"), **env}
    with ServerProcess(
        gunicorn(["swapdemo.stack:application"], workers=2), "/", workers_env, tmp_path / "gunicorn.log"
    ) as workers:
        proposer = Proposer(workers.url)
        server = realtime(tmp_path, env=env).start()
        try:
            with listening(server.url) as sse:
                proposer.propose("before the restart")
                (seen,) = take(sse, 1)
        finally:
            server.stop()
        for number in range(50):
            proposer.propose(f"while it was down {number}")
        with realtime(tmp_path, env=env, port=server.port) as again, listening(again.url, seen.id) as sse:
            resumed = take(sse, 50)
    assert [e.data["title"] for e in resumed] == [f"while it was down {n}" for n in range(50)]
    assert len({e.id for e in resumed}) == 50 and seen.id.split(":")[0] == resumed[0].id.split(":")[0]
