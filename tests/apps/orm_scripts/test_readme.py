"""The README's "Try it" commands, run as written in a fresh data folder: they print what it quotes."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from tests.conftest import ROOT, try_it, try_it_commands

README = ROOT / "apps" / "orm_scripts" / "README.md"


def test_try_it(tmp_path) -> None:
    environ = {**os.environ, "SWAPDEMO_DATA_DIR": str(tmp_path / "data")}
    environ.pop("DATABASE_URL", None)

    def run(line: str) -> str:
        words = shlex.split(line.replace("/tmp/", f"{tmp_path}/"))
        assert words[:2] == ["python", "-m"]
        done = subprocess.run(
            [sys.executable, *words[1:]], env=environ, capture_output=True, text=True, cwd=ROOT
        )
        assert done.returncode == 0, done.stderr
        return (done.stdout + done.stderr).replace(f"{tmp_path}/", "/tmp/")

    commands = try_it_commands(README)
    generated, imported, report = try_it(README)
    assert len(commands) == 3
    assert generated.quoted[0] in run(commands[0])
    first = run(commands[1])
    assert imported.quoted[0] in first and "talks in the database: 0 -> 1,000" in first
    assert "talks in the database: 1,000 -> 1,000" in run(commands[1])  # run again: the same rows
    printed = run(commands[2])
    assert all(title in printed for title in report.quoted)
    assert re.findall(r"^\s+total\s+([\d,]+)", printed, re.M) == ["1,000"] * 3
