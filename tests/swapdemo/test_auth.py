"""``python -m swapdemo.auth``: the entry point of the sign-in demo."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_python_m_swapdemo_auth_describes_itself() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "swapdemo.auth", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        env={**os.environ},
    )
    assert "python -m swapdemo.auth" in result.stdout and "--port" in result.stdout
