"""The script's command line: help, generate and its output formats, errors as one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apps.conference.data import Talk, generate
from apps.orm_scripts.cli import main
from apps.orm_scripts.datafiles import TalkFile
from tests.apps.orm_scripts.conftest import Script


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


def test_errors_are_one_clear_line_not_a_traceback(tmp_path: Path) -> None:
    script = Script(f"sqlite:///{tmp_path / 'talks.sqlite3'}", tmp_path)
    missing = script("import", tmp_path / "missing.csv", status=1)
    assert missing.stderr.splitlines()[-1] == f"error: {tmp_path / 'missing.csv'}: No such file or directory"
    unreachable = Script("postgresql://nobody@127.0.0.1:9/none", tmp_path)("report", status=1)
    assert unreachable.stderr.startswith("error: database:")
