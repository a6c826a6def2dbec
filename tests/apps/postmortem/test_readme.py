"""The README's "Try it", performed: three crashes, the pages, then the commands as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from urllib.parse import urljoin

from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it, try_it_commands

README = ROOT / "apps" / "postmortem" / "README.md"


def test_try_it(config) -> None:
    config = config.replace(postmortem=True)
    visitor = TestApp(
        make_app(config, ("postmortem",)),
        extra_environ={"HTTP_HOST": "127.0.0.1:8000", "REMOTE_ADDR": "127.0.0.1"},
    )
    index, crash, listing, debug, replay = try_it(README)

    page = visitor.get(index.paths[0])
    assert all(text in page.text for text in index.quoted)
    links = {
        a.get_text(" ", strip=True): urljoin(page.request.path, a["href"]) for a in page.html.select("main a")
    }
    talk = visitor.get(links[crash.quoted[0]], status=500)
    assert crash.quoted[1] in talk.text
    assert talk.headers["X-Request-ID"] in talk.text and "Traceback" not in talk.text
    assert "ZeroDivisionError" not in talk.text
    for link in crash.quoted[2:]:
        visitor.get(links[link], status=500)

    crashes = visitor.get(listing.paths[0] + "/", extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    rows = crashes.html.select("tbody tr")
    assert len(rows) == 3 and listing.quoted[0] in crashes.text
    row = next(r for r in rows if listing.quoted[0] in r.text)
    snapshot = visitor.get(row.select_one("td a[href^='/__postmortem__/']")["href"])
    opened = snapshot.html.select_one("details[open]")
    assert "talk.html" in opened.select_one("summary").text
    names = [th.get_text(" ", strip=True).split()[0] for th in opened.select("th")]
    assert {"talk", "slides"} <= set(names) and "GET /postmortem/talk/" in snapshot.text
    crash_id = snapshot.request.path.rsplit("/", 1)[1]

    def run(line: str, stdin: str = "") -> str:
        words = line.replace("ID", crash_id).split()
        env = {**os.environ, "SWAPDEMO_DATA_DIR": str(config.data_dir)}
        done = subprocess.run(
            [sys.executable, *words[1:]],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    listed, walk, again = try_it_commands(README)
    assert crash_id in run(listed)
    out = run(walk, "where\np talk.duration\nup\nexceptions\nquit\n")
    assert re.search(rf"^> .*talk\.html\(\d+\){re.escape(debug.quoted[0])}", out, re.M)
    assert f"(postmortem) {debug.quoted[1]}\n" in out and "ZeroDivisionError: division by zero" in out
    out = run(again, "p talk.duration\nquit\n")
    assert replay.quoted[0] in out and "(Pdb) 0" in out
    # The fix is a file edit; replay after a fix is test_postmortem.py's, which expects these words:
    assert replay.quoted[1] == "The request did not fail this time: 200 OK"
