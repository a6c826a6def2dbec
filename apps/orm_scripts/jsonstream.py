"""A JSON array read one item at a time from a text stream, in bounded memory.

``json.load`` holds the whole array; a file of a million talks is often one line as long as the
file (``json.dump``'s way).  :func:`array_items` decodes item after item from a buffer that stays
within one item plus one chunk, reading the stream only when the buffer holds no whole item.
"""

from __future__ import annotations

import json
import re
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

_decoder = json.JSONDecoder()
_whitespace = re.compile(r"\s*")
_LONGEST_TOKEN = 16
MAX_ITEM = 1 << 20
CHUNK = 1 << 16


class ArrayError(ValueError):
    """The array cannot be read on: ``line`` is where, the message says why."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def first_line(text: IO[str]) -> tuple[int, str]:
    """Skip blank lines: how many there were, and the next line up to :data:`CHUNK` past its indent.

    A JSON array is often one line as long as the file, so lines are read in bounded pieces;
    a piece ending in a carriage return may be half of a CRLF that the limit cut in two.
    """
    blank, indent, cr = 0, "", False
    while (piece := text.readline(CHUNK)) and not piece.strip():
        if not (cr and piece == "\n"):
            ended = piece.endswith(("\n", "\r"))
            blank, indent = blank + ended, "" if ended else indent + piece
        cr = piece.endswith("\r")
    return blank, indent + piece


def array_items(text: IO[str], buffer: str, index: int, line: int) -> Iterator[tuple[int, Any]]:
    """Decode the array's items one at a time from ``buffer[index:]``, which is on ``line``.

    ``text`` is read a chunk at a time, only when the buffer holds no whole item, and the
    consumed part is dropped then: the buffer stays within one item plus one chunk, and each
    character is decoded about once, whether the array is one line or one item a line.
    """
    after_item, more = False, True
    while True:
        found = _whitespace.match(buffer, index)
        skipped = found.end() if found else index
        line += buffer.count("\n", index, skipped)
        index = skipped
        if index < len(buffer) and buffer[index] == "]":
            if buffer[index + 1 :].strip() or any(
                rest.strip() for rest in iter(lambda: text.read(CHUNK), "")
            ):
                raise ArrayError("text after the end of the JSON array", line)
            return
        if index < len(buffer) and after_item:
            if buffer[index] != ",":
                raise ArrayError("expected ',' or ']' after an array item", line)
            index, after_item = index + 1, False
            continue
        if index < len(buffer):
            # A chunk can end inside a string, a literal or a number ("1.5e" + "-10"): what the
            # decoder finds in the last few characters of the buffer may change with more text.
            try:
                item, end = _decoder.raw_decode(buffer, index)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos > len(buffer) - _LONGEST_TOKEN
                if cut and more:
                    if len(buffer) - index > MAX_ITEM:
                        raise ArrayError(f"an array item longer than {MAX_ITEM:,} characters", line) from exc
                elif exc.pos == len(buffer):
                    raise ArrayError("the JSON array is not closed with ']'", line) from exc
                else:
                    at = line + buffer.count("\n", index, exc.pos)
                    raise ArrayError(f"not JSON: {exc.msg}", at) from exc
            else:
                if end <= len(buffer) - _LONGEST_TOKEN or not more:
                    yield line, item
                    line += buffer.count("\n", index, end)
                    index, after_item = end, True
                    continue
        elif not more:
            raise ArrayError("the JSON array is not closed with ']'", line)
        chunk = text.read(CHUNK)
        buffer, index, more = buffer[index:] + chunk, 0, bool(chunk)
