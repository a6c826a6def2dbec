"""The ORM in a standalone script: the command line, the streamed import, the report and its view.

The script configures Django itself, and settings are process-global, so everything that
touches a database runs the real command (``python -m swapdemo.orm_script``) in a subprocess,
once on SQLite and once on PostgreSQL when ``SWAPDEMO_TEST_DATABASE_URL`` is set (each test in
a schema of its own, dropped afterwards).  Reading and writing files needs no Django and runs
in-process.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from apps.conference.data import DATA_FILE, Talk, generate, load_talks
from apps.orm_scripts import datafiles
from apps.orm_scripts.cli import main
from apps.orm_scripts.datafiles import BadRow, DataFileError, TalkFile

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

ROOT = Path(__file__).resolve().parents[2]
TEST_DATABASE_URL = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")


class Script:
    """``python -m swapdemo.orm_script`` against one database, and direct SQL to check on it."""

    def __init__(self, url: str, data_dir: Path, schema: str | None = None) -> None:
        self.url, self.schema = url, schema
        self.env = {**os.environ, "DATABASE_URL": url, "SWAPDEMO_DATA_DIR": str(data_dir)}

    def command(self, *args: str | Path) -> list[str]:
        return [sys.executable, "-m", "swapdemo.orm_script", *map(str, args)]

    def __call__(self, *args: str | Path, status: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            self.command(*args), env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == status, done.stderr
        assert "Traceback" not in done.stderr
        return done

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.schema is None:
            with closing(sqlite3.connect(self.url.removeprefix("sqlite:///"), timeout=30)) as connection:
                return connection.execute(sql).fetchall()
        import psycopg

        with psycopg.connect(
            TEST_DATABASE_URL, options=f"-c search_path={self.schema}", autocommit=True
        ) as connection:
            return connection.execute(sql).fetchall()

    def count(self) -> int:
        return self.query("SELECT count(*) FROM orm_scripts_talk")[0][0]


@pytest.fixture(params=["sqlite", "postgresql"])
def script(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Script]:
    if request.param == "sqlite":
        yield Script(f"sqlite:///{tmp_path / 'talks.sqlite3'}", tmp_path)
        return
    if not TEST_DATABASE_URL:
        pytest.skip("set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests")
    yield from postgres_script(tmp_path)


def postgres_script(tmp_path: Path) -> Iterator[Script]:
    import psycopg

    schema = f"orm_scripts_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    try:
        yield Script(
            f"{TEST_DATABASE_URL}{separator}options={quote(f'-c search_path={schema}')}", tmp_path, schema
        )
    finally:
        with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


def write(path: Path, talks: Iterable[Talk]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        datafiles.write(talks, out, datafiles.FORMATS[path.suffix])
    return path


def expected_report(talks: Iterable[Talk]) -> dict[str, Any]:
    talks = list(talks)
    report = {}
    for kind in ("track", "speaker", "day"):
        counts, minutes = Counter(), Counter()
        for talk in talks:
            label = str(getattr(talk, kind))
            counts[label] += 1
            minutes[label] += talk.duration
        report[kind] = {label: (counts[label], minutes[label]) for label in counts}
    return report


def json_report(script: Script) -> dict[str, Any]:
    report = json.loads(script("report", "--format", "json").stdout)
    for section in report.values():
        assert section["total"]["talks"] == sum(row["talks"] for row in section["rows"])
    return {
        kind: {row["label"]: (row["talks"], row["minutes"]) for row in section["rows"]}
        for kind, section in report.items()
    }


# Files, in-process: no database involved.


def test_help_names_every_subcommand_and_the_import_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["--help"])
    assert exit.value.code == 0
    out = capsys.readouterr().out
    assert all(
        command in out for command in ("migrate", "generate", "import", "report", "refresh", "DATABASE_URL")
    )
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert all(option in out for option in ("--strict", "--batch-size", "--progress"))


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".json"])
def test_generate_writes_a_file_that_reads_back_as_the_same_talks(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"talks{suffix}"
    assert main(["generate", "500", "--seed", "7", "-o", str(path)]) == 0
    assert list(TalkFile(path)) == list(generate(500, seed=7))


def test_an_output_file_of_unknown_format_is_refused_before_it_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me\n")
    assert main(["generate", "3", "-o", str(notes)]) == 1
    assert (
        "notes.txt: unknown format; name it .csv, .jsonl or .json, or pass --format"
        in capsys.readouterr().err
    )
    assert notes.read_text() == "keep me\n"
    assert main(["generate", "3", "-o", str(notes), "--format", "csv"]) == 0
    assert notes.read_text().startswith("id,title,") and len(notes.read_text().splitlines()) == 4


def test_generate_writes_json_lines_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [Talk.from_dict(json.loads(line)) for line in lines] == list(generate(3))
    with pytest.raises(SystemExit) as exit:
        main(["generate", "-5"])
    assert exit.value.code == 2 and "expected a whole number of at least 0" in capsys.readouterr().err


def test_the_shipped_json_array_is_read_one_talk_at_a_time() -> None:
    assert sorted(TalkFile(DATA_FILE), key=lambda t: (t.day, t.start, t.room)) == list(load_talks())


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


# The command against a real database (SQLite, then PostgreSQL).


def test_first_use_migrates_and_migrate_can_undo_it(script: Script) -> None:
    first = script("report")
    assert (
        "first use: applied migrations orm_scripts.0001_initial, orm_scripts.0002_talk_summary"
        in first.stderr
    )
    assert "Talks per track" in first.stdout and "total" in first.stdout
    assert "No migrations to apply" in script("migrate").stdout
    assert "Unapplying orm_scripts.0002_talk_summary... OK" in script("migrate", "zero").stdout
    assert "first use" in script("refresh").stderr


def test_import_is_an_idempotent_upsert_and_the_report_counts_it(script: Script, tmp_path: Path) -> None:
    talks = list(generate(1_500, seed=1))
    data = write(tmp_path / "talks.csv", talks)
    first = script("import", data, "--batch-size", "400", "--progress")
    assert (
        "imported 1,500 rows" in first.stdout
        and "in 4 batches" in first.stdout
        and "0 -> 1,500" in first.stdout
    )
    assert "100%" in first.stderr
    assert "1,500 -> 1,500" in script("import", data).stdout
    assert script.query("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM orm_scripts_talk") == [
        (1_500, 1_500, 1, 1_500)
    ]
    assert json_report(script) == expected_report(talks)

    changed = [talk.to_dict() | {"title": "Retitled"} for talk in talks[:10]] + [
        talk.to_dict() for talk in generate(1_510, seed=1)
    ][1_500:]
    more = write(tmp_path / "more.jsonl", map(Talk.from_dict, changed))
    assert "1,500 -> 1,510" in script("import", more).stdout
    assert script.query("SELECT count(*) FROM orm_scripts_talk WHERE title = 'Retitled'") == [(10,)]
    script("export", "-o", tmp_path / "export.csv")
    exported = list(TalkFile(tmp_path / "export.csv"))
    assert exported == [Talk.from_dict(row) for row in changed[:10]] + talks[10:] + list(
        map(Talk.from_dict, changed[10:])
    )


def test_the_report_reads_the_summary_refresh_updates_as_text_csv_or_json(script: Script) -> None:
    script("import", DATA_FILE, "--no-refresh")
    assert json_report(script)["track"] == {}
    assert "refreshed the summary" in script("refresh").stdout
    expected = expected_report(load_talks())
    assert json_report(script) == expected
    csv_lines = script("report", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "kind,label,talks,minutes"
    assert f"total,track,{len(load_talks())},{sum(t.duration for t in load_talks())}" in csv_lines
    assert {line.split(",")[1] for line in csv_lines if line.startswith("day,")} == set(expected["day"])
    text = script("report").stdout
    assert "Talks per speaker" in text and "Eric Florenzano" in text
    assert len(re.findall(rf"^  total +{len(load_talks())} ", text, re.M)) == 3


def test_bad_rows_are_skipped_with_their_line_and_strict_stops_at_the_first(
    script: Script, tmp_path: Path
) -> None:
    lines = [json.dumps(talk.to_dict()) for talk in generate(20)]
    lines[4], lines[11] = "{broken", json.dumps(json.loads(lines[11]) | {"duration": -5})
    data = tmp_path / "talks.jsonl"
    data.write_text("\n".join(lines) + "\n")
    strict = script("import", data, "--strict", "--batch-size", "3", status=1)
    assert f"{data}:5: not JSON" in strict.stderr and "--strict" in strict.stderr
    assert script.count() == 3
    lenient = script("import", data)
    assert (
        f"skipped {data}:5: not JSON" in lenient.stderr
        and f"skipped {data}:12: talk field 'duration'" in lenient.stderr
    )
    assert "(2 bad rows skipped)" in lenient.stdout and script.count() == 18


def test_rows_the_table_cannot_hold_are_bad_rows_and_the_rest_of_their_batch_is_kept(
    script: Script, tmp_path: Path
) -> None:
    good = [talk.to_dict() for talk in generate(5)]
    rows = [
        good[0],
        good[1] | {"title": "x" * 201},
        good[2] | {"id": 10**20},  # past every database's integers
        good[3] | {"abstract": "nul \x00 byte"},  # PostgreSQL refuses NUL in text
        good[4] | {"duration": 40_000},  # past PostgreSQL's smallint; SQLite holds it
    ]
    data = tmp_path / "talks.jsonl"
    data.write_text("".join(json.dumps(row) + "\n" for row in rows))
    done = script("import", data)
    assert (
        f"skipped {data}:2: talk field 'title' is too long for the table: 201 characters, at most 200"
        in done.stderr
    )
    assert f"skipped {data}:3: talk field 'id' is out of the table's range" in done.stderr
    assert f"skipped {data}:4: talk field 'abstract' contains a NUL character" in done.stderr
    on_postgres = script.schema is not None
    assert (
        f"skipped {data}:5: talk field 'duration' is out of the table's range 0..32767: 40000" in done.stderr
    ) is on_postgres
    kept = [good[0]["id"]] + ([] if on_postgres else [good[4]["id"]])
    assert [row[0] for row in script.query("SELECT id FROM orm_scripts_talk ORDER BY id")] == kept


def test_an_id_twice_in_one_batch_keeps_its_last_row(script: Script, tmp_path: Path) -> None:
    first, second = list(generate(2))
    data = write(
        tmp_path / "talks.jsonl",
        [first, second, Talk.from_dict(first.to_dict() | {"title": "Second version"})],
    )
    script("import", data)
    assert script.query("SELECT id, title FROM orm_scripts_talk ORDER BY id") == [
        (1, "Second version"),
        (2, second.title),
    ]


def test_an_import_killed_part_way_then_run_again_has_every_row_exactly_once(
    script: Script, tmp_path: Path
) -> None:
    total, batch = 8_000, 50
    data = write(tmp_path / "talks.jsonl", generate(total))
    script("migrate")
    with subprocess.Popen(
        script.command("import", data, "--batch-size", batch),
        env=script.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    ) as importing:
        try:
            while script.count() < 2 * batch:
                assert importing.poll() is None, "the import finished before it could be killed"
                time.sleep(0.01)
            importing.send_signal(signal.SIGKILL)
        finally:
            importing.kill()
    assert importing.wait() == -signal.SIGKILL
    committed = script.count()
    assert 0 < committed < total and committed % batch == 0, "only whole batches are committed"
    assert f"{committed:,} -> {total:,}" in script("import", data).stdout
    assert script.query("SELECT count(*), count(DISTINCT id) FROM orm_scripts_talk") == [(total, total)]
    assert sum(talks for talks, _ in json_report(script)["day"].values()) == total


def test_without_database_url_an_sqlite_file_in_the_data_folder_is_used(tmp_path: Path) -> None:
    script = Script("unused", tmp_path / "data")
    del script.env["DATABASE_URL"]
    script("import", DATA_FILE)
    with closing(sqlite3.connect(tmp_path / "data" / "swapdemo.sqlite3")) as connection:
        assert connection.execute("SELECT count(*) FROM orm_scripts_talk").fetchone() == (len(load_talks()),)


def test_errors_are_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    script = Script(f"sqlite:///{tmp_path / 'talks.sqlite3'}", tmp_path)
    missing = script("import", tmp_path / "missing.csv", status=1)
    assert missing.stderr.splitlines()[-1] == f"error: {tmp_path / 'missing.csv'}: No such file or directory"
    unreachable = Script("postgresql://nobody@127.0.0.1:9/none", tmp_path)("report", status=1)
    assert unreachable.stderr.startswith("error: database:")
