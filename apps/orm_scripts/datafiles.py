"""Conference data files, read and written one talk at a time: CSV, JSON Lines, JSON arrays.

:class:`TalkFile` streams a file: memory stays flat however long the file is.  It yields a
:class:`~apps.conference.data.Talk` per good row and a :class:`BadRow` (with the line the row
starts on) per bad one, and reports how many bytes it has read, for a progress bar.  A file it
cannot read at all (unknown suffix, wrong CSV header, broken JSON array, not UTF-8) raises
:class:`DataFileError`.  JSON Lines is the format to prefer for big files: a broken line costs
one row, where a syntax error in a JSON array ends the read.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from apps.conference.data import FIELDS, Talk

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
_decoder = json.JSONDecoder()
MAX_ITEM = 1 << 20


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
    """Talks streamed from ``path``; the format comes from its suffix (see :data:`FORMATS`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
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
        with self.path.open("rb") as self._raw, io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="") as text:
            try:
                if FORMATS[self.path.suffix.lower()] == "csv":
                    yield from self._csv(text)
                else:
                    yield from self._json(text)
            except UnicodeDecodeError as exc:
                raise DataFileError(f"{self.path}: not UTF-8 text ({exc.reason})") from exc

    def _talk(self, line: int, row: Any) -> Talk | BadRow:
        if not isinstance(row, dict):
            return BadRow(self.path, line, f"expected an object with the talk's fields, got {type(row).__name__}")
        try:
            return Talk.from_dict(row)
        except ValueError as exc:
            return BadRow(self.path, line, str(exc))

    def _csv(self, text: IO[str]) -> Iterator[Talk | BadRow]:
        reader = csv.DictReader(text)
        try:
            if reader.fieldnames is None or sorted(reader.fieldnames) != sorted(FIELDS):
                raise DataFileError(f"{self.path}:1: the header must name the columns {','.join(FIELDS)}")
            end = reader.line_num
            for row in reader:
                if len(row) != len(FIELDS) or None in row.values():
                    yield BadRow(self.path, end + 1, f"expected {len(FIELDS)} values, one per column of the header")
                    end = reader.line_num
                    continue
                # CSV has no numbers, only text: give from_dict the ints it expects where it can.
                for name in ("id", "duration"):
                    if isinstance(row[name], str) and row[name].strip().isdigit():
                        row[name] = int(row[name])
                yield self._talk(end + 1, row)
                end = reader.line_num
        except csv.Error as exc:
            raise DataFileError(f"{self.path}:{reader.line_num}: {exc}") from exc

    def _json(self, text: IO[str]) -> Iterator[Talk | BadRow]:
        lines = enumerate(text, start=1)
        first = True
        for number, line in lines:
            if not line.strip():
                continue
            if first and line.lstrip().startswith("["):
                yield from self._json_array(number, line.lstrip()[1:], lines)
                return
            first = False
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BadRow(self.path, number, f"not JSON: {exc.msg} (column {exc.colno})")
            else:
                yield self._talk(number, row)

    def _json_array(self, start: int, buffer: str, lines: Iterator[tuple[int, str]]) -> Iterator[Talk | BadRow]:
        """Decode one array item at a time, reading lines until the buffer holds a whole one."""
        after_item = False
        while True:
            stripped = buffer.lstrip()
            start += buffer.count("\n", 0, len(buffer) - len(stripped))
            buffer = stripped
            if buffer.startswith("]"):
                if buffer[1:].strip() or any(line.strip() for _, line in lines):
                    raise DataFileError(f"{self.path}:{start}: text after the end of the JSON array")
                return
            if buffer and after_item:
                if not buffer.startswith(","):
                    raise DataFileError(f"{self.path}:{start}: expected ',' or ']' after an array item")
                buffer, after_item = buffer[1:], False
                continue
            if buffer:
                try:
                    item, end = _decoder.raw_decode(buffer)
                except json.JSONDecodeError as exc:
                    # An error at the very end only means the item goes on in the next line.
                    if exc.pos < len(buffer):
                        raise DataFileError(f"{self.path}:{start + exc.lineno - 1}: not JSON: {exc.msg}") from exc
                    if len(buffer) > MAX_ITEM:
                        raise DataFileError(f"{self.path}:{start}: an array item longer than {MAX_ITEM:,} characters") from exc
                else:
                    yield self._talk(start, item)
                    start += buffer.count("\n", 0, end)
                    buffer, after_item = buffer[end:], True
                    continue
            _, line = next(lines, (0, None))
            if line is None:
                raise DataFileError(f"{self.path}:{start}: the JSON array is not closed with ']'")
            buffer += line


def write(talks: Iterable[Talk], out: IO[str], format: str) -> int:
    """Write ``talks`` to ``out`` as ``"csv"``, ``"jsonl"`` or ``"json"``, one at a time; returns how many."""
    count = 0
    if format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        for count, talk in enumerate(talks, start=1):
            writer.writerow(talk.to_dict())
        return count
    separator = "\n" if format == "jsonl" else ",\n"
    out.write("" if format == "jsonl" else "[\n")
    for count, talk in enumerate(talks, start=1):
        out.write(("" if count == 1 else separator) + json.dumps(talk.to_dict(), ensure_ascii=False))
    out.write("\n" if format == "jsonl" else "\n]\n")
    return count
