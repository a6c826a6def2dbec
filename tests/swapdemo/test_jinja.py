"""``python -m swapdemo.jinja``: the demo and its static files, stopped by SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import requests


def test_python_m_swapdemo_jinja_serves_the_demo_and_its_static_files_and_stops_on_sigterm() -> None:
    root = Path(__file__).resolve().parents[2]
    with subprocess.Popen(
        [sys.executable, "-m", "swapdemo.jinja", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as server:
        try:
            url = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline()).group(0)
            page = requests.get(url + "jinja/", timeout=10)
            assert page.status_code == 200 and "Conference schedule" in page.text
            assert (
                requests.get(url + "static/swapdemo.css", timeout=10)
                .headers["Content-Type"]
                .startswith("text/css")
            )
            assert 'href="/jinja/"' in requests.get(url, timeout=10).text
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
        finally:
            server.kill()
