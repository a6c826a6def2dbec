"""The docs say what the code does: every link resolves, every command runs, the table and diagram match.

- the README's demos table follows the registry, and its stack diagram is the code's layer list;
- CI runs exactly the README's test command;
- every relative link in every Markdown file names a file that exists (and a heading, with ``#``);
- every ``python -m`` command shown in a Markdown file's ``sh`` blocks at least answers ``--help``.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from swapdemo import registry
from swapdemo.kernel.config import from_environment
from swapdemo.stack import layers
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()
MARKDOWN = sorted(
    path for path in ROOT.rglob("*.md") if not {".venv", ".git", ".pytest_cache"} & set(path.parts)
)


def _between(marker: str) -> str:
    return README.split(f"<!-- {marker}")[1].split(f"<!-- /{marker}")[0]


def test_every_registered_demo_has_a_row_in_the_table() -> None:
    table = _between("demos-table")
    for entry in registry.demos():
        row = next((line for line in table.splitlines() if f"`{entry.command}`" in line), None)
        assert row, f"README has no row for {entry.command}"
        assert entry.read_first in row
        if entry.prefix:
            assert f"`{entry.prefix}/`" in row


def test_the_stack_diagram_is_the_code_s_layer_list() -> None:
    diagram = _between("stack-diagram")
    names = re.findall(r"^(?:request ─▶ |\s{11})(\w+)\s", diagram, re.M)
    expected = [
        layer.__name__ for layer, _ in layers(from_environment().replace(profile=True, postmortem=True))
    ]
    assert names == [*expected, "Mount"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    test_command = next(c for c in commands if "pytest" in c)
    assert f'bash -c "{test_command}"' in (ROOT / ".ci" / "run").read_text()


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(line.lstrip("#")) for line in path.read_text().splitlines() if line.startswith("#")}


def _links(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.S)
    return [(path.name, target) for target in re.findall(r"\]\(([^)\s]+)\)", text)]


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(path: Path) -> None:
    broken = []
    for _, target in _links(path):
        if re.match(r"[a-z]+:", target):
            continue
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists() or (
            anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved)
        ):
            broken.append(target)
    assert broken == [], f"{path.relative_to(ROOT)} links to what does not exist"


def test_the_link_checker_knows_a_heading_s_anchor() -> None:
    assert _slug(" Talks from a REST API") == "talks-from-a-rest-api"
    assert _slug("Behind a TLS proxy") == "behind-a-tls-proxy"
    assert "the-stack-and-the-profiler" in _anchors(ROOT / "docs" / "benchmarks.md")


_WITH_SUBCOMMANDS = {"swapdemo.orm_script", "swapdemo.postmortem", "django"}
_TOOLS = {"gunicorn", "pserve", "pybabel"}  # installed scripts, run from the interpreter's own bin/


def _commands() -> list[tuple[str, ...]]:
    """Each distinct ``python -m MODULE [SUBCOMMAND]`` shown in an ``sh`` block of any Markdown file."""
    found: set[tuple[str, ...]] = set()
    for path in MARKDOWN:
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(), re.S):
            for line in block.splitlines():
                tokens = shlex.split(line, comments=True)
                segments = " ".join(tokens).replace("&&", ";").split(";")
                for segment in segments:
                    words = [word for word in segment.split() if not re.fullmatch(r"[A-Z_]+=.*", word)]
                    if words and words[0] in _TOOLS:
                        found.add((words[0],))
                    elif len(words) > 2 and words[0] in ("python", ".venv/bin/python") and words[1] == "-m":
                        module = words[2]
                        sub = words[3] if module in _WITH_SUBCOMMANDS and len(words) > 3 else None
                        found.add((module, sub) if sub and not sub.startswith("-") else (module,))
    return sorted(found)


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_shown_answers_help(command: tuple[str, ...]) -> None:
    argv = [str(Path(sys.executable).parent / command[0])] if command[0] in _TOOLS else [sys.executable, "-m"]
    done = subprocess.run(
        [*argv, *command[command[0] in _TOOLS :], "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


def test_the_commands_shown_include_every_entry_point() -> None:
    shown = {command[0] for command in _commands()}
    assert {"swapdemo.stack", "swapdemo.bench", "swapdemo.orm_script", "pytest"} <= shown


def test_no_command_shown_writes_into_the_checkout() -> None:
    """Files a command is told to write (``-o``, ``--output``, ``--json``) go to a temporary folder."""
    written = []
    for path in MARKDOWN:
        for block in re.findall(r"```sh\n(.*?)```", path.read_text(), re.S):
            for line in block.splitlines():
                words = shlex.split(line, comments=True)
                written += [
                    (path.name, words[i + 1])
                    for i, word in enumerate(words[:-1])
                    if word in ("-o", "--output", "--json", "--markdown")
                ]
    inside = [(name, target) for name, target in written if not target.startswith(("/tmp/", "$", "docs/"))]
    assert written and inside == []
