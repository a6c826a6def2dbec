"""The three API conventions, each against a server on 127.0.0.1 that speaks it."""

from __future__ import annotations

import contextlib
import json
import re
from urllib.parse import parse_qs

import pytest
from django.core.paginator import Paginator
from webtest import TestApp

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import ADAPTERS, TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.drf import DrfAdapter
from apps.api_datasource.errors import BadResponse, UnsupportedQuery
from apps.api_datasource.json_server import JsonServerAdapter
from apps.api_datasource.queryset import ApiQuerySet
from apps.conference.data import load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from tests.apps.test_api_datasource import Recorder, expected, ids
from tests.conftest import LiveServer

ROWS = [talk.to_dict() for talk in load_talks()]


def _typed(row_value, text: str):
    return int(text) if isinstance(row_value, int) else text


def _json(start_response, payload, headers=()) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers]
    )
    return [body]


def drf_api(environ, start_response):
    """A DRF list view's answers: django-filter, OrderingFilter, SearchFilter, LimitOffsetPagination."""
    if environ["PATH_INFO"] != "/talks/":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail": "Not found."}']
    query = {
        key: values[-1] for key, values in parse_qs(environ["QUERY_STRING"], keep_blank_values=True).items()
    }
    tests = {
        "exact": lambda a, b: a == _typed(a, b),
        "iexact": lambda a, b: a.lower() == b.lower(),
        "in": lambda a, b: a in [_typed(a, v) for v in b.split(",")],
        "gt": lambda a, b: a > _typed(a, b),
        "gte": lambda a, b: a >= _typed(a, b),
        "lt": lambda a, b: a < _typed(a, b),
        "lte": lambda a, b: a <= _typed(a, b),
        "contains": lambda a, b: b in a,
        "icontains": lambda a, b: b.lower() in a.lower(),
    }
    rows = ROWS
    for key, value in query.items():
        if key not in ("limit", "offset", "ordering", "search"):
            field, _, lookup = key.partition("__")
            rows = [row for row in rows if tests[lookup or "exact"](row[field], value)]
    if query.get("search"):
        rows = [
            row
            for row in rows
            if any(query["search"].lower() in row[f].lower() for f in ("title", "speaker", "abstract"))
        ]
    rows = sorted(rows, key=lambda row: row["id"])
    for name in reversed([n for n in query.get("ordering", "").split(",") if n]):
        rows.sort(key=lambda row: row[name.lstrip("-")], reverse=name.startswith("-"))
    limit = int(query["limit"]) if query.get("limit", "0") != "0" else 10
    offset = int(query.get("offset", 0))
    return _json(
        start_response,
        {
            "count": len(rows),
            "next": None,
            "previous": None,
            "results": rows[offset : offset + min(limit, 100)],
        },
    )


def json_server_api(environ, start_response):
    """json-server 0.17's answers: filters OR-ed when repeated, _gte/_lte/_ne/_like, q, _sort, _start."""
    query = parse_qs(environ["QUERY_STRING"], keep_blank_values=True)
    rows = ROWS
    for key, values in query.items():
        if key.startswith("_") or key == "q":
            continue
        field, _, operator = (
            key.rpartition("_") if key.endswith(("_gte", "_lte", "_ne", "_like")) else (key, "", "")
        )
        value = values[0]
        if operator == "gte":
            rows = [row for row in rows if row[field] >= _typed(row[field], value)]
        elif operator == "lte":
            rows = [row for row in rows if row[field] <= _typed(row[field], value)]
        elif operator == "ne":
            rows = [row for row in rows if str(row[field]) != value]
        elif operator == "like":
            rows = [row for row in rows if re.search(value, str(row[field]), re.IGNORECASE)]
        else:
            rows = [row for row in rows if str(row[field]) in values]
    if "q" in query:
        rows = [row for row in rows if any(query["q"][0].lower() in str(v).lower() for v in row.values())]
    if "_sort" in query:
        fields, orders = query["_sort"][0].split(","), query.get("_order", ["asc"])[0].split(",")
        for field, order in reversed(list(zip(fields, orders, strict=True))):
            rows = sorted(rows, key=lambda row: row[field], reverse=order == "desc")
    headers = []
    if "_limit" in query:
        headers.append(("X-Total-Count", str(len(rows))))
        start = int(query.get("_start", ["0"])[0])
        rows = rows[start : start + int(query["_limit"][0])]
    if environ["PATH_INFO"] != "/talks":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b"{}"]
    return _json(start_response, rows, headers)


SERVERS = {"builtin": TalksAPI(load_talks()), "drf": drf_api, "json-server": json_server_api}


@contextlib.contextmanager
def served(name: str):
    """The server speaking convention ``name`` on 127.0.0.1, and a queryset reading it."""
    recorder = Recorder(SERVERS[name])
    with LiveServer(recorder) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), ADAPTERS[name]())
        yield name, talks, recorder.calls, server.url


@pytest.fixture(params=list(SERVERS))
def style(request):
    with served(request.param) as style:
        yield style


QUERIES = [
    (
        lambda qs: qs.filter(track="Core").order_by("-duration", "title"),
        lambda t: t.track == "Core",
        ("-duration", "title"),
    ),
    (
        lambda qs: qs.filter(level__in=["beginner", "advanced"], duration__gte=40).order_by(
            "day", "start", "room"
        ),
        lambda t: t.level in ("beginner", "advanced") and t.duration >= 40,
        ("day", "start", "room"),
    ),
    (
        lambda qs: qs.filter(title__icontains="django", duration__lte=40).order_by("title"),
        lambda t: "django" in t.title.lower() and t.duration <= 40,
        ("title",),
    ),
    (
        lambda qs: qs.filter(track__iexact="keynotes").order_by("-day"),
        lambda t: t.track == "Keynotes",
        ("-day",),
    ),
]


@pytest.mark.parametrize(("build", "keep", "order"), QUERIES)
def test_each_convention_answers_the_same_queries(style, build, keep, order) -> None:
    _, talks, _calls, _ = style
    assert ids(build(talks)) == expected(keep, order)
    assert build(talks).count() == len(expected(keep, order))


def test_each_convention_pages_consistently_with_two_requests_a_page(style) -> None:
    _, talks, calls, _ = style
    paginator = Paginator(talks.order_by("day", "start", "room"), 25)
    pages = [ids(paginator.page(number)) for number in paginator.page_range]
    assert [talk_id for page in pages for talk_id in page] == expected()
    assert len(calls) == 1 + len(pages), "the count once, then one request a page"


def test_each_convention_finds_one_by_pk_and_searches(style) -> None:
    _name, talks, _, _ = style
    assert talks.get(pk=12).id == 12
    found = list(talks.search("Deploy").order_by("id"))
    assert found and all(
        any("deploy" in text.lower() for text in (t.title, t.speaker, t.abstract, t.track)) for t in found
    )


def test_the_pages_work_with_each_style(style) -> None:
    name, _, _calls, url = style
    config = from_environment().replace(api_url=url, api_style=name)
    pages = TestApp(make_app(config, client=ApiClient(make_session(retries=0))), lint=False)
    listing = pages.get("/", {"track": "core", "order": "longest", "page": 2})
    core = expected(lambda t: t.track == "Core", ("-duration", "day", "start"))
    assert f"{len(core)} talks, page 2" in listing.text
    assert [a["href"].rstrip("/").rsplit("/", 1)[1] for a in listing.html.select("tbody a")] == [
        str(i) for i in core[20:40]
    ]
    assert pages.get("/talks/7/").html.h1.text == next(r["title"] for r in ROWS if r["id"] == 7)


def test_iteration_goes_on_when_the_api_serves_smaller_pages_than_asked_for() -> None:
    # DRF cuts a limit over its max_limit without a word: this server pages by 100, the adapter asks for 500.
    recorder = Recorder(drf_api)
    with LiveServer(recorder) as server:
        talks = ApiQuerySet(
            TALKS, server.url + "/", ApiClient(make_session(retries=0)), DrfAdapter(max_limit=500)
        )
        assert [talk.id for talk in talks] == sorted(row["id"] for row in ROWS)
        assert len(list(talks.all()[10:115])) == 105
    assert [call.params["offset"] for call in recorder.calls] == ["0", "100", "10", "110"]


def _paged_by(size: int, count: int | None = None, honour_offset: bool = True):
    """A drf-shaped API paging by ``size``; it may overstate the count, or ignore offset (page numbers)."""

    def api(environ, start_response):
        query = parse_qs(environ["QUERY_STRING"])
        offset = int(query["offset"][0]) if honour_offset else 0
        rows = sorted(ROWS, key=lambda row: row["id"])[offset : offset + size]
        return _json(
            start_response,
            {"count": len(ROWS) if count is None else count, "next": None, "previous": None, "results": rows},
        )

    return api


def test_an_overstated_count_ends_at_the_first_empty_page() -> None:
    recorder = Recorder(_paged_by(20, count=10**9))
    with LiveServer(recorder) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), DrfAdapter())
        assert [talk.id for talk in talks] == sorted(row["id"] for row in ROWS)
    assert len(recorder.calls) == len(ROWS) // 20 + 1


@pytest.mark.parametrize("total", ["²", "9" * 5000, ""])
def test_a_json_server_total_that_is_not_a_number_is_a_bad_response(total: str) -> None:
    def api(environ, start_response):
        return _json(start_response, ROWS[:5], [("X-Total-Count", total.encode().decode("latin-1"))])

    with LiveServer(api) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), JsonServerAdapter())
        with pytest.raises(BadResponse, match="X-Total-Count"):
            talks.count()


def test_an_api_that_ignores_offset_is_a_bad_response_not_an_endless_loop() -> None:
    with LiveServer(_paged_by(20, honour_offset=False)) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), DrfAdapter())
        with pytest.raises(BadResponse, match="does not page by offset"):
            list(talks)


def test_the_drf_spelling() -> None:
    with served("drf") as (_, talks, calls, _):
        list(
            talks.filter(duration__gte=40, track__in=["Core", "Ecosystem"])
            .search("x")
            .order_by("-day", "title")[5:10]
        )
    assert calls[-1].path == "/talks/"
    assert calls[-1].params == {
        "duration__gte": "40",
        "track__in": "Core,Ecosystem",
        "ordering": "-day,title",
        "search": "x",
        "offset": "5",
        "limit": "5",
    }


def test_the_json_server_spelling() -> None:
    with served("json-server") as (_, talks, calls, _):
        list(
            talks.filter(duration__gte=40, level="beginner")
            .exclude(track="Core")
            .search("x")
            .order_by("-day", "title")[5:10]
        )
    assert calls[-1].path == "/talks"
    assert calls[-1].params == {
        "duration_gte": "40",
        "level": "beginner",
        "track_ne": "Core",
        "q": "x",
        "_sort": "day,title",
        "_order": "desc,asc",
        "_start": "5",
        "_limit": "5",
    }


@pytest.mark.parametrize(
    ("adapter", "build", "message"),
    [
        (
            DrfAdapter(),
            lambda qs: qs.exclude(track="Core"),
            "exclude\\(\\) has no spelling in the drf convention",
        ),
        (DrfAdapter(), lambda qs: qs.filter(duration__gte=25).filter(duration__gte=40), "filtered twice"),
        (
            DrfAdapter(lookups={"track": ["exact"]}),
            lambda qs: qs.filter(duration__gte=25),
            "does not filter duration by gte",
        ),
        (JsonServerAdapter(), lambda qs: qs.filter(duration__gt=25), "json-server has no gt lookup"),
        (
            JsonServerAdapter(),
            lambda qs: qs.filter(title__contains="ORM"),
            "json-server has no contains lookup",
        ),
        (JsonServerAdapter(), lambda qs: qs.exclude(duration__gte=40), "exclude only exact values"),
        (
            JsonServerAdapter(),
            lambda qs: qs.filter(track="Core").filter(track__in=["Core", "Ecosystem"]),
            "json-server would OR them",
        ),
        (Adapter(), lambda qs: qs.filter(track__in=["a,b"]), "cannot contain one"),
        (DrfAdapter(), lambda qs: qs.filter(track=""), "cannot filter by empty or space-padded text"),
        (
            DrfAdapter(),
            lambda qs: qs.filter(track__in=["Core", " Ecosystem"]),
            "cannot filter by empty or space-padded text",
        ),
    ],
)
def test_what_a_convention_cannot_say_is_refused_before_any_request(adapter, build, message) -> None:
    talks = ApiQuerySet(TALKS, "http://127.0.0.1:9/", ApiClient(make_session(retries=0)), adapter)
    with pytest.raises(UnsupportedQuery, match=message):
        build(talks)
