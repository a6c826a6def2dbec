"""A profiled function's source with its sample counts on the right lines, and its bytecode."""

from __future__ import annotations

import linecache
import textwrap

from wsgi_stack import code_view
from wsgi_stack.profile_paths import normalise

HERE = normalise(__file__)
BUILTIN = ("~", 0, "<built-in method builtins.len>")


def measured(items: list[object]) -> int:
    total = 0
    for item in items:
        total += len(str(item))
    return total


class Shape:
    def area(self) -> int:
        return measured([self])


def make_check():
    return lambda x: x < 3


CHECK = make_check()
MEASURED = (HERE, measured.__code__.co_firstlineno, "measured")
LOOP_BODY = MEASURED[1] + 3  # total += len(str(item))


def test_the_running_code_object_is_found_for_functions_methods_and_lambdas() -> None:
    assert code_view.find_code(MEASURED) is measured.__code__
    area = (HERE, Shape.area.__code__.co_firstlineno, "area")
    assert code_view.find_code(area) is Shape.area.__code__
    check = (HERE, CHECK.__code__.co_firstlineno, "<lambda>")
    assert code_view.find_code(check) is CHECK.__code__, "found inside make_check, which is alive"


def test_bytecode_lines_fall_in_the_function_and_it_makes_calls() -> None:
    for _ in range(50):  # let 3.11+ specialise it; the view shows what runs
        measured([1, "two"])
    instructions = code_view.bytecode(code_view.find_code(MEASURED))
    last = MEASURED[1] + 4
    lines = {instruction["line"] for instruction in instructions} - {None}
    assert lines and all(MEASURED[1] <= line <= last for line in lines)
    assert LOOP_BODY in lines
    assert any(instruction["opname"].startswith("CALL") for instruction in instructions)
    assert [i["offset"] for i in instructions] == sorted(i["offset"] for i in instructions)


def test_source_lines_are_numbered_and_carry_their_sample_counts() -> None:
    counts = {(HERE, LOOP_BODY): 7, (HERE, MEASURED[1] + 2): 9, ("other.py", LOOP_BODY): 100}
    rows = code_view.source(MEASURED, counts)
    assert [number for number, _, _ in rows] == list(range(MEASURED[1], MEASURED[1] + 5))
    assert all(text == linecache.getline(__file__, number).rstrip("\n") for number, text, _ in rows)
    by_line = {number: (text.strip(), hits) for number, text, hits in rows}
    assert by_line[LOOP_BODY] == ("total += len(str(item))", 7)
    assert by_line[MEASURED[1] + 2] == ("for item in items:", 9)
    assert sum(hits for _, _, hits in rows) == 16, "another file's line 19 is not this one's"


def test_a_c_function_has_no_code() -> None:
    assert code_view.find_code(BUILTIN) is None
    assert code_view.source(BUILTIN, {}) == []
    assert "C function: no bytecode" in code_view.body(BUILTIN, {})


def test_a_file_never_imported_is_compiled_from_disk(tmp_path) -> None:
    orphan = tmp_path / "orphan.py"
    orphan.write_text(
        textwrap.dedent("""\
        import os


        def helper(n):
            return [os.sep * i for i in range(n)]
        """)
    )
    frame = (normalise(str(orphan)), 4, "helper")
    code = code_view.find_code(frame)
    assert code is not None and code.co_name == "helper" and code.co_filename == str(orphan)
    assert [text for _, text, _ in code_view.source(frame, {})][
        1
    ] == "    return [os.sep * i for i in range(n)]"
    assert "not specialised" in code_view.body(frame, {})
    assert code_view.find_code((frame[0], 5, "helper")) is None, "the first line must match"


def test_the_html_fragment_escapes_names_and_source() -> None:
    check = (HERE, CHECK.__code__.co_firstlineno, "<lambda>")
    fragment = code_view.heading(check) + code_view.body(check, {(HERE, check[1]): 4})
    assert "&lt;lambda&gt;" in fragment and "x &lt; 3" in fragment
    assert "<lambda>" not in fragment and "<html" not in fragment
    assert "the running code object" in fragment
    assert "<td>4</td>" in fragment


def test_a_missing_file_says_so() -> None:
    missing = ("apps/not_there.py", 1, "gone")
    assert code_view.find_code(missing) is None
    assert "not on this host" in code_view.body(missing, {})
