"""The bench reports what it measured (medians, ratios, spreads), loads a server, spares the user's data."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from swapdemo.bench import isolate
from swapdemo.benches import Comparison, Variant, render, run
from swapdemo.benches.load import python_load
from tests.conftest import LiveServer


def test_ratios_are_per_round_medians_with_their_spread() -> None:
    baseline = itertools.cycle([1.0, 2.0, 4.0])
    doubled = itertools.cycle([2.0, 4.0, 12.0])
    result = run(
        Comparison(
            "demo", [Variant("a", lambda: next(baseline)), Variant("b", lambda: next(doubled))], rounds=3
        )
    )
    a, b = result["rows"]
    assert a["median"] == 2.0 and a["ratio"] == 1.0
    assert b["median"] == 4.0 and (b["ratio"], b["ratio_low"], b["ratio_high"]) == (2.0, 2.0, 3.0)
    table = render(result)
    assert "x2.00" in table and "[2.00–3.00]" in table and "(3 interleaved rounds)" in table


def test_units_and_rates_are_printed_as_such() -> None:
    memory = run(
        Comparison(
            "memory", [Variant("small", lambda: 47.9), Variant("big", lambda: 48.8)], rounds=1, unit="MiB"
        )
    )
    assert "47.9 MiB" in render(memory)
    rate = run(Comparison("rate", [Variant("one", lambda: 1915.0)], rounds=1, rate=True))
    assert "1,915/s" in render(rate)


def test_the_python_load_generator_counts_the_requests_the_server_answered() -> None:
    answered = []

    def app(environ, start_response):
        answered.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    with LiveServer(app) as server:
        rate = python_load(server.url + "/", connections=2, seconds=0.5)
    assert rate > 0
    assert abs(rate * 0.5 - len(answered)) <= 2  # each connection may have one request in flight at the end


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
