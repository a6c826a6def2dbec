"""Against a fault-injecting server: timeouts, GET retries, Retry-After, size caps, bad bodies, the 503."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from webtest import TestApp

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.errors import (
    BadResponse,
    ResponseTooLarge,
    UpstreamError,
    UpstreamStatus,
    UpstreamTimeout,
)
from apps.api_datasource.queryset import ApiQuerySet
from swapdemo.kernel.config import from_environment

EMPTY_PAGE = json.dumps({"count": 0, "results": []}).encode()
CAP = 1_000_000


class Faults(BaseHTTPRequestHandler):
    """Misbehaves according to the first path segment; records every request on the server."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.seen.append((self.command, self.path))
        kind = self.path.strip("/").split("/")[0].split("?")[0]
        self.server.attempts[kind] += 1
        getattr(self, "fault_" + kind.replace("-", "_"), self.fault_ok)()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def fault_ok(self) -> None:
        self.send(200, EMPTY_PAGE)

    def fault_stall(self) -> None:
        self.server.stopping.wait(10)
        self.close_connection = True

    def fault_flaky(self) -> None:
        if self.server.attempts["flaky"] == 1:
            self.send(503, b'{"error": "warming up"}', Retry_After="1")
        else:
            self.send(200, EMPTY_PAGE)

    def fault_busy(self) -> None:
        if self.server.attempts["busy"] == 1:
            self.send(503, b'{"error": "come back tomorrow"}', Retry_After="86400")
        else:
            self.send(200, EMPTY_PAGE)

    def fault_down(self) -> None:
        self.send(503, b'{"error": "down for maintenance"}')

    def fault_error(self) -> None:
        self.send(500, b'{"error": "database on fire"}')

    def fault_truncated(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(EMPTY_PAGE[:20])
        self.close_connection = True

    def fault_html(self) -> None:
        self.send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")

    def fault_shape(self) -> None:
        self.send(200, json.dumps({"talks": []}).encode())

    def fault_badrow(self) -> None:
        self.send(200, json.dumps({"count": 1, "results": [{"id": 1, "title": "no other field"}]}).encode())

    def fault_huge_chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"[" + b" " * 65535
        try:
            while self.server.sent < 500 * CAP:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.server.sent += len(chunk)
        except OSError:
            pass
        self.close_connection = True

    def fault_huge_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(500 * CAP))
        self.end_headers()
        self.close_connection = True


@pytest.fixture
def faulty():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Faults)
    server.daemon_threads = True
    server.seen, server.attempts, server.sent, server.stopping = [], Counter(), 0, threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


def client(**options) -> ApiClient:
    session = make_session(
        retries=options.pop("retries", 2), backoff=0.05, retry_after_cap=options.pop("retry_after_cap", 5)
    )
    return ApiClient(session, **{"timeout": (1.0, 0.5), "max_bytes": CAP, **options})


def elapsed(function) -> float:
    started = time.monotonic()
    function()
    return time.monotonic() - started


def test_a_stalled_server_times_out_within_the_budget_and_gets_retried_as_a_get(faulty) -> None:
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="no answer within") as caught:
        client(retries=1).get(faulty.url + "/stall/")
    # Two attempts of a 0.5 s read timeout and one 0.05 s backoff: about 1.05 s.
    assert time.monotonic() - started < 2.5
    assert faulty.seen == [("GET", "/stall/")] * 2
    assert caught.value.upstream == faulty.url + "/stall/"


def test_a_connect_timeout_fires_when_the_server_cannot_accept() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    try:
        while len(fillers) < 8:
            filler = socket.socket()
            filler.settimeout(0.2)
            try:
                filler.connect(listener.getsockname())
            except OSError:
                filler.close()
                break
            fillers.append(filler)
        host, port = listener.getsockname()
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout):
            ApiClient(make_session(retries=0), timeout=(0.3, 5)).get(f"http://{host}:{port}/")
        assert time.monotonic() - started < 2.5, "the 0.3 s connect timeout fired, not the 5 s read timeout"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def test_a_503_is_retried_for_a_get_after_its_retry_after(faulty) -> None:
    taken = elapsed(lambda: client().get(faulty.url + "/flaky/"))
    assert faulty.seen == [("GET", "/flaky/")] * 2
    assert taken >= 0.9, "Retry-After: 1 was honoured"


def test_a_post_is_never_retried(faulty) -> None:
    response = make_session(retries=2, backoff=0.05).post(faulty.url + "/flaky/", data=b"x", timeout=(1, 1))
    assert response.status_code == 503 and faulty.seen == [("POST", "/flaky/")]


def test_retry_after_is_capped(faulty) -> None:
    taken = elapsed(lambda: client(retry_after_cap=1).get(faulty.url + "/busy/"))
    assert faulty.attempts["busy"] == 2 and 0.9 <= taken < 3, (
        "waited the 1 s cap, not a day (nor the 5 s default cap)"
    )


def test_a_503_that_persists_is_reported_after_the_retries(faulty) -> None:
    with pytest.raises(
        UpstreamStatus, match=r"it answered 503 Service Unavailable: down for maintenance \(after 2 retries\)"
    ) as caught:
        client().get(faulty.url + "/down/")
    assert caught.value.status == 503 and faulty.attempts["down"] == 3


def test_a_500_is_not_retried_and_carries_the_apis_message(faulty) -> None:
    with pytest.raises(UpstreamStatus, match="it answered 500 Internal Server Error: database on fire"):
        client().get(faulty.url + "/error/")
    assert faulty.attempts["error"] == 1


def test_a_truncated_body_is_an_upstream_error(faulty) -> None:
    with pytest.raises(UpstreamError, match="cut short"):
        client().get(faulty.url + "/truncated/")


def test_non_json_and_wrongly_shaped_json_raise_bad_response(faulty) -> None:
    with pytest.raises(BadResponse, match=r"not JSON \(text/html\)"):
        client().get(faulty.url + "/html/")
    for kind, message in (("shape", "expected {'count': int"), ("badrow", "a row is not a valid talk")):
        talks = ApiQuerySet(TALKS, f"{faulty.url}/{kind}/", client(), Adapter())
        with pytest.raises(BadResponse, match=message):
            list(talks)


def test_a_huge_chunked_body_stops_at_the_size_cap(faulty) -> None:
    with pytest.raises(ResponseTooLarge, match="grew past the cap of 1,000,000 bytes"):
        client().get(faulty.url + "/huge-chunked/")
    time.sleep(0.2)
    assert faulty.sent < 20 * CAP, "the client hung up instead of reading 500 MB"


def test_a_declared_huge_body_is_refused_before_reading(faulty) -> None:
    with pytest.raises(ResponseTooLarge, match="declares 500,000,000 bytes"):
        client().get(faulty.url + "/huge-declared/")


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("error", "it answered 500 Internal Server Error: database on fire"),
        ("stall", "no answer within 1 s to connect and 0.5 s between bytes"),
        ("html", "the answer is not JSON"),
        ("shape", "expected {&#x27;count&#x27;: int"),
        ("huge-chunked", "grew past the cap"),
    ],
)
def test_any_upstream_failure_is_a_readable_503_page_naming_the_upstream(
    faulty, kind: str, reason: str
) -> None:
    pages = TestApp(
        make_app(from_environment().replace(api_url=f"{faulty.url}/{kind}/"), client=client(retries=0)),
        lint=False,
    )
    for path in ("/", "/talks/3/"):
        page = pages.get(path, status=503)
        assert page.headers["Retry-After"] == "30"
        assert "The talks API is unavailable" in page.text and f"{faulty.url}/{kind}/talks/" in page.text
        assert reason in page.text and "Traceback" not in page.text
