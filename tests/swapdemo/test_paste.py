"""``stack.ini`` (PasteDeploy) is the same stack: loaded here, and served by pserve."""

from __future__ import annotations

import re
from pathlib import Path
from wsgiref.validate import validator

import requests
from paste.deploy import loadapp
from webtest import TestApp

import swapdemo.paste
from swapdemo.kernel.config import from_environment
from swapdemo.stack import layers
from tests.conftest import ROOT, run_server


def test_stack_ini_is_the_same_stack_and_serves_the_landing_page() -> None:
    ini = (ROOT / "stack.ini").read_text()
    pipeline = re.search(r"^pipeline = (.+)$", ini, re.M).group(1).split()
    on = from_environment().replace(profile=True, postmortem=True)
    assert [getattr(swapdemo.paste, name).__name__ for name in pipeline[:-1]] == [
        layer.__name__ for layer, _ in layers(on)
    ]
    assert pipeline[-1] == "demos"
    app = loadapp(f"config:{ROOT / 'stack.ini'}")
    response = TestApp(validator(app), lint=False).get("/")
    assert "swapdemo" in response.text and response.headers["X-Request-ID"]


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
