"""The report, read from the summary that refresh updates; on PostgreSQL, readers keep reading it
while refresh runs.

``REFRESH MATERIALIZED VIEW CONCURRENTLY`` holds an EXCLUSIVE lock on the view while it works,
and EXCLUSIVE does not conflict with the ACCESS SHARE lock a SELECT takes.  To look inside a
refresh, the test holds the talk table locked so the refresh stops part-way, with its lock on
the view taken (seen in ``pg_locks``), and reads the view meanwhile.  A plain ``REFRESH`` in the
same spot takes ACCESS EXCLUSIVE, and the same read fails on its ``lock_timeout``.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from typing import TYPE_CHECKING

import pytest

from apps.conference.data import DATA_FILE, generate, load_talks
from tests.apps.orm_scripts.conftest import (
    TEST_DATABASE_URL,
    Script,
    expected_report,
    json_report,
    postgres_script,
    write,
)
from tests.conftest import ROOT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import psycopg


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


postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests"
)


TALKS_IN_SUMMARY = "SELECT sum(talks)::int FROM orm_scripts_talk_summary WHERE kind = 'track'"
LOCKS = """
    SELECT relation::regclass::text, mode, granted FROM pg_locks
     WHERE pid <> pg_backend_pid()
       AND relation IN ('orm_scripts_talk'::regclass, 'orm_scripts_talk_summary'::regclass)
"""


@pytest.fixture
def pg_script(tmp_path: Path) -> Iterator[Script]:
    """The command against PostgreSQL only, in a schema of its own."""
    yield from postgres_script(tmp_path)


def connect(script: Script, *, autocommit: bool = False) -> psycopg.Connection:
    import psycopg

    return psycopg.connect(
        TEST_DATABASE_URL, options=f"-c search_path={script.schema}", autocommit=autocommit
    )


def wait_for_lock(
    monitor: psycopg.Connection, lock: tuple[str, str, bool], alive: Callable[[], bool]
) -> None:
    """Wait until ``lock`` (relation, mode, granted) shows in ``pg_locks``, while ``alive()`` holds."""
    deadline = time.monotonic() + 60
    while lock not in (locks := monitor.execute(LOCKS).fetchall()):
        assert alive(), "the refresh ended before it reached the lock"
        assert ("orm_scripts_talk_summary", "AccessExclusiveLock", False) not in locks, (
            "the refresh waits for the reader"
        )
        assert time.monotonic() < deadline, f"no {lock} in pg_locks: {monitor.execute(LOCKS).fetchall()}"
        time.sleep(0.02)


@postgres_only
def test_refresh_concurrently_lets_readers_read_the_view_while_it_runs(
    pg_script: Script, tmp_path: Path
) -> None:
    pg_script("import", DATA_FILE)
    pg_script("import", write(tmp_path / "more.jsonl", generate(500)), "--no-refresh")
    with (
        connect(pg_script) as blocker,
        connect(pg_script) as reader,
        connect(pg_script, autocommit=True) as monitor,
    ):
        # A bound, not a timing: a reader that does get blocked fails here instead of hanging the test.
        reader.execute("SET lock_timeout = '20s'")
        assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
        blocker.execute("LOCK TABLE orm_scripts_talk IN ACCESS EXCLUSIVE MODE")
        with subprocess.Popen(
            pg_script.command("refresh"), env=pg_script.env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        ) as refreshing:
            try:
                wait_for_lock(
                    monitor, ("orm_scripts_talk", "AccessShareLock", False), lambda: refreshing.poll() is None
                )
                assert ("orm_scripts_talk_summary", "ExclusiveLock", True) in monitor.execute(
                    LOCKS
                ).fetchall()
                assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
                with connect(pg_script) as newcomer:
                    assert newcomer.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
                blocker.commit()
                assert refreshing.wait(timeout=120) == 0
                assert "refreshed the summary" in refreshing.stdout.read()
            finally:
                refreshing.kill()
        assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (500,)


@postgres_only
def test_a_plain_refresh_in_the_same_spot_blocks_the_reader(pg_script: Script) -> None:
    import psycopg

    pg_script("import", DATA_FILE)
    with (
        connect(pg_script) as blocker,
        connect(pg_script) as refresher,
        connect(pg_script) as reader,
        connect(pg_script, autocommit=True) as monitor,
    ):
        blocker.execute("LOCK TABLE orm_scripts_talk IN ACCESS EXCLUSIVE MODE")
        refreshing = threading.Thread(
            target=refresher.execute, args=("REFRESH MATERIALIZED VIEW orm_scripts_talk_summary",)
        )
        refreshing.start()
        try:
            wait_for_lock(
                monitor, ("orm_scripts_talk_summary", "AccessExclusiveLock", True), refreshing.is_alive
            )
            reader.execute("SET lock_timeout = '100ms'")
            with pytest.raises(psycopg.errors.LockNotAvailable):
                reader.execute(TALKS_IN_SUMMARY)
        finally:
            blocker.commit()
            refreshing.join(timeout=60)
