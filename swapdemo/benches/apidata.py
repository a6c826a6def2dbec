"""What reading rows over HTTP costs, side by side: run ``python -m swapdemo.bench --only apidata``.

- one ``requests.Session`` (keep-alive) against a new connection per call,
  and the :class:`~apps.api_datasource.client.ApiClient` on top of the session;
- the whole ``GET /apidata/`` (the first page) through Django: cached, then uncached
  with ``/api`` in this process, then uncached over loopback HTTP;
- the same list page through the Django ORM against through the API
  (:mod:`swapdemo.benches.apidata_orm`).

The API serves the same 120 talks under waitress on 127.0.0.1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests
from django.core.cache.backends.locmem import LocMemCache

from apps.api_datasource.app import make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.conference.data import load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.benches import Comparison, Variant, gets, per_call
from swapdemo.benches.apidata_orm import Served, orm_vs_api
from swapdemo.kernel.config import from_environment
from wsgi_stack.mount import Mount

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


ORDER = ("day", "start", "room")


def _client(cache: bool = False) -> ApiClient:
    return ApiClient(make_session(), cache=LocMemCache("bench-apidata", {}) if cache else None)


def session_reuse(number: int) -> Comparison:
    served = Served()
    session, client = make_session(in_process=False), _client()
    return Comparison(
        "apidata: one Session vs a new connection per call (GET /api/talks/1/, loopback)",
        [
            Variant(
                "one requests.Session, keep-alive",
                per_call(lambda: session.get(served.api + "talks/1/", timeout=5).json(), number),
            ),
            Variant(
                "requests.get: a new connection per call",
                per_call(lambda: requests.get(served.api + "talks/1/", timeout=5).json(), number),
            ),
            Variant(
                "ApiClient (Session + size cap + checks), no cache",
                per_call(lambda: client.get(served.api + "talks/1/"), number),
            ),
        ],
        target="keep-alive saves the TCP handshake: the new-connection variant is the slower one",
        setup=served.start,
        teardown=served.stop,
    )


def page_caching(number: int) -> Comparison:
    served, config, api = Served(), from_environment(), TalksAPI(load_talks())
    apps: dict[str, WSGIApplication] = {
        "cached": Mount({"/api": api, "/apidata": make_app(config, client=_client(cache=True))}),
        "in-process": Mount({"/api": api, "/apidata": make_app(config, client=_client())}),
    }

    def setup() -> None:
        served.start()
        apps["loopback"] = Mount({"/apidata": make_app(config.replace(api_url=served.api), client=_client())})

    return Comparison(
        "apidata: GET /apidata/ through Django, cached vs uncached",
        gets(apps, _PAGE_VARIANTS, "/apidata/", number),
        rounds=9,
        target="the cache removes both calls; the page's rendering stays",
        setup=setup,
        teardown=served.stop,
    )


_PAGE_VARIANTS = {
    "cached": "cached (TTL 30 s): no HTTP request",
    "in-process": "uncached, /api in this process: 2 in-process calls",
    "loopback": "uncached, /api over loopback HTTP: 2 requests",
}


def comparisons(quick: bool) -> list[Comparison]:
    number = 20 if quick else 100
    return [session_reuse(number * 2), page_caching(number), *orm_vs_api(number)]
