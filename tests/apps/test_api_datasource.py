"""The QuerySet-like data source over the built-in API on a real server, and the Django pages on top of it."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
import requests
from django.core.exceptions import (
    ImproperlyConfigured,
    MultipleObjectsReturned,
    ObjectDoesNotExist,
)
from django.core.paginator import Paginator
from webtest import TestApp

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.errors import UnsupportedQuery
from apps.api_datasource.queryset import ApiQuerySet
from apps.conference.data import Talk, load_talks
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from tests.conftest import LiveServer, gunicorn, run_server
from wsgi_stack.mount import Mount

ROOT = Path(__file__).resolve().parents[2]
ALL = load_talks()
SCHEDULE = ("day", "start", "room")


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, str]
    status: int
    in_process: bool
    authorization: str | None = None


class Recorder:
    """A WSGI app wrapped so a test can count and read the requests it answered."""

    def __init__(self, app) -> None:
        self.app, self.calls = app, []

    def __call__(self, environ, start_response):
        def record(status, headers, exc_info=None):
            params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            call = Call(
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                params,
                int(status[:3]),
                environ.get("wsgi_stack.in_process", False),
                environ.get("HTTP_AUTHORIZATION"),
            )
            self.calls.append(call)
            return start_response(status, headers, exc_info)

        return self.app(environ, record)


@pytest.fixture(scope="module")
def served():
    api = Recorder(TalksAPI(ALL))
    with LiveServer(api) as server:
        server.api = api
        yield server


@pytest.fixture
def calls(served):
    served.api.calls.clear()
    return served.api.calls


@pytest.fixture
def talks(served) -> ApiQuerySet[Talk]:
    return ApiQuerySet(TALKS, served.url + "/", ApiClient(make_session(retries=0)), Adapter())


def expected(keep=lambda t: True, order=SCHEDULE) -> list[int]:
    rows = sorted((t for t in ALL if keep(t)), key=lambda t: t.id)
    for name in reversed(order):
        rows.sort(key=lambda t: getattr(t, name.removeprefix("-")), reverse=name.startswith("-"))
    return [t.id for t in rows]


def ids(rows) -> list[int]:
    return [row.id for row in rows]


def test_building_a_query_sends_nothing_and_never_changes_the_original(talks, calls) -> None:
    core = talks.filter(track="Core")
    long_core = core.filter(duration__gte=40).order_by("-duration")
    window = long_core[2:5]
    assert calls == []
    assert ids(core) == expected(lambda t: t.track == "Core")
    assert ids(long_core) == expected(lambda t: t.track == "Core" and t.duration >= 40, ("-duration",))
    assert ids(window) == ids(long_core)[2:5]
    assert ids(talks.order_by(*SCHEDULE)) == expected()


def test_rows_are_typed_talks(talks) -> None:
    talk = talks.get(pk="3")
    assert isinstance(talk, Talk) and talk == next(t for t in ALL if t.id == 3)
    assert talk.end > talk.start


@pytest.mark.parametrize(
    ("lookups", "keep"),
    [
        ({"track": "Core"}, lambda t: t.track == "Core"),
        ({"track__iexact": "core"}, lambda t: t.track == "Core"),
        ({"level__in": ["beginner", "advanced"]}, lambda t: t.level in ("beginner", "advanced")),
        ({"duration__gt": 40}, lambda t: t.duration > 40),
        ({"duration__gte": 40, "duration__lt": 50}, lambda t: 40 <= t.duration < 50),
        ({"duration__lte": 25}, lambda t: t.duration <= 25),
        ({"title__contains": "Django"}, lambda t: "Django" in t.title),
        ({"speaker__icontains": "ALEX"}, lambda t: "alex" in t.speaker.lower()),
        (
            {"day": "2009-09-10", "start__gte": "14:00"},
            lambda t: str(t.day) == "2009-09-10" and t.start.hour >= 14,
        ),
        ({"pk__in": [1, 2, 999]}, lambda t: t.id in (1, 2)),
        ({"duration__gt": -1}, lambda t: True),
        ({"start__gte": dt.time(13, 59, 30)}, lambda t: t.start >= dt.time(13, 59, 30)),
        ({"start__lt": "9:05"}, lambda t: t.start < dt.time(9, 5)),
        ({"pk": 10**20}, lambda t: False),
    ],
)
def test_filter_lookups_are_answered_by_the_api(talks, calls, lookups, keep) -> None:
    assert ids(talks.filter(**lookups).order_by(*SCHEDULE)) == expected(keep)
    assert len(calls) == 1


def test_exclude_and_search(talks) -> None:
    rest = talks.exclude(track="Lightning").exclude(level__in=["advanced"]).order_by(*SCHEDULE)
    assert ids(rest) == expected(lambda t: t.track != "Lightning" and t.level != "advanced")
    found = talks.search("testing").order_by(*SCHEDULE)
    assert ids(found) == expected(
        lambda t: any("testing" in s.lower() for s in (t.title, t.speaker, t.abstract))
    )


def test_order_by_several_fields_and_descending(talks) -> None:
    assert ids(talks.order_by("-duration", "title")) == expected(order=("-duration", "title"))
    assert ids(talks.order_by("level", "-day", "pk")) == expected(order=("level", "-day", "id"))


def test_slices_and_indexes_become_offset_and_limit(talks, calls) -> None:
    ordered = talks.order_by(*SCHEDULE)
    assert ids(ordered[10:13]) == expected()[10:13]
    assert ordered[4].id == expected()[4]
    assert ids(ordered[5:][2:4]) == expected()[7:9]
    assert [(c.params["offset"], c.params["limit"]) for c in calls] == [("10", "3"), ("4", "1"), ("7", "2")]
    with pytest.raises(IndexError):
        ordered[len(ALL)]
    with pytest.raises(ValueError, match="Negative indexing"):
        ordered[-1]
    with pytest.raises(TypeError, match="slice has been taken"):
        ordered[:5].filter(track="Core")
    assert (
        ids(ordered[:5].filter()) == ids(ordered[:5].exclude()) == expected()[:5]
    )  # nothing to filter: as Django


def test_count_exists_first_and_get(talks, calls) -> None:
    core = talks.filter(track="Core")
    assert core.count() == sum(t.track == "Core" for t in ALL)
    assert calls[-1].params["limit"] == "0"
    assert talks[:7].count() == 7 and talks[len(ALL) - 2 :].count() == 2
    assert core.exists() and not talks.filter(track="Nope").exists()
    assert talks.first().id == min(t.id for t in ALL)
    assert talks.order_by("-duration", "-id").first().id == expected(order=("-duration", "-id"))[0]
    assert talks.filter(track="Nope").first() is None
    with pytest.raises(TALKS.DoesNotExist, match="Talk matching query does not exist"):
        talks.get(pk=99999)
    with pytest.raises(TALKS.MultipleObjectsReturned, match=f"it returned {core.count()}!"):
        core.get()
    assert issubclass(TALKS.DoesNotExist, ObjectDoesNotExist) and issubclass(
        TALKS.MultipleObjectsReturned, MultipleObjectsReturned
    )


def test_iteration_fills_a_result_cache_and_pages_through_large_results(served, calls) -> None:
    small_pages = type("SmallPages", (Adapter,), {"max_limit": 50})()
    every = ApiQuerySet(TALKS, served.url + "/", ApiClient(make_session(retries=0)), small_pages).order_by(
        *SCHEDULE
    )
    assert ids(every) == expected()
    assert len(every) == len(ALL) and every and every[3].id == expected()[3] and every.count() == len(ALL)
    assert [c.params["offset"] for c in calls] == ["0", "50", "100"]


def test_an_empty_in_list_matches_nothing_without_a_request(talks, calls) -> None:
    assert list(talks.filter(id__in=[])) == [] and talks.filter(id__in=[]).count() == 0
    assert ids(talks.exclude(id__in=[]).order_by(*SCHEDULE)) == expected()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda qs: qs.filter(colour="red"), "cannot filter talks on 'colour'"),
        (lambda qs: qs.filter(duration__range=(1, 2)), "unsupported lookup 'range'"),
        (lambda qs: qs.filter(duration__icontains="4"), "applies to text fields"),
        (lambda qs: qs.filter(duration="long"), "duration expects int"),
        (lambda qs: qs.filter(day=3), "day expects date"),
        (lambda qs: qs.filter(level__in="beginner"), "takes a list of values"),
        (lambda qs: qs.filter(track__in=["Core, Deployment"]), "cannot contain one"),
        (lambda qs: qs.exclude(track="Core", level="beginner"), "exclude\\(\\) takes one condition"),
        (lambda qs: qs.filter(object()), "Q objects"),
        (lambda qs: qs.order_by("?"), "cannot order talks by '\\?'"),
        (lambda qs: qs.search("a").search("b"), "already called"),
    ],
)
def test_what_the_api_cannot_serve_fails_at_once_without_a_request(talks, calls, build, message) -> None:
    with pytest.raises(UnsupportedQuery, match=message):
        build(talks)
    assert calls == []


def test_djangos_paginator_takes_it_and_a_page_costs_two_requests(talks, calls) -> None:
    paginator = Paginator(talks.filter(duration__gte=25).order_by(*SCHEDULE), 20)
    page = paginator.page(2)
    assert ids(page) == expected(lambda t: t.duration >= 25)[20:40]
    assert page.has_next() and paginator.num_pages == -(-sum(t.duration >= 25 for t in ALL) // 20)
    assert len(calls) == 2


@pytest.fixture
def pages(served):
    config = from_environment().replace(api_url=served.url + "/")
    return TestApp(make_app(config, client=ApiClient(make_session(retries=0))), lint=False)


def test_the_list_page_is_djangos_listview_and_makes_at_most_two_requests(pages, calls) -> None:
    page = pages.get("/", {"page": 3})
    wanted = [t for t in ALL if t.id in expected()[40:60]]
    assert all(talk.title in page.text for talk in wanted)
    assert f"{len(ALL)} talks, page 3 of {-(-len(ALL) // 20)}" in page.text
    assert len(calls) == 2 and all(c.method == "GET" and not c.in_process for c in calls)


def test_the_list_filters_and_orders_through_the_api(pages, calls) -> None:
    page = pages.get("/", {"track": "core", "longest": "40", "order": "longest"})
    keep = expected(lambda t: t.track == "Core" and t.duration <= 40, ("-duration", "day", "start"))
    assert f"{len(keep)} talks" in page.text
    titles = [a.text for a in page.html.select("tbody a")]
    assert titles == [next(t.title for t in ALL if t.id == i) for i in keep[:20]]
    assert calls[-1].params == {
        "track__iexact": "core",
        "duration__lte": "40",
        "ordering": "-duration,day,start",
        "offset": "0",
        "limit": "20",
    }
    assert "Enter a whole number" in pages.get("/", {"longest": "abc"}).text


def test_the_detail_page_is_djangos_detailview(pages, calls) -> None:
    talk = ALL[5]
    page = pages.get(f"/talks/{talk.id}/")
    assert page.html.h1.text == talk.title and talk.abstract in page.text
    assert len(calls) == 1
    assert "Not Found" in pages.get("/talks/99999/", status=404).text
    pages.get("/talks/" + "9" * 20 + "/", status=404)  # no talk, and no question for the API
    assert len(calls) == 2


def test_credentials_in_the_api_url_are_sent_but_never_shown(served, calls) -> None:
    with_credentials = served.url.replace("http://", "http://reader:api-secret@") + "/"
    config = from_environment().replace(api_url=with_credentials)
    page = TestApp(make_app(config, client=ApiClient(make_session(retries=0))), lint=False).get("/")
    assert f"from {served.url}/." in " ".join(page.html.text.split())
    assert "api-secret" not in page.text and "reader" not in page.text
    assert "api-secret" not in repr(
        ApiQuerySet(TALKS, with_credentials, ApiClient(make_session(retries=0)), Adapter())
    )
    assert calls and all(
        call.authorization == "Basic " + base64.b64encode(b"reader:api-secret").decode() for call in calls
    )


def test_a_style_other_than_builtin_needs_an_api_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="needs SWAPDEMO_API_URL"):
        make_app(from_environment().replace(api_style="drf"))


def test_with_api_mounted_in_the_same_process_the_page_reads_it_in_process(calls) -> None:
    api = Recorder(TalksAPI(ALL))
    client = ApiClient(make_session(retries=0))
    with LiveServer(Mount({"/api": api, "/apidata": make_app(from_environment(), client=client)})) as server:
        page = requests.get(server.url + "/apidata/", timeout=10)
        detail = requests.get(server.url + f"/apidata/talks/{ALL[0].id}/", timeout=10)
    assert page.status_code == 200 and ALL[0].title in page.text and detail.status_code == 200
    assert len(api.calls) == 3 and all(c.in_process for c in api.calls)
    assert calls == []


def test_gunicorn_with_two_sync_workers_serves_apidata_under_load_without_timeouts(tmp_path: Path) -> None:
    env = {
        "SWAPDEMO_SECRET_KEY": "tests-only-" + "k" * 40,
        "SWAPDEMO_DATA_DIR": str(tmp_path),
        "SWAPDEMO_API_URL": "",
        "SWAPDEMO_API_STYLE": "",
        "SWAPDEMO_CACHE_URL": "",
    }
    with run_server(
        gunicorn(["swapdemo.stack:application"]), "/api/", tmp_path / "gunicorn.log", env
    ) as base:

        def client(number: int) -> list[tuple[int, bool]]:
            with requests.Session() as session:
                return [
                    (r.status_code, "talks, page" in r.text)
                    for page in range(1, 7)
                    for r in [
                        session.get(
                            f"{base}/apidata/",
                            params={"page": page, "order": ("schedule", "title")[number % 2]},
                            timeout=10,
                        )
                    ]
                ]

        with ThreadPoolExecutor(8) as pool:
            results = [result for answers in pool.map(client, range(8)) for result in answers]
    assert results == [(200, True)] * 48
