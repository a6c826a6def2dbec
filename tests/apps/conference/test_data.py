"""The shared conference data: the shipped talks, the `Talk` row, and the generator."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from itertools import combinations, islice
from typing import TYPE_CHECKING

import pytest

from apps.conference import Talk, generate, load_talks
from apps.conference.data import DATA_FILE, FIELDS, LEVELS

if TYPE_CHECKING:
    from collections.abc import Iterable

DAY_TWO = dt.date(2009, 9, 9)
DJANGOCON_2009_DAY_TWO = {
    "Toward a new self-definition for open source": "Ian Bicking",
    "Using Django in Non-Standard Ways": "Eric Florenzano",
    "The Real Time Web": "Chris Wanstrath",
    "Pluggable Applications": "Nowell Strite and Shawn Rider",
    "Making Your PostgreSQL Database Sing": "Frank Wiles",
    "Dive into CPython Bytecode": "Alex Gaynor",
}


def assert_no_room_overlaps(talks: Iterable[Talk]) -> None:
    by_room_day: defaultdict[tuple[str, dt.date], list[Talk]] = defaultdict(list)
    for talk in talks:
        by_room_day[talk.room, talk.day].append(talk)
    for booked in by_room_day.values():
        for a, b in combinations(sorted(booked, key=lambda talk: talk.start), 2):
            assert a.end <= b.start, f"{a.title!r} overlaps {b.title!r} in {a.room} on {a.day}"


def valid_row() -> dict[str, object]:
    return load_talks()[0].to_dict()


def test_djangocon_2009_day_two_talks_are_in_the_schedule() -> None:
    day_two = {talk.title: talk for talk in load_talks() if talk.day == DAY_TWO}
    for title, speaker in DJANGOCON_2009_DAY_TWO.items():
        assert title in day_two, title
        assert day_two[title].speaker == speaker
    assert day_two["Toward a new self-definition for open source"].track == "Keynotes"
    assert day_two["Dive into CPython Bytecode"].track == "Lightning"
    assert day_two["Dive into CPython Bytecode"].duration == 5


def test_schedule_has_about_120_talks_over_three_days_and_several_tracks() -> None:
    talks = load_talks()
    assert 100 <= len(talks) <= 150
    assert {talk.day for talk in talks} == {dt.date(2009, 9, d) for d in (8, 9, 10)}
    assert len({talk.track for talk in talks}) >= 3
    assert {talk.level for talk in talks} == set(LEVELS)


def test_ids_are_unique_and_run_from_one() -> None:
    ids = [talk.id for talk in load_talks()]
    assert sorted(ids) == list(range(1, len(ids) + 1))


def test_talks_sit_between_nine_and_six_without_double_booking_a_room() -> None:
    talks = load_talks()
    assert all(dt.time(9) <= talk.start < talk.end <= dt.time(18) for talk in talks)
    assert_no_room_overlaps(talks)


def test_talks_are_sorted_and_read_once() -> None:
    talks = load_talks()
    assert list(talks) == sorted(talks, key=lambda talk: (talk.day, talk.start, talk.room))
    assert load_talks() is talks


def test_dataset_keeps_non_ascii_text() -> None:
    text = " ".join(talk.title + talk.speaker for talk in load_talks())
    assert "Déjà vu" in text
    assert "José Álvarez" in text
    assert "日本語" in text


def test_every_talk_round_trips_through_a_dict() -> None:
    for talk in load_talks():
        row = talk.to_dict()
        assert list(row) == list(FIELDS)
        assert json.loads(json.dumps(row)) == row
        assert Talk.from_dict(row) == talk


def test_to_dict_matches_the_shipped_json() -> None:
    rows = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert sorted(rows, key=lambda row: row["id"]) == [talk.to_dict() for talk in load_talks()]


def test_end_adds_the_duration() -> None:
    talk = Talk.from_dict(valid_row() | {"start": "11:35", "duration": 40})
    assert talk.end == dt.time(12, 15)


def test_talks_are_immutable() -> None:
    talk = load_talks()[0]
    with pytest.raises(AttributeError):
        talk.title = "Something else"  # type: ignore[misc]  # the point: a frozen dataclass refuses it


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "7"),
        ("id", 0),
        ("id", True),
        ("title", ""),
        ("speaker", None),
        ("day", "09/09/2009"),
        ("start", "9am"),
        ("start", "25:00"),
        ("duration", -5),
        ("level", "expert"),
    ],
)
def test_from_dict_rejects_an_invalid_field_by_name(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"field '{field}'"):
        Talk.from_dict(valid_row() | {field: value})


def test_from_dict_names_a_missing_field() -> None:
    row = valid_row()
    del row["room"]
    with pytest.raises(ValueError, match="missing field 'room'"):
        Talk.from_dict(row)


def test_from_dict_names_an_unknown_field() -> None:
    with pytest.raises(ValueError, match=r"unknown field.*'speakers'"):
        Talk.from_dict(valid_row() | {"speakers": "Two People"})


def test_generate_yields_n_valid_talks_with_ids_one_to_n() -> None:
    talks = list(generate(500, seed=1))
    assert [talk.id for talk in talks] == list(range(1, 501))
    assert all(Talk.from_dict(talk.to_dict()) == talk for talk in talks)
    assert len({talk.day for talk in talks}) >= 3
    assert {talk.track for talk in talks} >= {"Keynotes", "Core", "Ecosystem", "Deployment"}
    assert {talk.level for talk in talks} == set(LEVELS)
    assert len({talk.title for talk in talks}) > 100
    assert_no_room_overlaps(talks)


def test_generate_is_deterministic_per_seed() -> None:
    assert list(generate(200, seed=7)) == list(generate(200, seed=7))
    assert list(generate(200, seed=7)) != list(generate(200, seed=8))
    assert list(generate(50)) == list(generate(50, seed=0))


def test_generate_handles_zero_and_rejects_negative_counts() -> None:
    assert list(generate(0)) == []
    with pytest.raises(ValueError, match="n must be >= 0"):
        generate(-1)


def test_generate_is_lazy() -> None:
    # A billion talks would not fit in memory: only a lazy generator can hand out the first five.
    first = list(islice(generate(10**9), 5))
    assert [talk.id for talk in first] == [1, 2, 3, 4, 5]


def test_generate_makes_a_hundred_thousand_talks_each_in_a_slot_of_its_own() -> None:
    slots = {(talk.day, talk.room, talk.start) for talk in generate(100_000, seed=3)}
    assert len(slots) == 100_000
