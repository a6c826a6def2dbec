"""The talks API's query language: every lookup, search and ordering, and JSON 400s naming a bad
parameter.
"""

from __future__ import annotations

import pytest

from tests.conftest import TALKS


def titles(response) -> list[str]:
    return [row["title"] for row in response.json["results"]]


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
