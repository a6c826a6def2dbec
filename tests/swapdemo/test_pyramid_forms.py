"""``python -m swapdemo.pyramid_forms``: the demo alone, without Django's settings module."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import requests

from tests.conftest import ROOT, _environ_without_django_settings


def test_python_m_swapdemo_pyramid_forms_serves_the_demo_alone(tmp_path) -> None:
    command = [sys.executable, "-m", "swapdemo.pyramid_forms", "--port", "0"]
    environ = _environ_without_django_settings(tmp_path)
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    with subprocess.Popen(command, cwd=ROOT, env=environ, **output) as server:
        try:
            started = (
                re.search(r"http://127\.0\.0\.1:\d+/", line) for line in server.stdout
            )  # warnings may come first
            url = next(match for match in started if match).group(0)
            session = requests.Session()
            page = session.get(url + "forms/", timeout=10)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            german = {"Accept-Language": "de"}
            answer = session.post(url + "forms/", data={"csrf_token": token}, headers=german, timeout=10)
            assert answer.status_code == 200 and "Dieses Feld ist zwingend erforderlich." in answer.text
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
        finally:
            server.kill()
