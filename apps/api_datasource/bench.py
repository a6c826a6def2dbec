"""What reading rows over HTTP costs, side by side: run ``python -m swapdemo.bench --only apidata``.

- one ``requests.Session`` (keep-alive) against a new connection per call,
  and the :class:`~apps.api_datasource.client.ApiClient` on top of the session;
- the whole ``GET /apidata/`` (the first page) through Django: cached, then uncached
  with ``/api`` in this process, then uncached over loopback HTTP;
- the same list page (20 talks and the count, the same template) from SQLite
  against through the API, then the page's data alone.  SQLite is queried
  with :mod:`sqlite3`, sending what the ORM would (``COUNT(*)``, then
  ``LIMIT``/``OFFSET``): an ORM model would need an installed app and a
  database alias in the one settings module.

The API serves the shipped 120 talks under waitress on 127.0.0.1.
"""

from __future__ import annotations

import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import requests
import waitress
from django.core.cache.backends.locmem import LocMemCache
from django.core.paginator import Paginator
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import set_urlconf

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.queryset import ApiQuerySet
from apps.api_datasource.views import TalkFilter
from apps.conference.data import FIELDS, Talk, load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.bench import Comparison, Variant, per_call
from swapdemo.bench_stack import call
from swapdemo.config import from_environment
from wsgi_stack.mount import Mount

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ORDER = ("day", "start", "room")


class _Served:
    """The talks API under waitress in a thread: a comparison's setup starts it, its teardown stops it."""

    api = ""

    def start(self) -> None:
        self.server = waitress.create_server(TalksAPI(load_talks()), host="127.0.0.1", port=0, threads=4)
        self.api = f"http://127.0.0.1:{self.server.effective_port}/"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.server.asyncore.loop(timeout=0.05, map=self.server._map, count=1)

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)
        self.server.close()


def _client(cache: bool = False) -> ApiClient:
    return ApiClient(make_session(), cache=LocMemCache("bench-apidata", {}) if cache else None)


def session_reuse(number: int) -> Comparison:
    served = _Served()
    session, client = make_session(in_process=False), _client()
    return Comparison(
        "apidata: one Session vs a new connection per call (GET /api/talks/1/, loopback)",
        [
            Variant("one requests.Session, keep-alive", per_call(lambda: session.get(served.api + "talks/1/", timeout=5).json(), number)),
            Variant("requests.get: a new connection per call", per_call(lambda: requests.get(served.api + "talks/1/", timeout=5).json(), number)),
            Variant("ApiClient (Session + size cap + checks), no cache", per_call(lambda: client.get(served.api + "talks/1/"), number)),
        ],
        target="keep-alive saves the TCP handshake: the new-connection variant is the slower one",
        setup=served.start,
        teardown=served.stop,
    )


def page_caching(number: int) -> Comparison:
    served, config, api = _Served(), from_environment(), TalksAPI(load_talks())
    apps: dict[str, WSGIApplication] = {
        "cached": Mount({"/api": api, "/apidata": make_app(config, client=_client(cache=True))}),
        "in-process": Mount({"/api": api, "/apidata": make_app(config, client=_client())}),
    }

    def setup() -> None:
        served.start()
        apps["loopback"] = Mount({"/apidata": make_app(config.replace(api_url=served.api), client=_client())})

    return Comparison(
        "apidata: GET /apidata/ through Django, cached vs uncached",
        [
            Variant("cached (TTL 30 s): no HTTP request", per_call(lambda: call(apps["cached"], "/apidata/"), number)),
            Variant("uncached, /api in this process: 2 in-process calls", per_call(lambda: call(apps["in-process"], "/apidata/"), number)),
            Variant("uncached, /api over loopback HTTP: 2 requests", per_call(lambda: call(apps["loopback"], "/apidata/"), number)),
        ],
        rounds=9,
        target="the cache removes both calls; the page's rendering stays",
        setup=setup,
        teardown=served.stop,
    )


class _SqliteTalks:
    """The page's rows from SQLite, asked as the ORM would: ``COUNT(*)``, then ``LIMIT``/``OFFSET``."""

    ordered = True

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM talk").fetchone()[0]

    def __getitem__(self, window: slice) -> list[Talk]:
        rows = self.db.execute(f"SELECT {', '.join(FIELDS)} FROM talk ORDER BY day, start, room, id LIMIT ? OFFSET ?", (window.stop - window.start, window.start))
        return [Talk.from_dict(dict(zip(FIELDS, row, strict=True))) for row in rows]


def _sqlite() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE talk ({', '.join(FIELDS)})")
    db.executemany(f"INSERT INTO talk VALUES ({', '.join('?' * len(FIELDS))})", [tuple(t.to_dict().values()) for t in load_talks()])
    return db


def _page_app(rows: Callable[[WSGIEnvironment], Any]) -> WSGIApplication:
    """A WSGI app rendering the first page of ``rows(environ)`` with the list page's template and paginator."""
    template = get_template("api_datasource/talk_list.html")
    request = RequestFactory().get("/apidata/")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        set_urlconf("apps.api_datasource.urls")
        try:
            page = Paginator(rows(environ), 20).page(1)
            context = {"talk_list": page.object_list, "page_obj": page, "paginator": page.paginator, "is_paginated": True, "filters": TalkFilter({}), "upstream": "-"}
            body = template.render(context, request).encode()
        finally:
            set_urlconf(None)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return app


def _sources(served: _Served) -> dict[str, Callable[[WSGIEnvironment], Any]]:
    """Where page 1's rows come from: SQLite, the API in this process, the API over loopback HTTP."""
    db, client = _sqlite(), _client()

    def api(environ: WSGIEnvironment, base: str | None) -> ApiQuerySet[Talk]:
        return ApiQuerySet(TALKS, base or f"http://{environ['HTTP_HOST']}/api/", client, Adapter()).order_by(*ORDER)

    return {
        "sqlite": lambda environ: _SqliteTalks(db),
        "in-process": lambda environ: api(environ, None),
        "loopback": lambda environ: api(environ, served.api),
    }


def _source_comparison(name: str, number: int, page: Callable[[Callable[[WSGIEnvironment], Any]], WSGIApplication]) -> Comparison:
    make_app(from_environment())  # sets Django up for the template engine
    served = _Served()
    sources = _sources(served)
    apps = {key: Mount({"/api": TalksAPI(load_talks()), "/page": page(source)}) for key, source in sources.items()}
    return Comparison(
        name,
        [
            Variant("SQLite in memory (sqlite3, the ORM's two queries)", per_call(lambda: call(apps["sqlite"], "/page/"), number)),
            Variant("the API in this process (in-process transport)", per_call(lambda: call(apps["in-process"], "/page/"), number)),
            Variant("the API over loopback HTTP (waitress)", per_call(lambda: call(apps["loopback"], "/page/"), number)),
        ],
        rounds=9,
        target="the cost of the swap, as a multiple of SQLite's time",
        setup=served.start,
        teardown=served.stop,
    )


def _rows_app(rows: Callable[[WSGIEnvironment], Any]) -> WSGIApplication:
    """A WSGI app fetching page 1 (the count and 20 typed talks) through Django's Paginator, rendering nothing."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        page = Paginator(rows(environ), 20).page(1)
        body = f"{page.paginator.count} {len(page)}".encode()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    return app


def sqlite_vs_api(number: int) -> list[Comparison]:
    return [
        _source_comparison("apidata: the same list page (the count, 20 talks, the template) from SQLite vs through the API", number, _page_app),
        _source_comparison("apidata: the list page's data alone (the count and 20 talks) from SQLite vs through the API", number * 5, _rows_app),
    ]


def comparisons(quick: bool) -> list[Comparison]:
    number = 20 if quick else 100
    return [session_reuse(number * 2), page_caching(number), *sqlite_vs_api(number)]
