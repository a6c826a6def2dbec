"""The Python load generator counts the requests the server answered."""

from __future__ import annotations

from swapdemo.benches.load import python_load
from tests.conftest import LiveServer


def test_the_python_load_generator_counts_the_requests_the_server_answered() -> None:
    answered = []

    def app(environ, start_response):
        answered.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    with LiveServer(app) as server:
        rate = python_load(server.url + "/", connections=2, seconds=0.5)
    assert rate > 0
    assert abs(rate * 0.5 - len(answered)) <= 2  # each connection may have one request in flight at the end
