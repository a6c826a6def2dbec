"""Sampled stacks as a speedscope file, one profile per worker, to open at https://www.speedscope.app.

The format is speedscope's own (``src/lib/file-format-spec.ts``): frames are listed once in
``shared.frames`` and every profile refers to them by index, so the workers' profiles share one
frame table.  Each profile is ``"sampled"``: one entry in ``samples`` per distinct stack, root
first, weighted by its seconds of wall time.  Stacks are in sorted order, not in time order: the
samples were merged, so speedscope's "Time Order" view shows grouped stacks, not a timeline.

Usage::

    json.dumps(document([("web-1 pid 42 3.12.4", sampler.snapshot())], exporter="swapdemo 0.1"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wsgi_stack.profile_paths import Frame
    from wsgi_stack.samples import Samples

SCHEMA = "https://www.speedscope.app/file-format-schema.json"


def document(
    profiles: Sequence[tuple[str, Samples]], *, exporter: str, name: str = "swapdemo"
) -> dict[str, Any]:
    """A speedscope file (as JSON-ready data) with one sampled profile per ``(name, samples)``.

    ``ValueError`` if ``profiles`` is empty: speedscope opens no file without a profile.
    """
    if not profiles:
        raise ValueError("a speedscope file needs at least one profile")
    frames: list[dict[str, Any]] = []
    index: dict[Frame, int] = {}

    def frame_index(frame: Frame) -> int:
        if frame not in index:
            index[frame] = len(frames)
            frames.append(_frame(frame))
        return index[frame]

    converted = []
    for profile_name, samples in profiles:
        stacks = sorted(samples.stacks.items())
        weights = [seconds for _, seconds in stacks]
        converted.append(
            {
                "type": "sampled",
                "name": profile_name,
                "unit": "seconds",
                "startValue": 0,
                "endValue": sum(weights),
                "samples": [[frame_index(frame) for frame in stack] for stack, _ in stacks],
                "weights": weights,
            }
        )
    return {
        "$schema": SCHEMA,
        "shared": {"frames": frames},
        "profiles": converted,
        "name": name,
        "activeProfileIndex": 0,
        "exporter": exporter,
    }


def _frame(frame: Frame) -> dict[str, Any]:
    file, line, name = frame
    if file == "~":  # a C function: pstats' convention, with no file or line to show
        return {"name": name}
    return {"name": name, "file": file, "line": line}
