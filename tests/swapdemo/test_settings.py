"""The settings module: what Django's deployment checks say of it."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import ROOT


def _check_deploy(**extra: str) -> str:
    env = {**os.environ, "SWAPDEMO_SECRET_KEY": "a-long-random-deploy-key-" + "q7" * 30, **extra}
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--settings=swapdemo.settings"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    return result.stdout + result.stderr


def test_check_deploy_reports_only_the_https_items_when_not_behind_tls() -> None:
    output = _check_deploy()
    found = set(re.findall(r"\(security\.(W\d+)\)", output))
    assert found == {"W004", "W008", "W012", "W016"}, output


def test_check_deploy_is_clean_with_https_on() -> None:
    assert "System check identified no issues" in _check_deploy(SWAPDEMO_HTTPS="1")
