"""The streamed import: an idempotent upsert in batches, bad rows skipped (or --strict), rows the
table cannot hold, and an import killed part-way then run again.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

from apps.conference.data import Talk, generate
from apps.orm_scripts.datafiles import TalkFile
from tests.apps.orm_scripts.conftest import Script, expected_report, json_report, write
from tests.conftest import ROOT


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
