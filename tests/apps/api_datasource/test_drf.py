"""The drf convention: its spelling, and DRF's paging quirks (a cut limit, an overstated count,
pages by number instead of offset).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from apps.api_datasource.app import TALKS
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.drf import DrfAdapter
from apps.api_datasource.errors import BadResponse
from apps.api_datasource.queryset import ApiQuerySet
from tests.apps.api_datasource.conftest import ROWS, Recorder, _json, drf_api, served
from tests.conftest import LiveServer


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
