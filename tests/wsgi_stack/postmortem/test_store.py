"""Crashes grouped and capped, written whole, in a folder or a database every worker sees."""

from __future__ import annotations

import io
import json
import os
import threading

import pytest

from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.snapshot import take
from wsgi_stack.postmortem.sqlstore import SqlStore
from wsgi_stack.postmortem.store import SAMPLES, FileStore

ENVIRON = {"REQUEST_METHOD": "GET", "PATH_INFO": "/x", "QUERY_STRING": "", "wsgi.input": io.BytesIO()}


def snapshot(kind: type[Exception] = ValueError, request_id: str = "r") -> dict:
    try:
        raise kind("boom")
    except Exception as exc:
        return take(exc, {**ENVIRON, "wsgi_stack.request_id": request_id}, Redactor())


def test_a_thousand_identical_crashes_are_one_group_with_a_count_and_the_last_samples(tmp_path) -> None:
    store = FileStore(tmp_path)
    one = snapshot()
    for number in range(1000):
        store.save(
            {
                **one,
                "id": f"20260101T000000-{number:012x}",
                "request": {**one["request"], "request_id": str(number)},
            }
        )
    (group,) = store.groups()
    assert group.count == 1000 and group.request_ids[-1] == "999" and len(group.samples) == SAMPLES
    files = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("."))
    assert len(files) == SAMPLES + 1  # the samples and the index; nothing half-written
    assert store.load(group.samples[-1])["request"]["request_id"] == "999"
    assert oct(tmp_path.stat().st_mode & 0o777) == "0o700"


def test_the_oldest_groups_go_first_when_the_caps_are_reached(tmp_path) -> None:
    store = FileStore(tmp_path, max_groups=2)
    kinds = [ValueError, KeyError, TypeError]
    for kind in kinds:
        store.save(snapshot(kind))
    assert [g.title.split(":")[0] for g in store.groups()] == ["TypeError", "KeyError"]
    small = FileStore(tmp_path / "small", max_bytes=1)
    small.save(snapshot(ValueError))
    assert small.groups() == [] or len(list((tmp_path / "small").glob("2*.json"))) <= 1


def test_two_writers_at_once_keep_the_count_exact(tmp_path) -> None:
    one = snapshot()

    def write(offset: int) -> None:
        store = FileStore(tmp_path)
        for number in range(100):
            store.save({**one, "id": f"20260101T000000-{offset + number:012x}"})

    threads = [threading.Thread(target=write, args=(offset,)) for offset in (0, 1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert FileStore(tmp_path).groups()[0].count == 200


def test_a_bad_id_reads_nothing(tmp_path) -> None:
    store = FileStore(tmp_path)
    assert store.load("../../etc/passwd") is None and store.load("nope") is None


PG = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")


@pytest.mark.skipif(not PG, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL store")
def test_the_database_store_groups_counts_and_caps(tmp_path) -> None:
    import uuid

    import psycopg

    name = f"swapdemo_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG.rsplit("/", 1)[0] + "/" + name
        store = SqlStore(lambda: psycopg.connect(url), max_groups=2)
        one = snapshot()

        def write(offset: int) -> None:
            for number in range(20):
                store.save({**one, "id": f"20260101T000000-{offset + number:012x}"})

        threads = [threading.Thread(target=write, args=(offset,)) for offset in (0, 100)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        (group,) = store.groups()
        assert group.count == 40 and len(group.samples) == SAMPLES
        assert json.dumps(store.load(group.samples[-1])["exceptions"]) == json.dumps(one["exceptions"])
        store.save(snapshot(KeyError))
        store.save(snapshot(TypeError))
        assert [g.title.split(":")[0] for g in store.groups()] == ["TypeError", "KeyError"]
        with psycopg.connect(url) as db:
            assert db.execute("SELECT count(*) FROM postmortem_snapshot").fetchone()[0] == 2
    finally:
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
