"""The README's table, diagram and commands say what the code does."""

from __future__ import annotations

import re

from swapdemo import registry
from swapdemo.kernel.config import from_environment
from swapdemo.stack import layers
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


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
    expected = [layer.__name__ for layer, _ in layers(from_environment().replace(profile=True))]
    assert names == [*expected, "Mount"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    commands = re.findall(r"```sh\n(.+?)\n```", README)
    test_command = next(c for c in commands if "pytest" in c)
    assert f'bash -c "{test_command}"' in (ROOT / ".ci" / "run").read_text()
