"""The built-in talks API: read-only JSON routes, a total and a window, ETags, over real HTTP."""

from __future__ import annotations

from wsgiref.validate import validator

import requests
from webtest import TestApp

from apps.talks_api.app import TalksAPI, make_app
from swapdemo.kernel.config import from_environment
from tests.conftest import TALKS, LiveServer


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
