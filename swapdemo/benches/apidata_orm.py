"""The same list page (the count, 20 talks, the template, the paginator) through the ORM and through the API.

Only where the rows come from differs; then the page's data alone.  The ORM side reads
:class:`apps.orm_scripts.models.Talk` from the default database of ``swapdemo.settings``; the
comparison's set-up migrates it and replaces the table's rows with the shipped talks.  The
harness points ``SWAPDEMO_DATA_DIR`` at a temporary folder and ignores ``DATABASE_URL``, so that
is a throwaway SQLite file, unless ``--database-url`` names another database: the rows are
replaced there.  The ORM's connection stays open between calls, as the API side's keep-alive
session does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.db import connections, transaction
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import set_urlconf

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.queryset import ApiQuerySet
from apps.api_datasource.views import TalkFilter
from apps.conference.data import Talk, load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.benches import Comparison, gets
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.site import migrate
from swapdemo.servers import ThreadedServer
from wsgi_stack.mount import Mount

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from django.db.models import QuerySet

    from apps.orm_scripts.models import Talk as TalkRow

ORDER = ("day", "start", "room")


class Served:
    """The talks API under waitress in a thread: a comparison's set-up starts it, its tear-down stops it."""

    api = ""

    def start(self) -> None:
        self.server = ThreadedServer(TalksAPI(load_talks())).start()
        self.api = self.server.url + "/"

    def stop(self) -> None:
        self.server.stop()


def _orm_label() -> str:
    engine = from_environment().database["ENGINE"]
    return (
        "Django ORM, SQLite file"
        if engine.endswith("sqlite3")
        else f"Django ORM, {engine.rsplit('.', 1)[-1]}"
    )


def _load_orm_talks() -> None:
    """Migrate the default database and make its talk table hold exactly the talks the API serves."""
    # Imported here, not at the top: defining a model needs the app registry, ready only after set-up.
    from apps.orm_scripts import models

    migrate(from_environment())
    with transaction.atomic():
        models.Talk.objects.all().delete()
        models.Talk.objects.bulk_create(models.Talk.from_row(talk) for talk in load_talks())


def _page_app(rows: Callable[[WSGIEnvironment], Any]) -> WSGIApplication:
    """A WSGI app rendering page 1 of ``rows(environ)`` with the list page's template and paginator."""
    template = get_template("api_datasource/talk_list.html")
    request = RequestFactory().get("/apidata/")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        set_urlconf("apps.api_datasource.urls")
        try:
            page = Paginator(rows(environ), 20).page(1)
            context = {
                "talk_list": page.object_list,
                "page_obj": page,
                "paginator": page.paginator,
                "is_paginated": True,
                "filters": TalkFilter({}),
                "upstream": "-",
            }
            body = template.render(context, request).encode()
        finally:
            set_urlconf(None)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return app


def _sources(served: Served) -> dict[str, Callable[[WSGIEnvironment], Any]]:
    """Where page 1's rows come from: the ORM, the API in this process, the API over loopback HTTP."""
    from apps.orm_scripts import models

    client = ApiClient(make_session())

    def orm(environ: WSGIEnvironment) -> QuerySet[TalkRow]:
        return models.Talk.objects.order_by(*ORDER)

    def api(environ: WSGIEnvironment, base: str | None) -> ApiQuerySet[Talk]:
        return ApiQuerySet(TALKS, base or f"http://{environ['HTTP_HOST']}/api/", client, Adapter()).order_by(
            *ORDER
        )

    return {
        "orm": orm,
        "in-process": lambda environ: api(environ, None),
        "loopback": lambda environ: api(environ, served.api),
    }


def _source_comparison(
    name: str, number: int, page: Callable[[Callable[[WSGIEnvironment], Any]], WSGIApplication]
) -> Comparison:
    served = Served()
    apps: dict[str, WSGIApplication] = {}

    # Built when the comparison runs, not when it is listed: --only leaves the database alone.
    def setup() -> None:
        make_app(from_environment())  # sets Django up: the template engine and the models
        _load_orm_talks()
        served.start()
        apps.update(
            {
                key: Mount({"/api": TalksAPI(load_talks()), "/page": page(source)})
                for key, source in _sources(served).items()
            }
        )

    def teardown() -> None:
        served.stop()
        connections.close_all()

    labels = {
        "orm": f"{_orm_label()} (COUNT, then LIMIT 20)",
        "in-process": "the API in this process (in-process transport)",
        "loopback": "the API over loopback HTTP (waitress)",
    }
    return Comparison(
        name,
        gets(apps, labels, "/page/", number),
        rounds=9,
        target="the cost of the swap, as a multiple of the ORM's time",
        setup=setup,
        teardown=teardown,
    )


def _rows_app(rows: Callable[[WSGIEnvironment], Any]) -> WSGIApplication:
    """A WSGI app fetching page 1 (the count, 20 typed talks) through Django's Paginator; no template."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        page = Paginator(rows(environ), 20).page(1)
        body = f"{page.paginator.count} {len(page)}".encode()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    return app


def orm_vs_api(number: int) -> list[Comparison]:
    return [
        _source_comparison(
            "apidata: the same list page (the count, 20 talks, the template), Django ORM vs API",
            number,
            _page_app,
        ),
        _source_comparison(
            "apidata: the list page's data alone (the count and 20 talks), Django ORM vs API",
            number * 5,
            _rows_app,
        ),
    ]
