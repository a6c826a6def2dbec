"""Twelve planted secrets, three crashing frameworks: 0 of them in the store, the pages, any command's
output or the log, whatever ``DEBUG`` says."""

from __future__ import annotations

import io
import logging
import os
import re
import secrets
import sys

import pytest
from webtest import TestApp

from swapdemo import postmortem
from swapdemo.kernel.config import load
from swapdemo.kernel.site import django_app
from swapdemo.stack import layers
from tests.apps.postmortem.planted import PLANTED, pyramid_app, wsgi_app
from tests.conftest import KEY
from wsgi_stack import build
from wsgi_stack.mount import Mount

PLANTS = {
    "SECRET_KEY": KEY,
    "a DATABASES password": "db-pass-" + secrets.token_urlsafe(12),
    "local api_key": PLANTED["api_key"],
    "local stripe_sk": PLANTED["stripe_sk"],
    "POST password": "correct horse battery staple",
    "Authorization header": "bearer-" + secrets.token_urlsafe(20),
    "session cookie": secrets.token_hex(16),
    "?token=": "query-token-pear-fig-" + secrets.token_hex(4),
    "environment variable": "env-secret-plum-harbor-violet",
    "40-char token in an innocent local": PLANTED["token_40"],
    "nested dict": PLANTED["nested"],
    "object attribute": PLANTED["attribute"],
}
SHELL = ["where", "exceptions", "request", *["locals", "args", "p services", "pp client", "up"] * 60, "quit"]


@pytest.fixture
def crashed(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PAYMENT_API_SECRET", PLANTS["environment variable"])
    config = load(os.environ).replace(data_dir=tmp_path, postmortem=True, debug=True)
    config = config.replace(database={**config.database, "PASSWORD": PLANTS["a DATABASES password"]})
    apps = {
        "/django": django_app("tests.apps.postmortem.planted"),
        "/pyramid": pyramid_app(),
        "/wsgi": wsgi_app,
    }
    environ = {
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "127.0.0.1",
        "planted.db": PLANTS["a DATABASES password"],
        "planted.env": PLANTS["environment variable"],
    }
    visitor = TestApp(build(Mount(apps), layers(config)), extra_environ=environ)
    visitor.set_cookie("sessionid", PLANTS["session cookie"])
    caplog.set_level(logging.DEBUG)
    for prefix in apps:
        visitor.post(
            f"{prefix}/?token={PLANTS['?token=']}&page=2",
            {"password": PLANTS["POST password"], "title": "A talk"},
            headers={"Authorization": f"Bearer {PLANTS['Authorization header']}"},
            status=500,
        )
    return config, visitor, caplog


def run(monkeypatch, capsys, config, *argv: str, stdin: str = "") -> str:
    monkeypatch.setattr(postmortem, "from_environment", lambda: config)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    assert postmortem.main(list(argv)) == 0
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_no_planted_secret_reaches_the_store_the_pages_the_commands_or_the_log(crashed, monkeypatch, capsys):
    config, visitor, caplog = crashed
    seen: dict[str, str] = {}
    for path in sorted((config.data_dir / "postmortem").iterdir()):
        seen[str(path)] = path.read_text(errors="replace")
    listing = visitor.get("/__postmortem__/")
    seen["/__postmortem__/"] = listing.text
    ids = re.findall(r'href="/__postmortem__/([^"]+)"', listing.text)
    assert len(ids) == 3, "one crash per framework"
    for snapshot_id in ids:
        seen[snapshot_id] = visitor.get(f"/__postmortem__/{snapshot_id}").text
        seen[f"show {snapshot_id}"] = run(monkeypatch, capsys, config, "show", snapshot_id)
        seen[f"show --json {snapshot_id}"] = run(monkeypatch, capsys, config, "show", snapshot_id, "--json")
        seen[f"debug {snapshot_id}"] = run(
            monkeypatch, capsys, config, "debug", snapshot_id, stdin="\n".join(SHELL)
        )
        seen[f"replay {snapshot_id}"] = run(
            monkeypatch, capsys, config, "replay", snapshot_id, "--no-debugger"
        )
    seen["list"] = run(monkeypatch, capsys, config, "list")
    seen["log"] = "\n".join(f"{r.getMessage()}\n{r.exc_text or ''}" for r in caplog.records)

    found = {
        (plant, where) for plant, value in PLANTS.items() for where, text in seen.items() if value in text
    }
    assert found == set(), f"{len(found)} leaks"
    # ...and the snapshots are whole: the names are there, their values replaced.
    for snapshot_id in ids:
        show = seen[f"show {snapshot_id}"]
        assert "api_key = ********" in show and "stripe_sk = ********" in show
        assert "note = " in show and "services = " in show and "client = " in show
    assert sum("leaky" in text for text in seen.values()) >= 9
