"""A cache that stops answering is a miss: pages still answer 200, and the log says so once per outage."""

from __future__ import annotations

import logging
import os
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.cache.backends.redis import RedisCache
from webtest import TestApp

from apps.api_datasource.app import make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from swapdemo.servers import free_port
from tests.apps.api_datasource.conftest import ALL, Recorder
from tests.conftest import LiveServer, TcpProxy

REDIS = os.environ.get("SWAPDEMO_TEST_REDIS_URL")


def _pages(cache: RedisCache, api: Recorder):
    client = ApiClient(make_session(retries=0), cache=cache)
    server = LiveServer(api).start()
    app = make_app(from_environment().replace(api_url=server.url + "/"), client=client)
    return TestApp(app, lint=False), server


def _outages(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "apps.api_datasource" and "cache" in r.getMessage()
    ]


@pytest.mark.skipif(not REDIS, reason="set SWAPDEMO_TEST_REDIS_URL to run the Redis outage test")
def test_redis_stopping_mid_test_is_a_miss_logged_once_and_its_return_is_noticed(caplog) -> None:
    proxy = TcpProxy(urlsplit(REDIS).port or 6379)
    cache = RedisCache(f"redis://127.0.0.1:{proxy.port}/0", {"KEY_PREFIX": uuid.uuid4().hex})
    api = Recorder(TalksAPI(ALL))
    pages, server = _pages(cache, api)
    try:
        pages.get("/")
        pages.get("/")
        assert len(api.calls) == 2, "the second page came from Redis"
        proxy.stop()
        with caplog.at_level(logging.WARNING, logger="apps.api_datasource"):
            for _ in range(3):
                assert pages.get("/").status_int == 200
            assert len(api.calls) == 2 + 3 * 2, "each page asked the API, as with no cache"
            assert _outages(caplog) == [_outages(caplog)[0]]  # one warning for the whole outage
            assert "the cache is not answering" in _outages(caplog)[0]
            proxy = TcpProxy(urlsplit(REDIS).port or 6379, port=proxy.port)  # Redis is back
            pages.get("/")
            assert len(api.calls) == 2 + 3 * 2, "served from Redis again, which kept the page"
            assert _outages(caplog)[-1] == "the cache answers again"
    finally:
        proxy.stop()
        server.stop()
        cache.close()


def test_a_redis_url_where_nothing_listens_is_a_miss(caplog) -> None:
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", {})
    api = Recorder(TalksAPI(ALL))
    pages, server = _pages(cache, api)
    try:
        with caplog.at_level(logging.WARNING, logger="apps.api_datasource"):
            assert [pages.get("/").status_int for _ in range(3)] == [200, 200, 200]
        assert len(api.calls) == 6 and len(_outages(caplog)) == 1
    finally:
        server.stop()
