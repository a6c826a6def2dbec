from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from wsgiref.validate import validator

import pytest
import requests
from paste.deploy import loadapp
from webtest import TestApp

import swapdemo.paste
from swapdemo import registry
from swapdemo.__main__ import main as list_demos
from swapdemo.kernel.config import from_environment
from swapdemo.stack import layers, make_app
from tests.conftest import gunicorn, run_server

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def config(tmp_path):
    return from_environment().replace(data_dir=tmp_path)


def test_whole_stack_passes_wsgiref_validate(config) -> None:
    client = TestApp(validator(make_app(config)), lint=False)
    landing = client.get("/")
    assert "swapdemo" in landing.text and landing.headers["X-Request-ID"]
    assert landing.headers["Server-Timing"].startswith("app;dur=")
    assert client.get("/static/swapdemo.css").content_type == "text/css"
    client.get("/no/such/page", status=404)
    for entry in registry.ENTRIES:
        if entry.prefix:
            assert client.get(entry.prefix + "/").status_int == 200, entry.name


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


def test_a_registered_demo_appears_in_the_listing_and_on_the_landing_page(
    config, monkeypatch, capsys
) -> None:
    extra = registry.Entry(
        name="example",
        title="An example swap",
        swaps="the example piece",
        read_first="apps/example/views.py",
        prefix="/example",
    )
    monkeypatch.setattr(registry, "ENTRIES", (*registry.ENTRIES, extra))
    list_demos()
    listed = capsys.readouterr().out
    assert "python -m swapdemo.example" in listed and "An example swap" in listed
    page = TestApp(make_app(config), lint=False).get("/").text
    assert "An example swap" in page and "apps/example/views.py" in page
    for entry in registry.demos():
        assert entry.title in listed and entry.title in page


def test_stack_ini_is_the_same_stack_and_serves_the_landing_page() -> None:
    ini = (ROOT / "stack.ini").read_text()
    pipeline = re.search(r"^pipeline = (.+)$", ini, re.M).group(1).split()
    on = from_environment().replace(profile=True)
    assert [getattr(swapdemo.paste, name).__name__ for name in pipeline[:-1]] == [
        layer.__name__ for layer, _ in layers(on)
    ]
    assert pipeline[-1] == "demos"
    app = loadapp(f"config:{ROOT / 'stack.ini'}")
    response = TestApp(validator(app), lint=False).get("/")
    assert "swapdemo" in response.text and response.headers["X-Request-ID"]


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


def test_pserve_serves_stack_ini(tmp_path: Path) -> None:
    ini = tmp_path / "stack.ini"  # the same file, on a free port instead of 8000
    ini.write_text(
        (ROOT / "stack.ini")
        .read_text()
        .replace("listen = 127.0.0.1:8000", "listen = 127.0.0.1:%(http_port)s")
    )
    with run_server(
        ["-m", "pyramid.scripts.pserve", str(ini), "http_port={port}"], "/", tmp_path / "pserve.log"
    ) as url:
        response = requests.get(url + "/", timeout=10)
    assert response.status_code == 200 and "swapdemo" in response.text


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
        {**env, "SWAPDEMO_PROFILE_TOKEN": "t"},
    ):
        pass
    assert "SWAPDEMO_PROFILE_TOKEN" not in log.read_text()
