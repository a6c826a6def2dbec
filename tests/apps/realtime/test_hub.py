"""The hub under a real Tornado server in this process: WSGI pages never hold a push back, a client
that stops reading is dropped with a reason and resumes by id, the others get everything."""

from __future__ import annotations

import logging
import socket
import threading
import time

import requests

from tests.apps.realtime.conftest import listening, take, tornado_in_thread


class Slow:
    """A WSGI app whose requests take ``seconds`` (or until released), counting how many overlap."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.running, self.most, self.done = seconds, 0, 0, []
        self.release = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.release.wait(self.seconds)
        with self.lock:
            self.running -= 1
            self.done.append(time.monotonic())
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slow"]


def test_eight_slow_wsgi_requests_run_together_and_an_sse_subscriber_is_served_meanwhile() -> None:
    app = Slow(30)  # held until released: no race with the clock
    with tornado_in_thread(app) as (site, _, _):

        def get() -> None:
            assert requests.get(f"{site}/page", timeout=40).text == "slow"

        threads = [threading.Thread(target=get) for _ in range(8)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 10
        while app.running < 8 and time.monotonic() < deadline:  # the eight are in the pool now
            time.sleep(0.01)
        with listening(site) as stream:
            next(stream)  # the retry: line, written before any history is read
            first_byte = time.monotonic()
        app.release.set()
        for thread in threads:
            thread.join()
    assert app.most == 8, "the WSGI requests ran one after another"
    assert first_byte < min(app.done), "the subscriber waited for the WSGI pages"


def test_a_page_stuck_on_a_slow_upstream_delays_no_push() -> None:
    app = Slow(30)
    with tornado_in_thread(app, threads=2) as (site, broker, _):
        stuck = [
            threading.Thread(target=requests.get, args=(f"{site}/stuck",), kwargs={"timeout": 40})
            for _ in range(2)
        ]  # the whole WSGI pool
        for thread in stuck:
            thread.start()
        with listening(site) as stream:
            next(stream)
            time.sleep(0.1)
            broker.publish("proposal", {"id": 1, "title": "pushed while the pages hang"})
            (event,) = take(stream, 1)
        assert event.data["title"] == "pushed while the pages hang" and app.running == 2
        app.release.set()
        for thread in stuck:
            thread.join()


def test_a_client_that_stops_reading_is_dropped_and_resumes_by_id(caplog) -> None:
    caplog.set_level(logging.INFO, "apps.realtime")
    with tornado_in_thread(lambda e, s: [], stall=1.0) as (site, broker, hub):
        stalled = socket.create_connection((site.split("//")[1].split(":")[0], int(site.rsplit(":", 1)[1])))
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.sendall(b"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        listener = listening(site, timeout=60)
        reader = listener.__enter__()
        next(reader)
        deadline = time.monotonic() + 5
        while len(hub.subscribers) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        blob = "x" * 10_000
        first = broker.publish("proposal", {"id": 0, "title": blob})
        for number in range(1, 1000):  # about 10 MB in all
            broker.publish("proposal", {"id": number, "title": blob})
        received = take(reader, 1000)
        assert [e.data["id"] for e in received] == list(range(1000)), "a reading client got everything"
        deadline = time.monotonic() + 5
        while hub.dropped < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert hub.dropped == 1 and len(hub.subscribers) == 1
        assert any("stalled: nothing read for 1 s" in r.getMessage() for r in caplog.records)
        listener.__exit__(None, None, None)
        with listening(site, last=first) as again:
            resumed = take(again, 999)
        assert [e.data["id"] for e in resumed] == list(range(1, 1000))
        stalled.close()
