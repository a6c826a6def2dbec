"""PostgreSQL only: ``refresh`` rebuilds the materialized view while readers keep reading it.

``REFRESH MATERIALIZED VIEW CONCURRENTLY`` holds an EXCLUSIVE lock on the view while it works,
and EXCLUSIVE does not conflict with the ACCESS SHARE lock a SELECT takes.  To look inside a
refresh, the test holds the talk table locked so the refresh stops part-way, with its lock on
the view taken (seen in ``pg_locks``), and reads the view meanwhile.  A plain ``REFRESH`` in the
same spot takes ACCESS EXCLUSIVE, and the same read fails on its ``lock_timeout``.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import TYPE_CHECKING

import pytest

from apps.conference.data import DATA_FILE, generate, load_talks
from tests.apps.test_orm_scripts import (
    ROOT,
    TEST_DATABASE_URL,
    Script,
    postgres_script,
    write,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    import psycopg

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests"
)

TALKS_IN_SUMMARY = "SELECT sum(talks)::int FROM orm_scripts_talk_summary WHERE kind = 'track'"
LOCKS = """
    SELECT relation::regclass::text, mode, granted FROM pg_locks
     WHERE pid <> pg_backend_pid()
       AND relation IN ('orm_scripts_talk'::regclass, 'orm_scripts_talk_summary'::regclass)
"""


@pytest.fixture
def script(tmp_path: Path) -> Iterator[Script]:
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


def test_refresh_concurrently_lets_readers_read_the_view_while_it_runs(
    script: Script, tmp_path: Path
) -> None:
    script("import", DATA_FILE)
    script("import", write(tmp_path / "more.jsonl", generate(500)), "--no-refresh")
    with connect(script) as blocker, connect(script) as reader, connect(script, autocommit=True) as monitor:
        # A bound, not a timing: a reader that does get blocked fails here instead of hanging the test.
        reader.execute("SET lock_timeout = '20s'")
        assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
        blocker.execute("LOCK TABLE orm_scripts_talk IN ACCESS EXCLUSIVE MODE")
        with subprocess.Popen(
            script.command("refresh"), env=script.env, cwd=ROOT, stdout=subprocess.PIPE, text=True
        ) as refreshing:
            try:
                wait_for_lock(
                    monitor, ("orm_scripts_talk", "AccessShareLock", False), lambda: refreshing.poll() is None
                )
                assert ("orm_scripts_talk_summary", "ExclusiveLock", True) in monitor.execute(
                    LOCKS
                ).fetchall()
                assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
                with connect(script) as newcomer:
                    assert newcomer.execute(TALKS_IN_SUMMARY).fetchone() == (len(load_talks()),)
                blocker.commit()
                assert refreshing.wait(timeout=120) == 0
                assert "refreshed the summary" in refreshing.stdout.read()
            finally:
                refreshing.kill()
        assert reader.execute(TALKS_IN_SUMMARY).fetchone() == (500,)


def test_a_plain_refresh_in_the_same_spot_blocks_the_reader(script: Script) -> None:
    import psycopg

    script("import", DATA_FILE)
    with (
        connect(script) as blocker,
        connect(script) as refresher,
        connect(script) as reader,
        connect(script, autocommit=True) as monitor,
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
