"""The code reads as CONTRIBUTING.md promises: short modules, each demo's lesson on its first screen.

- every module under ``apps/``, ``swapdemo/`` and ``wsgi_stack/`` is at most 200 lines (migrations,
  which Django writes, aside), and no line of Python anywhere is over 110 characters;
- each demo's read-first file (its registry entry names it) is at most 150 lines, and its first
  public class or function starts within 60 lines of the end of the module docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from swapdemo import registry

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(
    path for package in ("apps", "swapdemo", "wsgi_stack") for path in (ROOT / package).rglob("*.py")
)


@pytest.mark.parametrize("path", [p for p in SOURCES if "migrations" not in p.parts], ids=str)
def test_a_module_fits_in_200_lines(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"{path.relative_to(ROOT)} has {lines} lines: split it by role"


def test_no_line_of_python_is_over_110_characters() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in [*SOURCES, *sorted((ROOT / "tests").rglob("*.py"))]
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > 110
    ]
    assert long == []


def lesson_start(source: str) -> tuple[int, int]:
    """The line the module docstring ends on, and the line of the first public class or function."""
    tree = ast.parse(source)
    docstring_end = tree.body[0].end_lineno or 0 if ast.get_docstring(tree) else 0
    first = next(
        node.lineno
        for node in tree.body
        if isinstance(node, ast.ClassDef | ast.FunctionDef) and not node.name.startswith("_")
    )
    return docstring_end, first


@pytest.mark.parametrize("entry", registry.ENTRIES, ids=lambda entry: entry.name)
def test_the_read_first_file_opens_with_the_lesson(entry: registry.Entry) -> None:
    source = (ROOT / entry.read_first).read_text(encoding="utf-8")
    assert source.count("\n") <= 150, f"{entry.read_first} is over 150 lines"
    docstring_end, first = lesson_start(source)
    assert first - docstring_end <= 60, (
        f"{entry.read_first}: the lesson starts {first - docstring_end} lines in"
    )


def test_the_lesson_finder_skips_helpers_and_plumbing() -> None:
    source = '"""Doc.\n\nMore.\n"""\n\nimport os\n\n\ndef _helper():\n    pass\n\n\nclass Swap:\n    pass\n'
    assert lesson_start(source) == (4, 13)
