"""ApiQuerySet over the built-in API on a real server: lazy and chainable, Django's Paginator,
and what the API cannot serve refused before any request.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.core.paginator import Paginator

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.app import TALKS
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.errors import UnsupportedQuery
from apps.api_datasource.queryset import ApiQuerySet
from apps.conference.data import Talk
from tests.apps.api_datasource.conftest import ALL, SCHEDULE, expected, ids


@pytest.fixture
def talks(api_server) -> ApiQuerySet[Talk]:
    return ApiQuerySet(TALKS, api_server.url + "/", ApiClient(make_session(retries=0)), Adapter())


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


def test_iteration_fills_a_result_cache_and_pages_through_large_results(api_server, calls) -> None:
    small_pages = type("SmallPages", (Adapter,), {"max_limit": 50})()
    every = ApiQuerySet(
        TALKS, api_server.url + "/", ApiClient(make_session(retries=0)), small_pages
    ).order_by(*SCHEDULE)
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
