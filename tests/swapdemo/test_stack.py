"""The whole stack: every demo behind the layers, ``python -m swapdemo.stack``, gunicorn, and the
layers and mounts a configuration gives.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from wsgiref.validate import validator

import pytest
import requests
from webtest import TestApp

from swapdemo import registry
from swapdemo.kernel.config import load
from swapdemo.servers import gunicorn
from swapdemo.stack import layers, make_app
from tests.conftest import KEY, ROOT, run_server


def test_whole_stack_passes_wsgiref_validate(config) -> None:
    client = TestApp(validator(make_app(config)), lint=False)
    landing = client.get("/")
    assert "swapdemo" in landing.text and landing.headers["X-Request-ID"]
    assert landing.headers["Server-Timing"].startswith("app;dur=")
    assert client.get("/static/swapdemo.css").content_type == "text/css"
    client.get("/no/such/page", status=404)
    for entry in registry.ENTRIES:
        if entry.prefix and entry.factory:  # /live/ is Tornado's own (python -m swapdemo.realtime)
            assert client.get(entry.prefix + "/").status_int == 200, entry.name


def test_the_stack_makes_its_own_request_id_whatever_the_client_sends(config, caplog) -> None:
    client = TestApp(validator(make_app(config)), lint=False)
    with caplog.at_level(logging.INFO, logger="wsgi_stack.access"):
        response = client.get("/", headers={"X-Request-ID": "forged-by-client"})
    request_id = response.headers["X-Request-ID"]
    assert request_id != "forged-by-client" and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", request_id)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wsgi_stack.access"]
    assert request_id in line and "forged-by-client" not in line


def test_profiler_is_off_by_default_and_its_page_is_404(config) -> None:
    assert not config.profile
    TestApp(validator(make_app(config)), lint=False).get("/__profile__", status=404)


def test_profiler_on_answers_loopback_or_with_a_token_only_token_holders(config) -> None:
    local = TestApp(
        validator(make_app(config.replace(profile=True))),
        lint=False,
        extra_environ={"REMOTE_ADDR": "127.0.0.1"},
    )
    local.get("/")
    assert "repoze.profile" in local.get("/__profile__?sort=cumulative&limit=20").text
    app = make_app(config.replace(profile=True, profile_token="t0ken"))
    for address in ("127.0.0.1", "203.0.113.9"):
        client = TestApp(validator(app), lint=False, extra_environ={"REMOTE_ADDR": address})
        client.get("/__profile__", status=403)
        client.get("/__profile__", headers={"X-Profile-Token": "t0ken"}, status=200)


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_python_m_swapdemo_stack_prints_its_url_serves_and_stops_on_sigterm() -> None:
    with _start(["-m", "swapdemo.stack", "--port", "0"]) as server:
        try:
            for _ in range(20):
                if found := re.search(r"serving .* on (http://127\.0\.0\.1:\d+/)", server.stdout.readline()):
                    break
            url = found.group(1)
            assert "swapdemo" in requests.get(url, timeout=10).text
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
            assert "stopped" in server.stdout.read()
        finally:
            server.kill()


def test_help_describes_the_options() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "swapdemo.stack", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert all(option in result.stdout for option in ("--host", "--port", "--profile"))


@pytest.mark.parametrize("target", [["swapdemo.stack:application"], ["--paste", "stack.ini"]])
def test_gunicorn_serves_the_stack_with_several_workers_and_logs_each_request(
    target: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "gunicorn.log"
    with run_server(gunicorn(target), "/", log) as url:
        response = requests.get(url + "/jinja/", timeout=10)
    assert response.status_code == 200 and "swapdemo" in response.text
    access = [
        line
        for line in log.read_text().splitlines()
        if " wsgi_stack.access " in line and " GET /jinja/ 200 " in line
    ]
    assert access and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO ", access[0]), log.read_text()
    # gunicorn's own lines, the workers' after Django set up included, are UTC and say so.
    own = [line for line in log.read_text().splitlines() if line.startswith("[")]
    assert own and all(re.match(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\]", line) for line in own), own


def test_the_development_provider_is_not_mounted_beside_a_real_one(config) -> None:
    real = config.replace(oidc_issuer="https://id.example.org/realms/demo", oidc_client_id="swapdemo")
    client = TestApp(validator(make_app(real)), lint=False)
    client.get("/idp/.well-known/openid-configuration", status=404)
    assert "/idp/" not in client.get("/").text
    assert client.get("/auth/").status_int == 200
    assert (
        TestApp(validator(make_app(config)), lint=False)
        .get("/idp/.well-known/openid-configuration")
        .json["issuer"]
    )


def test_the_stack_lists_the_profiler_only_when_switched_on(tmp_path: Path) -> None:
    off = load({"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path)})
    on = off.replace(profile=True)
    assert [layer.__name__ for layer, _ in layers(off)] == [
        "RequestId",
        "AccessLog",
        "WithEnviron",
        "ErrorPages",
        "StaticFiles",
    ]
    assert [layer.__name__ for layer, _ in layers(on)] == [
        "RequestId",
        "AccessLog",
        "WithEnviron",
        "ErrorPages",
        "Profiler",
        "StaticFiles",
    ]
