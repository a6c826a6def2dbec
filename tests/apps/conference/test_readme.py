"""The README's "Try it" command, run as written: three made-up talks, each a valid talk."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

from apps.conference import Talk
from tests.conftest import ROOT, try_it, try_it_commands

README = ROOT / "apps" / "conference" / "README.md"


def test_try_it() -> None:
    (command,) = try_it_commands(README)
    (step,) = try_it(README)
    words = shlex.split(command)
    done = subprocess.run([sys.executable, *words[1:]], capture_output=True, text=True, cwd=ROOT, check=True)
    lines = done.stdout.splitlines()
    assert len(lines) == 3 and step.quoted[0] in lines[0]
    talks = [Talk.from_dict(json.loads(line)) for line in lines]
    assert len({(talk.day, talk.start, talk.room) for talk in talks}) == 3  # a slot each
