"""A total deadline ends a call that trickles, headers or body, whatever its per-read timeout."""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import LiveServer, Trickle
from wsgi_stack.deadline import DeadlineAdapter, deadline


def _session() -> requests.Session:
    session = requests.Session()
    session.mount("http://", DeadlineAdapter())
    return session


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(part: str) -> None:
    with Trickle(part) as server, _session() as session:
        started = time.monotonic()
        with deadline(1.0) as watched, pytest.raises(requests.RequestException):
            session.get(server.url + "/", timeout=(1, 1)).content  # noqa: B018 - read the whole body
        elapsed = time.monotonic() - started
    assert watched.expired
    assert elapsed < 5, "the trickle would have gone on for hours; each byte came within the read timeout"


def test_without_a_deadline_or_within_it_the_adapter_is_requests_own() -> None:
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    with LiveServer(app) as server, _session() as session:
        assert session.get(server.url, timeout=5).text == "ok"
        with deadline(5) as watched:
            assert session.get(server.url, timeout=5).text == "ok"
        assert not watched.expired
        assert session.get(server.url, timeout=5).text == "ok"  # its kept-alive connection still works
