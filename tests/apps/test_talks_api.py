"""The built-in talks API: read-only JSON with filters, ordering, a window, a total, ETags and JSON 400s."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest
import requests
from webtest import TestApp

from apps.conference.data import load_talks
from apps.talks_api.app import TalksAPI, make_app
from swapdemo.kernel.config import from_environment
from tests.conftest import LiveServer

TALKS = load_talks()


@pytest.fixture
def api() -> TestApp:
    return TestApp(validator(make_app(from_environment())), lint=False)


def titles(response) -> list[str]:
    return [row["title"] for row in response.json["results"]]


def test_the_index_names_the_collection_and_its_query_language(api) -> None:
    index = api.get("/").json
    assert index["talks"] == "/talks/"
    assert "duration" in index["fields"] and "icontains" in index["lookups"]


def test_the_list_gives_the_total_and_the_window_in_schedule_order(api) -> None:
    page = api.get("/talks/?limit=5&offset=10").json
    assert page["count"] == len(TALKS) and (page["limit"], page["offset"]) == (5, 10)
    assert [row["id"] for row in page["results"]] == [talk.id for talk in TALKS[10:15]]
    assert api.get("/talks/").json["limit"] == 100


def test_one_talk_by_id_and_a_404_in_json_for_a_missing_one(api) -> None:
    talk = TALKS[7]
    assert api.get(f"/talks/{talk.id}/").json == talk.to_dict()
    missing = api.get("/talks/99999/", status=404)
    assert missing.content_type == "application/json" and "nothing at" in missing.json["error"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("track=Core", lambda t: t.track == "Core"),
        ("track__iexact=core", lambda t: t.track == "Core"),
        ("track__in=Core,Deployment", lambda t: t.track in ("Core", "Deployment")),
        ("duration__gt=40", lambda t: t.duration > 40),
        ("duration__gte=40", lambda t: t.duration >= 40),
        ("duration__lt=25", lambda t: t.duration < 25),
        ("duration__lte=25&duration__gte=25", lambda t: t.duration == 25),
        ("day__gte=2009-09-09&start__lt=12:00", lambda t: str(t.day) >= "2009-09-09" and t.start.hour < 12),
        ("title__contains=Django", lambda t: "Django" in t.title),
        ("title__icontains=django", lambda t: "django" in t.title.lower()),
        (
            "not.track=Lightning&not.level__in=advanced",
            lambda t: t.track != "Lightning" and t.level != "advanced",
        ),
        ("id__in=", lambda t: False),
    ],
)
def test_every_lookup_filters_as_documented(api, query: str, expected) -> None:
    page = api.get(f"/talks/?{query}&limit=1000").json
    assert [row["id"] for row in page["results"]] == [t.id for t in TALKS if expected(t)]
    assert page["count"] == sum(1 for t in TALKS if expected(t))


def test_search_and_ordering_by_several_fields(api) -> None:
    found = api.get("/talks/?search=ORM&limit=1000").json["results"]
    assert found and all("orm" in (r["title"] + r["speaker"] + r["abstract"]).lower() for r in found)
    ordered = api.get("/talks/?ordering=-duration,title&limit=1000").json["results"]
    assert [(r["duration"], r["title"]) for r in ordered] == sorted(
        ((r["duration"], r["title"]) for r in ordered), key=lambda p: (-p[0], p[1])
    )


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("colour=red", "colour", "unknown parameter 'colour'"),
        ("duration__between=1", "duration__between", "unknown lookup 'between'"),
        ("duration__icontains=4", "duration__icontains", "applies to text fields"),
        ("duration__gte=long", "duration__gte", "expects a whole number"),
        ("day=tomorrow", "day", "expects a date"),
        ("limit=5000", "limit", "from 0 to 1000"),
        ("offset=-1", "offset", "whole number"),
        ("ordering=-colour", "ordering", "cannot order by 'colour'"),
        ("limit=1&limit=2", "limit", "more than once"),
        ("offset=%C2%B2", "offset", "whole number"),  # "²": str.isdigit() says yes, int() says no
        ("limit=" + "9" * 5000, "limit", "from 0 to 1000"),  # past Python's limit for int(str)
        ("id=" + "1" * 101, "id", "expects a whole number"),
        ("start__gte=9:5", "start__gte", "expects a time"),
        (
            "start__gte=14:00%2B01:00",
            "start__gte",
            "expects a time",
        ),  # a zone: the schedule's times have none
    ],
)
def test_a_bad_parameter_is_a_400_with_a_json_message_naming_it(
    api, query: str, parameter: str, message: str
) -> None:
    response = api.get(f"/talks/?{query}", status=400)
    assert response.content_type == "application/json"
    assert response.json["parameter"] == parameter and message in response.json["error"]


def test_etag_and_if_none_match_give_a_304_until_the_answer_changes() -> None:
    app = TalksAPI(TALKS)
    client = TestApp(validator(app), lint=False)
    first = client.get("/talks/?track=Core")
    etag = first.headers["ETag"]
    assert client.get("/talks/?track=Core").headers["ETag"] == etag
    assert client.get("/talks/?track=Core", headers={"If-None-Match": etag}, status=304).body == b""
    assert client.get("/talks/?track=Core", headers={"If-None-Match": f"W/{etag}"}, status=304)
    assert client.get("/talks/?track=Keynotes", headers={"If-None-Match": etag}).status_int == 200
    app.talks = tuple(talk for talk in TALKS if talk.id != first.json["results"][0]["id"])
    changed = client.get("/talks/?track=Core", headers={"If-None-Match": etag})
    assert changed.status_int == 200 and changed.headers["ETag"] != etag


def test_it_is_read_only_and_answers_head(api) -> None:
    refused = api.post("/talks/", {"title": "x"}, status=405)
    assert refused.headers["Allow"] == "GET, HEAD" and "read-only" in refused.json["error"]
    head = api.head("/talks/?limit=1")
    assert head.body == b"" and int(head.headers["Content-Length"]) > 0


def test_it_answers_over_real_http() -> None:
    with LiveServer(make_app(from_environment())) as server:
        response = requests.get(server.url + "/talks/?level=advanced&limit=3", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
    assert response.json()["count"] == sum(1 for t in TALKS if t.level == "advanced")
    assert len(response.json()["results"]) == 3
