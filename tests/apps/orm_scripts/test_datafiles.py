"""Talk files read one talk at a time, in-process: streamed, bad rows with their line, unreadable
files as errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.conference.data import generate, load_talks
from apps.orm_scripts.datafiles import BadRow, DataFileError, TalkFile
from tests.apps.orm_scripts.conftest import write


def test_reading_is_streamed_not_loaded_whole(tmp_path: Path) -> None:
    for suffix in (".csv", ".jsonl", ".json"):
        source = TalkFile(write(tmp_path / f"big{suffix}", generate(10_000)))
        talks = iter(source)
        assert next(talks) == next(generate(1))
        assert source.position < source.size / 20, suffix


def test_bad_rows_come_with_the_line_they_start_on(tmp_path: Path) -> None:
    good = load_talks()[0].to_dict()
    csv_file = tmp_path / "talks.csv"
    csv_file.write_text(
        "id,title,speaker,track,room,day,start,duration,level,abstract\n"
        '1,A,B,Core,Salon A,2009-09-08,10:00,40,beginner,"two\nlines"\n'
        "2,A,B,Core,Salon A,2009-09-08,11:00,forty,beginner,x\n"
        "3,A,B,Core,Salon A,2009-09-08,12:00,40,beginner\n"
        "4,A,B,Core,Salon A,2009-09-32,13:00,40,beginner,x\n",
        encoding="utf-8",
    )
    bad = [item for item in TalkFile(csv_file) if isinstance(item, BadRow)]
    assert [(row.line, row.reason.split(":")[0]) for row in bad] == [
        (4, "talk field 'duration' is invalid"),
        (5, "expected 10 values, one per column of the header"),
        (6, "talk field 'day' is invalid"),
    ]
    assert (
        str(bad[0])
        == f"{csv_file}:4: talk field 'duration' is invalid: expected a positive integer, got 'forty'"
    )
    lines = tmp_path / "talks.jsonl"
    lines.write_text(
        "\n".join([json.dumps(good), "{not json", "", json.dumps(good | {"level": "expert"}), "[1]"]) + "\n"
    )
    assert [(row.line, row.reason[:20]) for row in TalkFile(lines) if isinstance(row, BadRow)] == [
        (2, "not JSON: Expecting "),
        (4, "talk field 'level' i"),
        (5, "expected an object w"),
    ]
    array = tmp_path / "talks.json"
    array.write_text(json.dumps([good, good | {"id": 0}, good], indent=2))
    assert [row.line for row in TalkFile(array) if isinstance(row, BadRow)] == [14]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("talks.txt", "", "unknown format"),
        ("talks.csv", "id,title\n1,x\n", ":1: the header must name the columns"),
        ("talks.json", '[\n  {"id": 1},\n', ":3: the JSON array is not closed"),
        ("talks.json", '[\n  {"id": 1} {"id": 2}\n]', ":2: expected ',' or ']'"),
    ],
)
def test_a_file_that_cannot_be_read_as_talks_is_an_error_not_a_row(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataFileError, match=message):
        list(TalkFile(path))
