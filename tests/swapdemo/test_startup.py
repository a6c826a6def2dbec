"""Start-up mistakes are one to three lines naming the flag or variable, never a traceback.

Each case runs a real command in a subprocess and checks its exit status (2 for a usage mistake,
1 for the environment), the number of lines it printed, and that no traceback came out.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from swapdemo.servers import free_port
from tests.conftest import KEY, ROOT

HIDE = "import sys; sys.modules.update(dict.fromkeys({names!r}))"  # a package that is not installed


def run(args: list[str], env: dict[str, str], tmp_path: Path, hide: tuple[str, ...] = ()) -> tuple[int, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SWAPDEMO_") and k != "DATABASE_URL"}
    environ |= {"SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path / "data"), **env}
    if hide:
        (tmp_path / "sitecustomize.py").write_text(HIDE.format(names=hide))
        environ["PYTHONPATH"] = os.pathsep.join([str(tmp_path), str(ROOT)])
    done = subprocess.run(
        [sys.executable, "-m", *args], env=environ, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    return done.returncode, (done.stdout + done.stderr).strip()


SERVE = ["swapdemo.stack", "--port", "0"]
MISTAKES = {
    "port outside 1-65535": (["swapdemo.jinja", "--port", "99999"], {}, (), 2, "--port"),
    "port not a number": (["swapdemo.jinja", "--port", "eighty"], {}, (), 2, "--port"),
    "unknown demo": (["swapdemo", "nope"], {}, (), 2, "the demos are jinja"),
    "short secret key": (SERVE, {"SWAPDEMO_SECRET_KEY": "short"}, (), 1, "SWAPDEMO_SECRET_KEY"),
    "debug flag": (SERVE, {"SWAPDEMO_DEBUG": "maybe"}, (), 1, "SWAPDEMO_DEBUG"),
    "https flag": (SERVE, {"SWAPDEMO_HTTPS": "2"}, (), 1, "SWAPDEMO_HTTPS"),
    "allowed hosts": (SERVE, {"SWAPDEMO_ALLOWED_HOSTS": "http://x.org"}, (), 1, "SWAPDEMO_ALLOWED_HOSTS"),
    "trusted proxy": (SERVE, {"SWAPDEMO_TRUSTED_PROXY": "proxy.example"}, (), 1, "SWAPDEMO_TRUSTED_PROXY"),
    "data folder is a file": (SERVE, {"SWAPDEMO_DATA_DIR": "{file}"}, (), 1, "SWAPDEMO_DATA_DIR"),
    "data folder cannot be made": (
        SERVE,
        {"SWAPDEMO_DATA_DIR": "/proc/swapdemo"},
        (),
        1,
        "SWAPDEMO_DATA_DIR",
    ),
    "database URL": (SERVE, {"DATABASE_URL": "not a url"}, (), 1, "DATABASE_URL"),
    "unsupported database": (SERVE, {"DATABASE_URL": "mysql://u@127.0.0.1/db"}, (), 1, "DATABASE_URL"),
    "unreachable database": (
        SERVE,
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1:{closed}/test"},
        (),
        1,
        "DATABASE_URL",
    ),
    "postgres extra missing": (
        SERVE,
        {"DATABASE_URL": "postgresql://postgres@127.0.0.1/test"},
        ("psycopg",),
        1,
        "pip install -e '.[postgres]'",
    ),
    "cache URL": (SERVE, {"SWAPDEMO_CACHE_URL": "memcached://x"}, (), 1, "SWAPDEMO_CACHE_URL"),
    "redis missing": (SERVE, {"SWAPDEMO_CACHE_URL": "redis://127.0.0.1/0"}, ("redis",), 1, ".[redis]"),
    "profile flag": (SERVE, {"SWAPDEMO_PROFILE": "sometimes"}, (), 1, "SWAPDEMO_PROFILE"),
    "short profile token": (SERVE, {"SWAPDEMO_PROFILE_TOKEN": "t0ken"}, (), 1, "SWAPDEMO_PROFILE_TOKEN"),
    "profile sample": (SERVE, {"SWAPDEMO_PROFILE_SAMPLE": "-1"}, (), 1, "SWAPDEMO_PROFILE_SAMPLE"),
    "host name": (SERVE, {"SWAPDEMO_HOST_NAME": "web 1"}, (), 1, "SWAPDEMO_HOST_NAME"),
    "issuer without client": (SERVE, {"SWAPDEMO_OIDC_ISSUER": "https://id.example"}, (), 1, "CLIENT_ID"),
    "issuer not a URL": (
        SERVE,
        {"SWAPDEMO_OIDC_ISSUER": "id.example", "SWAPDEMO_OIDC_CLIENT_ID": "c"},
        (),
        1,
        "SWAPDEMO_OIDC_ISSUER",
    ),
    "API URL": (SERVE, {"SWAPDEMO_API_URL": "not-a-url"}, (), 1, "SWAPDEMO_API_URL"),
    "API style": (SERVE, {"SWAPDEMO_API_STYLE": "graphql"}, (), 1, "SWAPDEMO_API_STYLE"),
    "API style without URL": (SERVE, {"SWAPDEMO_API_STYLE": "drf"}, (), 1, "SWAPDEMO_API_URL"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_a_start_up_mistake_is_a_sentence(case: str, tmp_path: Path) -> None:
    args, env, hide, status, named = MISTAKES[case]
    (tmp_path / "a-file").write_text("")
    env = {k: v.format(file=tmp_path / "a-file", closed=free_port()) for k, v in env.items()}
    code, printed = run(args, env, tmp_path, hide)
    assert code == status, printed
    assert named in printed and "Traceback" not in printed
    assert 1 <= len(printed.splitlines()) <= 3, printed


def test_a_port_in_use_is_a_sentence(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, printed = run(["swapdemo.jinja", "--port", str(port)], {}, tmp_path)
    assert code == 1 and f"port {port} on 127.0.0.1 is already in use" in printed and "--port" in printed
    assert "Traceback" not in printed and len(printed.splitlines()) <= 3


def test_a_clean_start_prints_its_url_and_nothing_alarming(tmp_path: Path) -> None:
    environ = {**os.environ, "SWAPDEMO_SECRET_KEY": KEY, "SWAPDEMO_DATA_DIR": str(tmp_path)}
    port = free_port()
    with subprocess.Popen(
        [sys.executable, "-m", "swapdemo.stack", "--port", str(port)],
        env=environ,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        first = server.stdout.readline()
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=20)
    assert first == f"swapdemo: serving every demo on http://127.0.0.1:{port}/ (Ctrl-C to stop)\n"
    assert server.returncode == 0 and "stopped" in out
    assert err == "" or all(" INFO " in line for line in err.splitlines()), err  # no warning, no traceback
