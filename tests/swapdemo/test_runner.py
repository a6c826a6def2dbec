"""The runner every server entry point shares: X-Forwarded-Proto from the trusted proxy only, and
a warning for a profiler behind a proxy without a token.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from swapdemo.servers import free_port
from tests.conftest import ROOT, run_server
from wsgi_stack.profile_store import SUFFIX


@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_tls_proxy_the_runner_takes_x_forwarded_proto_from_the_trusted_proxy_only(
    trusted: bool, tmp_path: Path
) -> None:
    env = {"SWAPDEMO_HTTPS": "1", "SWAPDEMO_SECRET_KEY": "k" * 50, "SWAPDEMO_DATA_DIR": str(tmp_path)}
    if trusted:
        env["SWAPDEMO_TRUSTED_PROXY"] = "127.0.0.1"
    log = tmp_path / "server.log"
    with run_server(["-m", "swapdemo.jinja", "--port", "{port}"], "/static/swapdemo.css", log, env) as url:
        proxied = requests.get(
            url + "/jinja/", headers={"X-Forwarded-Proto": "https"}, allow_redirects=False, timeout=10
        )
        plain = requests.get(url + "/jinja/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    if trusted:
        assert proxied.status_code == 200 and "Strict-Transport-Security" in proxied.headers
        assert "SWAPDEMO_TRUSTED_PROXY" not in log.read_text()
    else:
        assert proxied.status_code == 301
        assert "SWAPDEMO_HTTPS=1 without SWAPDEMO_TRUSTED_PROXY" in log.read_text()


def test_the_runner_warns_when_a_profiled_server_behind_a_proxy_has_no_token(tmp_path: Path) -> None:
    env = {
        "SWAPDEMO_TRUSTED_PROXY": "127.0.0.1",
        "SWAPDEMO_SECRET_KEY": "k" * 50,
        "SWAPDEMO_DATA_DIR": str(tmp_path),
    }
    log = tmp_path / "server.log"
    with run_server(["-m", "swapdemo.jinja", "--port", "{port}", "--profile"], "/jinja/", log, env):
        pass
    assert "the profiler is on behind a proxy without SWAPDEMO_PROFILE_TOKEN" in log.read_text()
    with run_server(
        ["-m", "swapdemo.jinja", "--port", "{port}", "--profile"],
        "/jinja/",
        log,
        {**env, "SWAPDEMO_PROFILE_TOKEN": "a-token-of-24-characters"},
    ):
        pass
    assert "SWAPDEMO_PROFILE_TOKEN" not in log.read_text()


def test_the_profiler_s_temporary_folder_goes_away_and_a_chosen_one_stays(tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch), "SWAPDEMO_DATA_DIR": str(tmp_path / "data")}
    log = tmp_path / "server.log"
    with run_server(["-m", "swapdemo.jinja", "--port", "{port}", "--profile"], "/jinja/", log, env) as url:
        requests.get(url + "/jinja/", timeout=10)
        assert [p.name.startswith("swapdemo-profile-") for p in scratch.iterdir()] == [True]
    assert list(scratch.iterdir()) == []
    kept = tmp_path / "stats"
    port = free_port()
    command = [sys.executable, "-m", "swapdemo.jinja", "--port", str(port), "--profile-dir", str(kept)]
    environ = {**os.environ, **env}
    with subprocess.Popen(command, env=environ, cwd=ROOT, stdout=subprocess.PIPE, text=True) as server:
        started = [server.stdout.readline(), server.stdout.readline()]
        requests.get(f"http://127.0.0.1:{port}/jinja/", timeout=10)
        requests.get(f"http://127.0.0.1:{port}/__profile__", timeout=10)
        server.send_signal(signal.SIGTERM)
        stopped = server.communicate(timeout=20)[0]
    assert started[1] == f"swapdemo: profiler stats in {kept}\n" and f"stats kept in {kept}" in stopped
    assert kept.is_dir() and list(kept.glob("*" + SUFFIX)) and list(scratch.iterdir()) == []
