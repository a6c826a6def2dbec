"""One worker's profile as a record: cProfile's stats and the sampler's stacks, with who made them.

A :class:`Record` travels as gzipped JSON (:meth:`Record.to_bytes`), never ``marshal`` or
``pickle``: it may come from another host, and reading one must not run code, while pstats files
are ``marshal``, which depends on the Python version.  Each function is listed once and named by
its index; the stats are columns, checked in C when read back, so a record of thousands of
functions reads in milliseconds.  :meth:`Record.from_bytes` says why a file is not a record.
"""

from __future__ import annotations

import array
import gzip
import json
import math
import re
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wsgi_stack.samples import Samples, frame_from_json

if TYPE_CHECKING:
    from wsgi_stack.profile_paths import CallerStats, Frame, Stats

FORMAT = "swapdemo-profile/1"
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FIELDS = {
    "format",
    "host",
    "pid",
    "python",
    "requests",
    "profiled",
    "flushed",
    "frames",
    "stats",
    "callers",
    "samples",
}
_COLUMNS = ("function", "cc", "nc", "tt", "ct")


@dataclass
class Record:
    """One worker's profile: cProfile's stats (normalised file names) and the sampler's stacks."""

    host: str
    pid: int
    python: str
    requests: int = 0  # served, each one sampled
    profiled: int = 0  # of which cProfiled
    flushed: float = 0.0
    stats: Stats = field(default_factory=dict)
    samples: Samples = field(default_factory=Samples)

    @property
    def worker(self) -> str:
        return f"{self.host}:{self.pid}"

    def to_bytes(self) -> bytes:
        """This record as gzipped JSON.  Each function is listed once in ``frames`` and named by its
        index elsewhere; the stats are columns (one list per field), which read back fast."""
        frames: dict[Frame, int] = {}
        stats: dict[str, list[Any]] = {name: [] for name in _COLUMNS}
        callers: dict[str, list[Any]] = {name: [] for name in ("caller", *_COLUMNS)}
        for key, (cc, nc, tt, ct, by_caller) in self.stats.items():
            function = frames.setdefault(key, len(frames))
            for column, value in zip(_COLUMNS, (function, cc, nc, tt, ct), strict=True):
                stats[column].append(value)
            for caller, counts in by_caller.items():
                callers["caller"].append(frames.setdefault(caller, len(frames)))
                for column, value in zip(_COLUMNS, (function, *counts), strict=True):
                    callers[column].append(value)
        document = {
            "format": FORMAT,
            "host": self.host,
            "pid": self.pid,
            "python": self.python,
            "requests": self.requests,
            "profiled": self.profiled,
            "flushed": self.flushed,
            "frames": [list(frame) for frame in frames],
            "stats": stats,
            "callers": callers,
            "samples": self.samples.to_json(),
        }
        return gzip.compress(json.dumps(document, separators=(",", ":")).encode(), compresslevel=1)

    @classmethod
    def from_bytes(cls, data: bytes) -> Record:
        """A record from :meth:`to_bytes`' output; ``ValueError`` saying why if it is not one."""
        try:
            document = json.loads(gzip.decompress(data))
        except (OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a gzipped JSON profile ({type(exc).__name__})") from None
        if not isinstance(document, dict) or set(document) != _FIELDS or document["format"] != FORMAT:
            raise ValueError(f"not a {FORMAT} record")
        try:
            frames = [frame_from_json(frame) for frame in document["frames"]]
            table = _table(document["stats"], _COLUMNS, frames)
            by = _table(document["callers"], ("caller", *_COLUMNS), frames)
            callers: dict[int, dict[Frame, CallerStats]] = {}
            for caller, function, cc, nc, tt, ct in zip(*by, strict=True):
                callers.setdefault(function, {})[frames[caller]] = (cc, nc, tt, ct)
            stats: Stats = {
                frames[function]: (cc, nc, tt, ct, callers.get(function, {}))
                for function, cc, nc, tt, ct in zip(*table, strict=True)
            }
            return cls(
                host=_name(document["host"], "host"),
                pid=int(document["pid"]),
                python=_name(document["python"], "python"),
                requests=int(document["requests"]),
                profiled=int(document["profiled"]),
                flushed=float(document["flushed"]),
                stats=stats,
                samples=Samples.from_json(document["samples"]),
            )
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"a {FORMAT} record with a bad field: {str(exc)[:200]}") from None


def _name(value: object, field: str) -> str:
    """A host name or Python version as it may appear in a page, a header or a file name."""
    if not isinstance(value, str) or not _NAME.fullmatch(value):
        raise ValueError(f"{field} must be letters, digits, '.', '-' or '_' (64 at most)")
    return value


def _table(columns: object, names: tuple[str, ...], frames: list[Frame]) -> list[list[Any]]:
    """``columns``' lists in the order of ``names``, checked: frame numbers in range, counts whole,
    times finite, none negative.  The checks run in C (``array``), so a record reads fast."""
    if not isinstance(columns, dict) or set(columns) != set(names):
        raise ValueError(f"a table needs the columns {', '.join(names)}")
    checked = []
    for name in names:
        column = array.array("d" if name in ("tt", "ct") else "q", columns[name])  # TypeError: not numbers
        if column and (min(column) < 0 or not math.isfinite(math.fsum(column))):  # NaN, inf
            raise ValueError(f"{name} holds a negative or infinite number")
        if name in ("function", "caller") and column and max(column) >= len(frames):
            raise ValueError(f"{name} names a frame that is not listed")
        checked.append(column.tolist())
    if len({len(column) for column in checked}) > 1:
        raise ValueError("the columns differ in length")
    return checked
