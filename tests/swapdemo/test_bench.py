"""``python -m swapdemo.bench``: it spares the user's data, and skips a suite whose optional package
is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from swapdemo.bench import isolate


def test_the_bench_leaves_the_users_data_folder_database_and_settings_alone(tmp_path) -> None:
    mine = {
        "SWAPDEMO_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mine.sqlite3'}",
    }
    env = {name: value for name, value in os.environ.items() if not name.startswith("SWAPDEMO_")} | mine
    done = subprocess.run(
        [sys.executable, "-m", "swapdemo.bench", "--quick", "--only", "sign-in"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "sign-in round trip" in done.stdout and "x1.00" in done.stdout
    assert "not used: DATABASE_URL, SWAPDEMO_DATA_DIR" in done.stdout
    assert list(tmp_path.iterdir()) == []


def test_isolate_keeps_the_rest_of_the_environment_and_takes_only_the_database_it_is_given(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    environ = {
        "PATH": "/usr/bin",
        "SWAPDEMO_OIDC_ISSUER": "https://idp.example.org",
        "DATABASE_URL": "postgresql://prod/db",
    }
    assert isolate(environ) == ["DATABASE_URL", "SWAPDEMO_OIDC_ISSUER"]
    assert (
        environ["PATH"] == "/usr/bin"
        and "DATABASE_URL" not in environ
        and "SWAPDEMO_OIDC_ISSUER" not in environ
    )
    data_dir = Path(environ["SWAPDEMO_DATA_DIR"])
    assert data_dir.parent == tmp_path and data_dir.is_dir() and not any(data_dir.iterdir())
    scratch = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    isolate(environ, scratch)
    assert environ["DATABASE_URL"] == scratch


def test_a_suite_whose_optional_package_is_missing_is_skipped_with_the_install_command() -> None:
    missing_webtest = (
        "import sys; sys.modules['webtest'] = None; from swapdemo.bench import main; "
        "sys.exit(main(['--quick', '--only', 'nothing']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", missing_webtest], capture_output=True, text=True, timeout=120, check=True
    )
    assert (
        "skipped swapdemo.benches.auth: it needs webtest, which the test extra installs "
        "(pip install -e '.[test]')" in done.stdout
    )
