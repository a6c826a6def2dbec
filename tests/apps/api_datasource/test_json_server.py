"""The json-server convention: its spelling, and its X-Total-Count header."""

from __future__ import annotations

import pytest

from apps.api_datasource.app import TALKS
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.errors import BadResponse
from apps.api_datasource.json_server import JsonServerAdapter
from apps.api_datasource.queryset import ApiQuerySet
from tests.apps.api_datasource.conftest import ROWS, _json, served
from tests.conftest import LiveServer


@pytest.mark.parametrize("total", ["²", "9" * 5000, ""])
def test_a_json_server_total_that_is_not_a_number_is_a_bad_response(total: str) -> None:
    def api(environ, start_response):
        return _json(start_response, ROWS[:5], [("X-Total-Count", total.encode().decode("latin-1"))])

    with LiveServer(api) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), JsonServerAdapter())
        with pytest.raises(BadResponse, match="X-Total-Count"):
            talks.count()


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
