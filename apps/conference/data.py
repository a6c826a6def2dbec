"""The conference domain every demo shares: the `Talk` row, the shipped dataset, and a generator.

`load_talks()` returns the talks in ``talks.json`` (about 120, three days of DjangoCon-style
sessions), read once per process. `generate()` makes as many more as a benchmark or an import
needs, with the same shape and the same schedule rules, without holding them in memory.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, fields
from functools import cache
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

DATA_FILE = Path(__file__).parent / "talks.json"
TIME_ZONE = ZoneInfo("America/Los_Angeles")  # the talks' days and start times are the conference's
LEVELS = ("beginner", "intermediate", "advanced")


@dataclass(frozen=True, slots=True)
class Talk:
    """One talk; `day` and `start` are typed, `to_dict()`/`from_dict()` use their text forms."""

    id: int
    title: str
    speaker: str
    track: str
    room: str
    day: dt.date
    start: dt.time
    duration: int
    level: str
    abstract: str

    @property
    def end(self) -> dt.time:
        """When the talk ends: `start` plus `duration` minutes."""
        start = dt.datetime.combine(self.day, self.start)
        return (start + dt.timedelta(minutes=self.duration)).time()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values keyed by `FIELDS`, in order: the shape of a ``talks.json`` row."""
        row = {name: getattr(self, name) for name in FIELDS}
        return row | {"day": self.day.isoformat(), "start": self.start.strftime("%H:%M")}

    @classmethod
    def from_dict(cls, row: Mapping[str, Any]) -> Talk:
        """Build a talk from a `to_dict()`-shaped mapping.

        Raises `ValueError` naming the field when one is missing, unknown or invalid: ids and
        durations are positive ints, text is non-empty, `day` is ISO, `start` is ``"HH:MM"`` (or
        ``"HH:MM:SS"``) and
        `level` is one of `LEVELS`.
        """
        if unknown := sorted(row.keys() - set(FIELDS)):
            raise ValueError(f"talk has unknown field(s): {', '.join(map(repr, unknown))}")
        values: dict[str, Any] = {}
        for name in FIELDS:
            if name not in row:
                raise ValueError(f"talk is missing field {name!r}")
            try:
                values[name] = _PARSERS[name](row[name])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"talk field {name!r} is invalid: {exc}") from exc
        return cls(**values)


FIELDS = tuple(field.name for field in fields(Talk))


def _positive_int(value: object) -> int:
    # bool is an int subclass, but True is not an id or a duration.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a positive integer, got {value!r}")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected non-empty text, got {value!r}")
    return value


def _level(value: object) -> str:
    if not isinstance(value, str) or value not in LEVELS:
        raise ValueError(f"expected one of {', '.join(LEVELS)}, got {value!r}")
    return value


def _clock(value: str) -> dt.time:
    # HH:MM as the dataset writes it, or HH:MM:SS as Django REST Framework's TimeField sends it.
    return dt.datetime.strptime(value, "%H:%M:%S" if value.count(":") == 2 else "%H:%M").time()


_PARSERS: dict[str, Callable[[Any], object]] = dict.fromkeys(FIELDS, _text) | {
    "id": _positive_int,
    "duration": _positive_int,
    "day": dt.date.fromisoformat,
    "start": _clock,
    "level": _level,
}


@cache
def load_talks() -> tuple[Talk, ...]:
    """The shipped talks, sorted by (day, start, room); a bad row raises `ValueError` naming it."""
    talks = []
    for index, row in enumerate(json.loads(DATA_FILE.read_text(encoding="utf-8"))):
        try:
            talks.append(Talk.from_dict(row))
        except ValueError as exc:
            raise ValueError(f"{DATA_FILE.name}, row {index}: {exc}") from exc
    return tuple(sorted(talks, key=lambda talk: (talk.day, talk.start, talk.room)))


_FIRST_DAY = dt.date(2009, 9, 8)
_TRACK_ROOMS = (("Core", "Salon A"), ("Ecosystem", "Salon B"), ("Deployment", "Salon C"))
_TIMES = tuple(dt.time(*divmod(minute, 60)) for minute in range(24 * 60))
_VERBS = ("Scaling", "Testing", "Caching", "Securing", "Profiling", "Deploying", "Debugging")
_TOPICS = (
    "the ORM",
    "Templates",
    "Forms",
    "Middleware",
    "the Admin",
    "Signals",
    "Migrations",
    "Sessions",
    "Static Files",
    "Search",
    "APIs",
    "Background Jobs",
    "Unicode",
)
_ENDINGS = ("in Practice", "Without Tears", "at Scale", "from Scratch", "the Hard Way")
_FIRST_NAMES = ("Ada", "Björn", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hiro", "Inès", "José")
_LAST_NAMES = ("Abara", "Berg", "Castillo", "Dvořák", "Eriksen", "Fontaine", "Gupta", "Haas", "Ito")
_TITLES = tuple((f"{verb} {topic} {end}", topic) for verb in _VERBS for topic in _TOPICS for end in _ENDINGS)
_SPEAKERS = tuple(f"{first} {last}" for first in _FIRST_NAMES for last in _LAST_NAMES)


def generate(n: int, *, seed: int = 0) -> Iterator[Talk]:
    """Yield `n` made-up talks with ids 1..n, lazily; the same `seed` gives the same talks.

    Each day has a 09:00 keynote, three rooms of 25/40/50-minute talks from 10:00 to 17:00 and
    twelve lightning talks from 17:00, so no room double-books; days run on from 2009-09-08.
    Raises `ValueError` at once for a negative `n`.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return _generate(n, random.Random(seed))


def _generate(n: int, rng: random.Random) -> Iterator[Talk]:
    choice = rng.choice
    for ident, (day, track, room, minute, duration) in zip(range(1, n + 1), _slots(rng), strict=False):
        title, topic = choice(_TITLES)
        level = choice(LEVELS)
        yield Talk(
            ident,
            title,
            choice(_SPEAKERS),
            track,
            room,
            day,
            _TIMES[minute],
            duration,
            level,
            f"What real projects learned about {topic}; for {level} Django developers.",
        )


def _slots(rng: random.Random) -> Iterator[tuple[dt.date, str, str, int, int]]:
    for offset in count():
        day = _FIRST_DAY + dt.timedelta(days=offset)
        yield day, "Keynotes", "Ballroom", 9 * 60, 50
        for track, room in _TRACK_ROOMS:
            minute = 10 * 60
            while minute + (duration := rng.choice((25, 40, 50))) <= 17 * 60:
                yield day, track, room, minute, duration
                minute += duration + 10
        for k in range(12):
            yield day, "Lightning", "Ballroom", 17 * 60 + 5 * k, 5
