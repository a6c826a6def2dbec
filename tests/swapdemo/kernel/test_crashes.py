"""Capture runs no SQL, on SQLite and on PostgreSQL with the transaction already aborted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT

PG = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")


def capture(tmp_path, database_url: str | None) -> dict:
    env = {**os.environ, "SWAPDEMO_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    done = subprocess.run(
        [sys.executable, "-m", "tests.swapdemo.kernel.zero_sql"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_capture_runs_no_query_with_a_queryset_and_a_lazy_user_in_the_frames(tmp_path) -> None:
    seen = capture(tmp_path, None)
    assert seen["status"] == 500 and seen["count"] == 1
    assert seen["queries"] == 0
    assert seen["locals"] == {"talks": "<QuerySet, not evaluated>", "user": "<lazy object, not evaluated>"}


@pytest.mark.skipif(not PG, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL capture")
def test_capture_runs_no_query_inside_an_aborted_postgresql_transaction(tmp_path) -> None:
    import psycopg

    name = f"swapdemo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        seen = capture(tmp_path, PG.rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert seen["transaction"] == "INERROR"  # the crash happened in an aborted transaction
    assert seen["status"] == 500 and seen["count"] == 1 and seen["queries"] == 0
    assert seen["locals"] == {"talks": "<QuerySet, not evaluated>", "user": "<lazy object, not evaluated>"}
