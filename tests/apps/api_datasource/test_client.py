"""The API client against a fault-injecting server (timeouts, GET retries, Retry-After, size caps,
bad bodies) and its cache through Django's cache framework (a TTL, then conditional requests;
locmem, and Redis).
"""

from __future__ import annotations

import os
import socket
import time
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
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
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from tests.apps.api_datasource.conftest import ALL, CAP, Recorder, client
from tests.conftest import LiveServer, Trickle

TTL = 30.0


@pytest.fixture(params=["locmem", "redis"])
def cache(request):
    prefix = f"apidata-tests-{uuid.uuid4().hex}"
    if request.param == "locmem":
        yield LocMemCache(prefix, {})
        return
    url = os.environ.get("SWAPDEMO_TEST_REDIS_URL")
    if not url:
        pytest.skip(
            "set SWAPDEMO_TEST_REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run the cache tests against Redis"
        )
    from django.core.cache.backends.redis import RedisCache

    redis = RedisCache(url, {"KEY_PREFIX": prefix})
    yield redis
    redis.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def setup(cache):
    api = Recorder(TalksAPI(ALL))
    clock = Clock()
    client = ApiClient(make_session(retries=0), cache=cache, ttl=TTL, keep_stale=120, clock=clock)
    with LiveServer(api) as server:
        pages = TestApp(
            make_app(from_environment().replace(api_url=server.url + "/"), client=client), lint=False
        )
        yield pages, api, clock


def test_a_repeated_page_within_the_ttl_makes_no_request(setup) -> None:
    pages, api, clock = setup
    first = pages.get("/", {"page": 2})
    assert len(api.calls) == 2
    clock.now += TTL - 1
    again = pages.get("/", {"page": 2})
    assert again.text == first.text and len(api.calls) == 2
    pages.get("/", {"page": 3})
    assert len(api.calls) == 3, "another page shares the cached count and fetches only its window"


def test_after_the_ttl_an_unchanged_resource_costs_a_304(setup) -> None:
    pages, api, clock = setup
    first = pages.get("/")
    clock.now += TTL + 1
    again = pages.get("/")
    assert again.text == first.text
    assert [call.status for call in api.calls] == [200, 200, 304, 304]
    clock.now += 1
    pages.get("/")
    assert len(api.calls) == 4


def test_after_the_ttl_a_changed_resource_is_fetched_again(setup) -> None:
    pages, api, clock = setup
    gone = ALL[0]
    assert gone.title in pages.get("/").text
    api.app.talks = ALL[1:]
    assert gone.title in pages.get("/").text
    clock.now += TTL + 1
    assert gone.title not in pages.get("/").text
    assert [call.status for call in api.calls] == [200, 200, 200, 200]


def test_the_cache_keys_on_the_whole_url(cache) -> None:
    api = Recorder(TalksAPI(ALL))
    client = ApiClient(make_session(retries=0), cache=cache, ttl=TTL, keep_stale=120)
    with LiveServer(api) as server:
        core = client.get(server.url + "/talks/", [("track", "Core")])
        keynotes = client.get(server.url + "/talks/", [("track", "Keynotes")])
        assert client.get(server.url + "/talks/", [("track", "Core")]) == core
    assert core != keynotes and len(api.calls) == 2


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


def test_an_upstream_that_trickles_is_a_timeout_at_the_total_deadline() -> None:
    with Trickle("body") as upstream:
        client = ApiClient(make_session(retries=0), timeout=(1, 1), total=1.5)
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout, match=r"no complete answer within 1\.5 s"):
            client.get(upstream.url + "/talks/")
    assert time.monotonic() - started < 5
