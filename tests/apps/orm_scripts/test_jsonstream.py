"""Reading JSON arrays item by item whatever their layout: one line, pretty-printed, or cut anywhere.

``json.dump(rows, f)`` writes a whole array on one line, so the reader must not wait for the end
of a line: these tests read such a file in little memory, check that a chunk may end anywhere
(inside a string, an escape, a number or a literal) without changing what is read, and that bad
items keep the line they start on.  No Django, no database: everything runs in-process.
"""

from __future__ import annotations

import json
import tracemalloc
from typing import TYPE_CHECKING, Any

import pytest

from apps.conference.data import DATA_FILE, generate, load_talks
from apps.orm_scripts import jsonstream
from apps.orm_scripts.datafiles import BadRow, DataFileError, TalkFile

if TYPE_CHECKING:
    from pathlib import Path


def test_the_shipped_json_array_is_read_one_talk_at_a_time() -> None:
    assert sorted(TalkFile(DATA_FILE), key=lambda t: (t.day, t.start, t.room)) == list(load_talks())


def dump(path: Path, rows: list[Any], **options: Any) -> Path:
    with path.open("w", encoding="utf-8") as out:
        json.dump(rows, out, **options)
    return path


def read(path: Path) -> list[tuple[int, str] | dict[str, Any]]:
    """What a reader sees: a talk as its dict, a bad row as its line and reason."""
    return [
        (item.line, item.reason) if isinstance(item, BadRow) else item.to_dict() for item in TalkFile(path)
    ]


def test_a_one_line_array_of_20k_talks_is_read_whole_in_little_memory(tmp_path: Path) -> None:
    path = dump(tmp_path / "talks.json", [talk.to_dict() for talk in generate(20_000)])
    assert path.read_text(encoding="utf-8").count("\n") == 0 and path.stat().st_size > 5_000_000
    talks = zip(TalkFile(path), generate(20_000), strict=True)
    tracemalloc.start()
    try:
        # Tracing slows Python down several times over, so it watches the first 2,000 talks only.
        for _ in range(2_000):
            read_talk, made = next(talks)
            assert read_talk == made
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, f"reading a {path.stat().st_size:,}-byte line took {peak:,} bytes"
    assert sum(read_talk == made for read_talk, made in talks) == 18_000


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 16, 17, 100])
def test_a_chunk_may_end_anywhere_without_changing_what_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    talks = [talk.to_dict() for talk in generate(3)]
    talks[1] |= {"title": 'Ünïcödé, "quotes" \\ and \U0001f40d', "abstract": "tab\there"}
    others = [1234567, -1.5e-10, float("-inf"), True, None, "a string", [1, [2]]]
    # ensure_ascii writes the snake as a surrogate pair of \\u escapes, for a chunk to split.
    path = dump(tmp_path / "talks.json", [talks[0], *others, talks[1], {}, talks[2]], ensure_ascii=True)
    expected = read(path)
    assert [row for row in expected if isinstance(row, dict)] == talks
    not_a_talk = "expected an object with the talk's fields, got "
    reasons = [row[1].removeprefix(not_a_talk) for row in expected if isinstance(row, tuple)]
    assert reasons == [
        "int",
        "float",
        "float",
        "bool",
        "NoneType",
        "str",
        "list",
        "talk is missing field 'id'",
    ]
    monkeypatch.setattr(jsonstream, "CHUNK", chunk)
    assert read(path) == expected


def test_bad_items_of_a_multi_line_array_are_reported_on_the_line_they_start_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = next(generate(1)).to_dict()
    text = (
        "\n\n  [\n"  # the array opens on line 3
        f"{json.dumps(good)},\n"  # 4
        f"{json.dumps(good)}, {json.dumps(good | {'title': 7})},\n"  # 5: two items on one line
        "\n"  # 6
        f"{json.dumps(good | {'level': 'expert'}, indent=2)},\n"  # 7 to 18: the bad field is on 15
        '{"id":\n\n 0}, "text"\n'  # 19 to 21: an object over three lines, then a string
        "]\n\n"
    )
    path = tmp_path / "talks.json"
    for newline, chunk in [("\n", jsonstream.CHUNK), ("\r\n", jsonstream.CHUNK), ("\n", 3), ("\r\n", 1)]:
        path.write_text(text, encoding="utf-8", newline=newline)
        monkeypatch.setattr(jsonstream, "CHUNK", chunk)
        bad = [(row.line, row.reason.split(":")[0]) for row in TalkFile(path) if isinstance(row, BadRow)]
        assert bad == [
            (5, "talk field 'title' is invalid"),
            (7, "talk field 'level' is invalid"),
            (19, "talk field 'id' is invalid"),
            (21, "expected an object with the talk's fields, got str"),
        ], (newline, chunk)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[\n {"id": 1},\n {"id": 2,\n  "title": }\n]', ":4: not JSON: Expecting value"),
        ('[\n {"id": 1}\n\n {"id": 2}\n]', ":4: expected ',' or ']'"),
        ('[\n {"id": 1},\n {"id": 2}\n]\n\n x', ":4: text after the end of the JSON array"),
        ('[\n {"id": 1},\n {"title": "never closed', ":3: not JSON: Unterminated string"),
        ('[\n {"id": 1},\n\n', ":4: the JSON array is not closed"),
        ('[{"id": 1}, {"id": 2}', ":1: the JSON array is not closed"),
    ],
)
def test_a_broken_array_is_an_error_on_the_right_line_whatever_the_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    path = tmp_path / "talks.json"
    path.write_text(text, encoding="utf-8")
    for chunk in (jsonstream.CHUNK, 1, 4):
        monkeypatch.setattr(jsonstream, "CHUNK", chunk)
        with pytest.raises(DataFileError, match=message):
            list(TalkFile(path))


def test_an_item_longer_than_the_cap_is_an_error_on_the_line_it_starts_on(tmp_path: Path) -> None:
    talk = next(generate(1)).to_dict()
    path = dump(
        tmp_path / "talks.json", [talk, talk | {"abstract": "x" * (2 * jsonstream.MAX_ITEM)}, talk], indent=1
    )
    with pytest.raises(DataFileError, match=r":14: an array item longer than 1,048,576 characters"):
        list(TalkFile(path))


@pytest.mark.parametrize("indent", [None, 0, 2, "\t"])
def test_pretty_printed_and_one_line_arrays_read_the_same_talks(
    tmp_path: Path, indent: int | str | None
) -> None:
    talks = list(generate(500, seed=3))
    path = dump(
        tmp_path / "talks.json", [talk.to_dict() for talk in talks], indent=indent, ensure_ascii=False
    )
    assert list(TalkFile(path)) == talks
