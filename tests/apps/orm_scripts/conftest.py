"""Shared by the ORM script tests: the real command against a real database.

The script configures Django itself, and settings are process-global, so everything that
touches a database runs the real command (``python -m swapdemo.orm_script``) in a subprocess,
once on SQLite and once on PostgreSQL when ``SWAPDEMO_TEST_DATABASE_URL`` is set (each test in
a schema of its own, dropped afterwards).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from apps.conference.data import Talk
from apps.orm_scripts import datafiles
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

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
