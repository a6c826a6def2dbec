"""What a :class:`~wsgi_stack.sampler.Sampler` saw, as data that merges exactly and travels as JSON.

Stacks are keyed by :data:`~wsgi_stack.profile_paths.Frame` tuples whose file names are
normalised, so samples from several workers and hosts add up into one.  The JSON form uses lists
for tuples; :meth:`Samples.from_json` checks every field, since the file it reads may have been
written by another host or tampered with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgi_stack.profile_paths import Frame


@dataclass
class Samples:
    """Stacks (root first) with their seconds, and line counts, as a ``Sampler`` saw them.

    ``lines`` counts, per ``(normalised file, line)``, the samples in which that line was running
    in some frame of the stack (inclusive, once per sample).  ``count`` is the number of stacks
    seen: one per watched thread per look, so with several threads :meth:`total` is their sum.
    """

    stacks: dict[tuple[Frame, ...], float] = field(default_factory=dict)
    lines: dict[tuple[str, int], int] = field(default_factory=dict)
    count: int = 0
    interval: float = 0.005

    def total(self) -> float:
        """The seconds credited to all stacks."""
        return sum(self.stacks.values())

    def merge(self, other: Samples) -> None:
        """Add ``other`` into these samples (the interval stays this one's)."""
        for stack, seconds in other.stacks.items():
            self.stacks[stack] = self.stacks.get(stack, 0.0) + seconds
        for line, hits in other.lines.items():
            self.lines[line] = self.lines.get(line, 0) + hits
        self.count += other.count

    def to_json(self) -> dict[str, Any]:
        """These samples as JSON-safe data, read back by :meth:`from_json`: each frame is listed
        once in ``frames`` and stacks refer to it by index."""
        frames: dict[Frame, int] = {}
        stacks = [
            [[frames.setdefault(frame, len(frames)) for frame in stack], seconds]
            for stack, seconds in self.stacks.items()
        ]
        return {
            "interval": self.interval,
            "count": self.count,
            "frames": [list(frame) for frame in frames],
            "stacks": stacks,
            "lines": [[file, line, hits] for (file, line), hits in self.lines.items()],
        }

    @classmethod
    def from_json(cls, data: object) -> Samples:
        """Samples from :meth:`to_json`'s output; ``ValueError`` if ``data`` is not of that shape."""
        if not isinstance(data, dict) or set(data) != {"interval", "count", "frames", "stacks", "lines"}:
            raise ValueError("samples must be an object with interval, count, frames, stacks and lines")
        samples = cls(interval=_number(data["interval"]), count=_whole(data["count"]))
        if samples.interval <= 0:
            raise ValueError("the interval must be positive")
        frames = [frame_from_json(frame) for frame in _list(data["frames"])]
        for item in _list(data["stacks"]):
            indices, seconds = _pair(item)
            stack = frames_at(frames, indices)
            samples.stacks[stack] = samples.stacks.get(stack, 0.0) + _number(seconds)
        for item in _list(data["lines"]):
            if not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str):
                raise ValueError(f"a line count must be [file, line, hits]: {item!r:.80}")
            key = (item[0], _whole(item[1]))
            samples.lines[key] = samples.lines.get(key, 0) + _whole(item[2])
        return samples


def frame_from_json(value: object) -> Frame:
    """``[file, line, name]`` as a frame; ``ValueError`` if it is not one."""
    if (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[2], str)
    ):
        return (value[0], _whole(value[1]), value[2])
    raise ValueError(f"a frame must be [file, line, name]: {value!r:.80}")


def frames_at(frames: list[Frame], indices: object) -> tuple[Frame, ...]:
    """The frames at ``indices`` (a JSON list of whole numbers); ``ValueError`` if one is not there."""
    try:
        if not isinstance(indices, list) or (indices and min(indices) < 0):
            raise ValueError
        return tuple(map(frames.__getitem__, indices))
    except (TypeError, IndexError, ValueError):
        raise ValueError(f"a stack must be a list of frame numbers: {indices!r:.80}") from None


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list: {value!r:.80}")
    return value


def _pair(value: object) -> list[Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(f"a stack must be [frames, seconds]: {value!r:.80}")
    return value


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"expected a whole number: {value!r:.80}")
    return value


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"expected a finite, non-negative number: {value!r:.80}")
    return float(value)
