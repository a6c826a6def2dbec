"""Conference data files, read and written one talk at a time: CSV, JSON Lines, JSON arrays.

:class:`TalkFile` streams a file: memory stays flat however long the file is.  It yields a
:class:`~apps.conference.data.Talk` per good row and a :class:`BadRow` (with the line the row
starts on) per bad one, and reports how many bytes it has read, for a progress bar.  A JSON
array is read a chunk at a time, whether it is pretty-printed or one line (``json.dump``'s
way).  A file it cannot read at all (unknown suffix, wrong CSV header, broken JSON array, not
UTF-8) raises :class:`DataFileError`.  JSON Lines is the format to prefer for big files: a
broken line costs one row, where a syntax error in a JSON array ends the read.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from apps.conference.data import FIELDS, Talk
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
_decoder = json.JSONDecoder()
_whitespace = re.compile(r"\s*")
_LONGEST_TOKEN = 16
MAX_ITEM = 1 << 20
CHUNK = 1 << 16


class DataFileError(ValueError):
    """The file cannot be read as talks at all."""


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that is not a valid talk: where it starts and why it was refused."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class TalkFile:
    """Talks streamed from ``path``; the format comes from its suffix (see :data:`FORMATS`).

    :param check: called with each valid talk; a ``ValueError`` it raises makes the row a
        :class:`BadRow` (the importer passes what its table can hold).
    """

    def __init__(self, path: Path, check: Callable[[Talk], None] | None = None) -> None:
        self.path = Path(path)
        self.check = check
        if self.path.suffix.lower() not in FORMATS:
            raise DataFileError(f"{self.path}: unknown format; name it .csv, .jsonl or .json")
        self.size = self.path.stat().st_size
        self._raw: IO[bytes] | None = None

    @property
    def position(self) -> int:
        """Bytes read so far (by whole buffers, so a little ahead of the rows yielded)."""
        if self._raw is None:
            return 0
        return self.size if self._raw.closed else self._raw.tell()

    def __iter__(self) -> Iterator[Talk | BadRow]:
        # utf-8-sig: spreadsheets often start a CSV with a byte-order mark.
        with (
            self.path.open("rb") as self._raw,
            io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="") as text,
        ):
            try:
                if FORMATS[self.path.suffix.lower()] == "csv":
                    yield from self._csv(text)
                else:
                    yield from self._json(text)
            except UnicodeDecodeError as exc:
                raise DataFileError(f"{self.path}: not UTF-8 text ({exc.reason})") from exc

    def _talk(self, line: int, row: Any) -> Talk | BadRow:
        if not isinstance(row, dict):
            return BadRow(
                self.path, line, f"expected an object with the talk's fields, got {type(row).__name__}"
            )
        try:
            talk = Talk.from_dict(row)
            if self.check is not None:
                self.check(talk)
        except ValueError as exc:
            return BadRow(self.path, line, str(exc))
        return talk

    def _csv(self, text: IO[str]) -> Iterator[Talk | BadRow]:
        reader = csv.DictReader(text)
        try:
            if reader.fieldnames is None or sorted(reader.fieldnames) != sorted(FIELDS):
                raise DataFileError(f"{self.path}:1: the header must name the columns {','.join(FIELDS)}")
            end = reader.line_num
            for row in reader:
                if len(row) != len(FIELDS) or None in row.values():
                    yield BadRow(
                        self.path, end + 1, f"expected {len(FIELDS)} values, one per column of the header"
                    )
                    end = reader.line_num
                    continue
                # CSV has no numbers, only text: give from_dict the ints it expects where it can.
                for name in ("id", "duration"):
                    if (number := whole_number(row[name].strip(), 0, 10**18)) is not None:
                        row[name] = number
                yield self._talk(end + 1, row)
                end = reader.line_num
        except csv.Error as exc:
            raise DataFileError(f"{self.path}:{reader.line_num}: {exc}") from exc

    def _json(self, text: IO[str]) -> Iterator[Talk | BadRow]:
        blank, lead = self._first_line(text)
        if lead.lstrip().startswith("["):
            yield from self._json_array(text, lead, lead.index("[") + 1, blank + 1)
            return
        if lead.endswith("\r"):
            rest = text.readline()
            first = [lead + rest] if rest == "\n" else [lead, rest]
        else:
            first = [lead if lead.endswith("\n") else lead + text.readline()]
        for number, line in enumerate(itertools.chain(first, text), start=blank + 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRow(self.path, number, f"not JSON: {exc.msg} (column {exc.colno})")
            else:
                yield self._talk(number, row)

    def _first_line(self, text: IO[str]) -> tuple[int, str]:
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

    def _json_array(self, text: IO[str], buffer: str, index: int, line: int) -> Iterator[Talk | BadRow]:
        """Decode the array's items one at a time from ``buffer[index:]``, which is on ``line``.

        ``text`` is read a chunk at a time, only when the buffer holds no whole item, and the
        consumed part is dropped then: the buffer stays within one item plus one chunk, and each
        character is decoded about once, whether the array is one line or one item a line.
        """
        after_item, more = False, True
        while True:
            skipped = _whitespace.match(buffer, index).end()
            line += buffer.count("\n", index, skipped)
            index = skipped
            if index < len(buffer) and buffer[index] == "]":
                if buffer[index + 1 :].strip() or any(
                    rest.strip() for rest in iter(lambda: text.read(CHUNK), "")
                ):
                    raise DataFileError(f"{self.path}:{line}: text after the end of the JSON array")
                return
            if index < len(buffer) and after_item:
                if buffer[index] != ",":
                    raise DataFileError(f"{self.path}:{line}: expected ',' or ']' after an array item")
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
                            raise DataFileError(
                                f"{self.path}:{line}: an array item longer than {MAX_ITEM:,} characters"
                            ) from exc
                    elif exc.pos == len(buffer):
                        raise DataFileError(
                            f"{self.path}:{line}: the JSON array is not closed with ']'"
                        ) from exc
                    else:
                        at = line + buffer.count("\n", index, exc.pos)
                        raise DataFileError(f"{self.path}:{at}: not JSON: {exc.msg}") from exc
                else:
                    if end <= len(buffer) - _LONGEST_TOKEN or not more:
                        yield self._talk(line, item)
                        line += buffer.count("\n", index, end)
                        index, after_item = end, True
                        continue
            elif not more:
                raise DataFileError(f"{self.path}:{line}: the JSON array is not closed with ']'")
            chunk = text.read(CHUNK)
            buffer, index, more = buffer[index:] + chunk, 0, bool(chunk)


def write(talks: Iterable[Talk], out: IO[str], format: str) -> int:
    """Write ``talks`` to ``out`` as ``"csv"``, ``"jsonl"`` or ``"json"``, one at a time; returns how many."""
    count = 0
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for talk in talks:
            writer.writerow(talk.to_dict())
            count += 1
        return count
    separator = "\n" if format == "jsonl" else ",\n"
    out.write("" if format == "jsonl" else "[\n")
    for count, talk in enumerate(talks, start=1):
        out.write(("" if count == 1 else separator) + json.dumps(talk.to_dict(), ensure_ascii=False))
    out.write("\n" if format == "jsonl" else "\n]\n")
    return count
