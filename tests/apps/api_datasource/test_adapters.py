"""The three API conventions, each against a server on 127.0.0.1 that speaks it, and what a
convention cannot say.
"""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from webtest import TestApp

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.drf import DrfAdapter
from apps.api_datasource.errors import UnsupportedQuery
from apps.api_datasource.json_server import JsonServerAdapter
from apps.api_datasource.queryset import ApiQuerySet
from swapdemo.kernel.config import from_environment
from tests.apps.api_datasource.conftest import ROWS, SERVERS, expected, ids, served


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
