"""The /apidata/ pages, Django's ListView and DetailView over the API: the requests they make, filters,
credentials kept off the page, and any upstream failure as a readable 503.
"""

from __future__ import annotations

import base64

import pytest
from webtest import TestApp

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS, make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.queryset import ApiQuerySet
from swapdemo.kernel.config import from_environment
from tests.apps.api_datasource.conftest import ALL, client, expected


@pytest.fixture
def pages(api_server):
    config = from_environment().replace(api_url=api_server.url + "/")
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
    assert pages.get("/talks/99999/", status=404).html.h1.text == "Page not found"
    pages.get("/talks/" + "9" * 20 + "/", status=404)  # no talk, and no question for the API
    assert len(calls) == 2


def test_credentials_in_the_api_url_are_sent_but_never_shown(api_server, calls) -> None:
    with_credentials = api_server.url.replace("http://", "http://reader:api-secret@") + "/"
    config = from_environment().replace(api_url=with_credentials)
    page = TestApp(make_app(config, client=ApiClient(make_session(retries=0))), lint=False).get("/")
    assert f"from {api_server.url}/." in " ".join(page.html.text.split())
    assert "api-secret" not in page.text and "reader" not in page.text
    assert "api-secret" not in repr(
        ApiQuerySet(TALKS, with_credentials, ApiClient(make_session(retries=0)), Adapter())
    )
    assert calls and all(
        call.authorization == "Basic " + base64.b64encode(b"reader:api-secret").decode() for call in calls
    )


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("error", "it answered 500 Internal Server Error: database on fire"),
        ("stall", "no answer within 1 s to connect and 0.5 s between bytes"),
        ("html", "the answer is not JSON"),
        ("shape", "expected {&#x27;count&#x27;: int"),
        ("huge-chunked", "grew past the cap"),
    ],
)
def test_any_upstream_failure_is_a_readable_503_page_naming_the_upstream(
    faulty, kind: str, reason: str
) -> None:
    pages = TestApp(
        make_app(from_environment().replace(api_url=f"{faulty.url}/{kind}/"), client=client(retries=0)),
        lint=False,
    )
    for path in ("/", "/talks/3/"):
        page = pages.get(path, status=503)
        assert page.headers["Retry-After"] == "30"
        assert "The talks API is unavailable" in page.text and f"{faulty.url}/{kind}/talks/" in page.text
        assert reason in page.text and "Traceback" not in page.text
