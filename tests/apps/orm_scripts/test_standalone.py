"""Django without a project: migrations applied on first use (and undone), an SQLite file in the
data folder when no DATABASE_URL is set.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from apps.conference.data import DATA_FILE, load_talks
from tests.apps.orm_scripts.conftest import Script


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


def test_without_database_url_an_sqlite_file_in_the_data_folder_is_used(tmp_path: Path) -> None:
    script = Script("unused", tmp_path / "data")
    del script.env["DATABASE_URL"]
    script("import", DATA_FILE)
    with closing(sqlite3.connect(tmp_path / "data" / "swapdemo.sqlite3")) as connection:
        assert connection.execute("SELECT count(*) FROM orm_scripts_talk").fetchone() == (len(load_talks()),)
