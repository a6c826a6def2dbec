"""Caching through Django's cache framework: a TTL, then conditional requests; locmem, and Redis."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache
from webtest import TestApp

from apps.api_datasource.app import make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.conference.data import load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from tests.apps.test_api_datasource import Recorder
from tests.conftest import LiveServer

ALL = load_talks()
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
