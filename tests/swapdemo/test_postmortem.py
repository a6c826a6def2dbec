"""``python -m swapdemo.postmortem``: list, show, debug and replay the demo's three crashes."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import pytest
from webtest import TestApp

from apps.postmortem import crashes as demo
from swapdemo import postmortem
from swapdemo.stack import make_app
from tests.conftest import ROOT

PAGES = {
    "talk": ("/postmortem/talk/", "ZeroDivisionError", "talk.html"),
    "rate": ("/postmortem/rate/?track=keynote&stars=5", "KeyError", "crashes.py"),
    "feed": ("/postmortem/feed/", "KeyError", "crashes.py"),
}


@pytest.fixture
def crashed(config, monkeypatch):
    config = config.replace(postmortem=True)
    monkeypatch.setattr(postmortem, "from_environment", lambda: config)
    visitor = TestApp(make_app(config, ("postmortem",)), extra_environ={"HTTP_HOST": "localhost"})
    ids = {}
    for name, (path, _, _) in PAGES.items():
        page = visitor.get(path, status=500)
        assert page.headers["X-Request-ID"] in page.text
        listing = visitor.get("/__postmortem__/", extra_environ={"REMOTE_ADDR": "127.0.0.1"})
        ids[name] = re.search(r'href="/__postmortem__/([^"]+)"', listing.text).group(1)
    return config, ids


def cli(capsys, *argv: str) -> tuple[int, str]:
    status = postmortem.main(list(argv))
    out = capsys.readouterr()
    return status, out.out + out.err


def test_list_and_show(crashed, capsys) -> None:
    _, ids = crashed
    status, listed = cli(capsys, "list")
    assert status == 0 and all(snapshot_id in listed for snapshot_id in ids.values())
    assert "ZeroDivisionError: division by zero" in listed and "KeyError: 'keynote'" in listed
    status, shown = cli(capsys, "show", ids["rate"])
    assert status == 0 and "in RatingForm.clean" in shown and 'TRACK_WEIGHTS[cleaned["track"]]' in shown
    assert "GET /postmortem/rate/" in shown


@pytest.mark.parametrize("name", PAGES)
def test_replay_fails_again_at_the_crash_s_file_and_line(crashed, capsys, name: str) -> None:
    _, ids = crashed
    status, out = cli(capsys, "replay", ids[name], "--no-debugger")
    _, kind, place = PAGES[name]
    assert status == 0 and f"The request failed again: {kind}" in out and re.search(rf"{place}:\d+", out)


def _fix(monkeypatch, name: str) -> None:
    """What a person would change in apps/postmortem to fix each crash."""
    if name == "talk":
        monkeypatch.setattr(
            "apps.postmortem.views.LIGHTNING", dataclasses.replace(demo.LIGHTNING, duration=45)
        )
    elif name == "rate":
        monkeypatch.setitem(demo.TRACK_WEIGHTS, "keynote", 2.0)
    else:
        monkeypatch.setattr(
            "apps.postmortem.feed.titles", lambda answer: [r["title"] for r in answer["results"]]
        )


@pytest.mark.parametrize("name", PAGES)
def test_replay_after_the_fix_says_it_passed_and_shows_the_status(crashed, capsys, monkeypatch, name) -> None:
    _, ids = crashed
    _fix(monkeypatch, name)
    status, out = cli(capsys, "replay", ids[name], "--no-debugger")
    assert status == 0 and "The request did not fail this time: 200 OK" in out


def test_mistakes_are_one_sentence(crashed, capsys) -> None:
    status, out = cli(capsys, "show", "nope")
    assert status == 1 and out.strip() == (
        "python -m swapdemo.postmortem: no crash is stored under 'nope'; "
        "`python -m swapdemo.postmortem list` shows them"
    )
    _, ids = crashed
    status, out = cli(capsys, "replay", ids["talk"], "--header", "no colon")
    assert status == 1 and "must look like 'Name: value'" in out


def run(
    config, *argv: str, stdin: str = "", python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    env = {**os.environ, "SWAPDEMO_DATA_DIR": str(config.data_dir)}
    command = [sys.executable, *python_flags, "-m", "swapdemo.postmortem", *argv]
    return subprocess.run(
        command, cwd=ROOT, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_replay_drops_into_the_real_pdb_at_the_crash(crashed) -> None:
    config, ids = crashed
    done = run(config, "replay", ids["talk"], stdin="where\np talk.duration\nquit\n")
    assert done.returncode == 0, done.stderr
    assert "The request failed again: ZeroDivisionError" in done.stdout
    assert "(Pdb)" in done.stdout and "talk.html" in done.stdout and "(Pdb) 0\n" in done.stdout
    assert "Traceback" not in done.stderr  # the failure is reported once, by replay, not by the app's log


def test_show_and_debug_import_no_application_code(crashed) -> None:
    config, ids = crashed
    for argv, stdin in ((("show", ids["talk"]), ""), (("debug", ids["talk"]), "where\nlocals\nquit\n")):
        done = run(config, *argv, stdin=stdin, python_flags=("-X", "importtime"))
        assert done.returncode == 0, done.stderr[-2000:]
        imported = re.findall(r"\|\s+([\w.]+)$", done.stderr, re.M)
        assert "wsgi_stack.postmortem.shell" in imported or "swapdemo.postmortem" in done.stderr
        assert [m for m in imported if m.startswith(("apps", "swapdemo.settings", "swapdemo.stack"))] == []
    assert "ZeroDivisionError" in done.stdout and "(postmortem)" in done.stdout
