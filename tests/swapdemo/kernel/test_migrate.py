"""Hosts starting together on one empty PostgreSQL database migrate it once, one after the other."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PG, ROOT

MIGRATE = (
    "from swapdemo.kernel.config import from_environment; "
    "from swapdemo.kernel.site import migrate, setup_django; setup_django(); migrate(from_environment())"
)


@pytest.mark.skipif(not PG, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests")
def test_three_hosts_starting_together_on_an_empty_database_all_start(fresh_database, tmp_path: Path) -> None:
    import psycopg

    database_url = PG.rsplit("/", 1)[0] + "/" + fresh_database
    hosts = []
    for host in "abc":  # each its own data folder, as on three machines
        environ = {**os.environ, "DATABASE_URL": database_url, "SWAPDEMO_DATA_DIR": str(tmp_path / host)}
        environ.pop("DJANGO_SETTINGS_MODULE", None)
        hosts.append(
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE], cwd=ROOT, env=environ, stderr=subprocess.PIPE, text=True
            )
        )
    errors = [host.communicate(timeout=120)[1] for host in hosts]
    assert [host.returncode for host in hosts] == [0, 0, 0], errors
    with psycopg.connect(database_url) as connection:
        applied = connection.execute(
            "SELECT app, name, count(*) FROM django_migrations GROUP BY 1, 2"
        ).fetchall()
    assert applied and all(count == 1 for _, _, count in applied)
    assert ("oidc_provider", "0001_initial", 1) in applied
