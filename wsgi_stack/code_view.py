"""A profiled function's source with per-line sample counts, and its bytecode, as an HTML fragment.

:func:`find_code` looks first for the code object the process is running (the module's function,
method or nested function with the frame's file, first line and name), because only that one shows
what the interpreter specialised it into: ``dis`` with ``adaptive=True`` (3.11+) prints
``LOAD_ATTR_INSTANCE_VALUE`` where the file says ``LOAD_ATTR``.  Failing that it compiles the file
on disk, which shows the generic bytecode: so it does for module-level code, and for a lambda
held only in a list or a dict; C functions (file ``~``) have neither.

Opcode names differ between 3.11, 3.12 and 3.13: show them, never parse them.  The fragment is
escaped throughout; the page around it decides who may see it (source is not for every visitor).
"""

from __future__ import annotations

import dis
import html as markup
import inspect
import linecache
import sys
import warnings
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, TypedDict

from wsgi_stack.profile_paths import normalise, resolve

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from wsgi_stack.profile_paths import Frame


class Instruction(TypedDict):
    """One bytecode instruction: ``line`` is ``None`` for instructions no source line owns."""

    offset: int
    line: int | None
    opname: str
    argrepr: str


def find_code(frame: Frame) -> CodeType | None:
    """The code object of ``frame``'s function: the running one, else compiled from its file."""
    return _live_code(frame) or _compiled_code(frame)


def source(frame: Frame, lines: Mapping[tuple[str, int], int]) -> list[tuple[int, str, int]]:
    """``(line number, text, samples)`` for each line of ``frame``'s function; ``[]`` without source.

    ``lines`` maps ``(normalised file, line)`` to samples, as :class:`~wsgi_stack.samples.Samples` does.
    """
    code = find_code(frame)
    return [] if code is None else _rows(code, frame[0], lines)


def bytecode(code: CodeType, adaptive: bool = True) -> list[Instruction]:
    """``code``'s instructions as the running interpreter has them, specialisations included
    (``adaptive=False``: as compiled)."""
    return [
        Instruction(
            offset=instruction.offset,
            line=instruction.positions.lineno if instruction.positions else None,
            opname=instruction.opname,
            argrepr=instruction.argrepr,
        )
        for instruction in dis.get_instructions(code, adaptive=adaptive)
    ]


def heading(frame: Frame) -> str:
    """An HTML heading naming ``frame``: its name, then its file and first line."""
    file, first, name = frame
    return f"<h2>{markup.escape(name)} <small>{markup.escape(file)}:{first}</small></h2>"


def body(frame: Frame, lines: Mapping[tuple[str, int], int]) -> str:
    """An HTML fragment: ``frame``'s source with sample counts, then its bytecode."""
    file = frame[0]
    if file == "~":
        return "<p>C function: no bytecode and no Python source.</p>"
    live = _live_code(frame)
    code = live or _compiled_code(frame)
    if code is None:
        return "<p>The source of this function is not on this host.</p>"
    version = ".".join(map(str, sys.version_info[:3]))
    origin = (
        f"the running code object, as Python {version} has specialised it so far"
        if live
        else f"compiled by Python {version} from the file on disk (not loaded here, so not specialised)"
    )
    source_rows = "".join(
        f'<tr><td>{number}</td><td>{hits or ""}</td><td style="white-space:pre">{markup.escape(text)}</td>'
        for number, text, hits in _rows(code, file, lines)
    )
    try:
        instructions = bytecode(code)
    except (IndexError, KeyError, ValueError):  # 3.12.1's dis misreads some specialised code
        instructions = bytecode(code, adaptive=False)
        origin = f"as compiled: Python {version}'s dis cannot decode this code's specialised form"
    if any(op["opname"].startswith("INSTRUMENTED_") for op in instructions):
        origin += "; INSTRUMENTED_ opcodes are sys.monitoring's hooks, which cProfile uses on 3.12+"
    code_rows = "".join(
        f"<tr><td>{op['offset']}</td><td>{op['line'] or ''}</td><td>{markup.escape(op['opname'])}</td>"
        f"<td>{markup.escape(op['argrepr'])}</td>"
        for op in instructions
    )
    return (
        f"<table class=source><thead><tr><th>line<th>samples<th>source</thead>\n"
        f"<tbody>{source_rows}</tbody></table>\n<p>Bytecode: {markup.escape(origin)}.</p>\n"
        f"<table class=bytecode><thead><tr><th>offset<th>line<th>opname<th>argument</thead>\n"
        f"<tbody>{code_rows}</tbody></table>"
    )


def _live_code(frame: Frame) -> CodeType | None:
    file = frame[0]
    for module in list(sys.modules.values()):
        module_file = getattr(module, "__file__", None)
        if not isinstance(module_file, str) or normalise(module_file) != file:
            continue
        for code in _codes(vars(module), module.__name__, set()):
            found = _match(code, frame, check_file=True)
            if found is not None:
                return found
    return None


def _compiled_code(frame: Frame) -> CodeType | None:
    path = resolve(frame[0])
    if frame[0] == "~" or path is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an old file's SyntaxWarnings are not this page's business
            module = compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except (OSError, SyntaxError, ValueError):
        return None
    return _match(module, frame, check_file=False)


def _codes(namespace: Mapping[str, object], module: str, seen: set[int]) -> Iterator[CodeType]:
    """The code of every function, method and property in a module's or a class's namespace.

    Only functions, descriptors and classes are looked into: ``getattr`` on anything else (a lazy
    settings object, say) could run code.
    """
    for value in list(namespace.values()):
        if isinstance(value, type) and value.__module__ == module and id(value) not in seen:
            seen.add(id(value))
            yield from _codes(vars(value), module, seen)
        functions: list[object] = [value]
        if isinstance(value, staticmethod | classmethod):
            functions = [value.__func__]
        elif isinstance(value, property):
            functions = [value.fget, value.fset, value.fdel]
        for function in functions:
            if isinstance(function, FunctionType):
                yield function.__code__
                try:
                    inner = inspect.unwrap(function)  # a decorator's wrapped function
                except ValueError:  # a __wrapped__ cycle
                    continue
                if inner is not function and isinstance(inner, FunctionType):
                    yield inner.__code__


def _match(code: CodeType, frame: Frame, *, check_file: bool) -> CodeType | None:
    file, first, name = frame
    for candidate in _nested(code):
        same_file = not check_file or normalise(candidate.co_filename) == file
        if candidate.co_firstlineno == first and candidate.co_name == name and same_file:
            return candidate
    return None


def _nested(code: CodeType) -> Iterator[CodeType]:
    yield code
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _nested(constant)


def _rows(code: CodeType, file: str, lines: Mapping[tuple[str, int], int]) -> list[tuple[int, str, int]]:
    text = linecache.getlines(code.co_filename)
    last = max(
        (end for nested in _nested(code) for _, end, _, _ in nested.co_positions() if end is not None),
        default=code.co_firstlineno,
    )
    return [
        (number, text[number - 1].rstrip("\r\n"), lines.get((file, number), 0))
        for number in range(code.co_firstlineno, min(last, len(text)) + 1)
    ]
