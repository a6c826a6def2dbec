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
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from apps.conference.data import FIELDS, Talk
from apps.orm_scripts.jsonstream import ArrayError, array_items, first_line
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}


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
        blank, lead = first_line(text)
        if lead.lstrip().startswith("["):
            try:
                for line, item in array_items(text, lead, lead.index("[") + 1, blank + 1):
                    yield self._talk(line, item)
            except ArrayError as exc:
                raise DataFileError(f"{self.path}:{exc.line}: {exc}") from exc
            return
        if lead.endswith("\r"):
            rest = text.readline()
            first = [lead + rest] if rest == "\n" else [lead, rest]
        else:
            first = [lead if lead.endswith("\n") else lead + text.readline()]
        for number, source in enumerate(itertools.chain(first, text), start=blank + 1):
            if not source.strip():
                continue
            try:
                row = json.loads(source)
            except json.JSONDecodeError as exc:
                yield BadRow(self.path, number, f"not JSON: {exc.msg} (column {exc.colno})")
            else:
                yield self._talk(number, row)


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
