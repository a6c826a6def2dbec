"""One name per function on every host: file names in profiles made independent of where Python lives.

cProfile keys a function by ``(absolute file name, first line, name)``, so one function in two
virtualenvs, or on two hosts, becomes two rows that never merge.  :func:`normalise` rewrites the
file name by this convention, tried in this order:

- under a ``site-packages/`` or ``dist-packages/`` folder: the path below it (``django/db/utils.py``);
- under the standard library: ``<stdlib>/`` and the path below it (``<stdlib>/json/decoder.py``);
- under the project root (the folder holding ``wsgi_stack``): the path below it
  (``wsgi_stack/sampler.py``);
- anything else, ``~`` (pstats' file name for C functions), ``<frozen …>`` and ``<string>`` are
  kept as they are.

:func:`resolve` maps a normalised name back to a file on this host, to show its source.
:func:`normalise_stats` and :func:`add_stats` rewrite and merge ``pstats.Stats.stats`` dicts as
plain dicts, the way ``Stats.add`` does but without loading a ``Stats`` per file; :func:`to_pstats`
turns one into a ``pstats.Stats``.
"""

from __future__ import annotations

import functools
import os
import pstats
import re
import sys
import sysconfig
from pathlib import Path

Frame = tuple[str, int, str]
CallerStats = tuple[int, int, float, float]
FunctionStats = tuple[int, int, float, float, dict[Frame, CallerStats]]
Stats = dict[Frame, FunctionStats]

STDLIB = "<stdlib>/"
PROJECT_ROOT = Path(__file__).parent.parent  # unresolved, as in the code objects' file names

_PACKAGES = re.compile(r".*/(?:site|dist)-packages/")
# In reverse order a folder comes before any folder that holds it (a venv's platstdlib may be inside).
_STDLIB_DIRS = sorted({Path(sysconfig.get_paths()[key]) for key in ("stdlib", "platstdlib")}, reverse=True)


@functools.lru_cache(maxsize=8192)
def normalise(filename: str) -> str:
    """``filename`` as the same name on every host (see the module docstring for the convention)."""
    if filename == "~" or filename.startswith("<"):
        return filename
    name = filename.replace(os.sep, "/")
    packages = _PACKAGES.match(name)
    if packages:
        return name[packages.end() :]
    for folder in _STDLIB_DIRS:
        prefix = folder.as_posix() + "/"
        if name.startswith(prefix):
            return STDLIB + name[len(prefix) :]
    root = PROJECT_ROOT.as_posix() + "/"
    return name[len(root) :] if name.startswith(root) else filename


def resolve(normalised: str) -> Path | None:
    """The ``.py`` file on this host that :func:`normalise` turned into ``normalised``, or ``None``.

    A ``<stdlib>/`` name is looked for in the standard library, an absolute name as it is, any
    other under the project root, then under each absolute ``sys.path`` entry.  Names with ``..``
    parts, and files that are not ``.py``, are never resolved: the name may come from a request.
    """
    if not normalised.endswith(".py") or ".." in Path(normalised).parts:
        return None
    if normalised.startswith(STDLIB):
        candidates = [folder / normalised[len(STDLIB) :] for folder in _STDLIB_DIRS]
    elif Path(normalised).is_absolute():
        candidates = [Path(normalised)]
    else:
        folders = [PROJECT_ROOT, *(Path(entry) for entry in sys.path if os.path.isabs(entry))]
        candidates = [folder / normalised for folder in folders]
    return next((path for path in candidates if path.is_file()), None)


def normalise_stats(stats: Stats) -> Stats:
    """``stats`` with every key, callers' keys included, normalised; entries that collide are summed."""
    merged: Stats = {}
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.items():
        renamed: dict[Frame, CallerStats] = {}
        for (caller_file, caller_line, caller_name), counts in callers.items():
            _add_caller(renamed, (normalise(caller_file), caller_line, caller_name), counts)
        _add_function(merged, (normalise(filename), line, name), (cc, nc, tt, ct, renamed))
    return merged


def to_pstats(stats: Stats) -> pstats.Stats:
    """``stats`` as a ``pstats.Stats`` (sorting, printing, converters), without a file."""
    return pstats.Stats(_Loaded(stats))  # type: ignore[arg-type]  # pstats takes any create_stats()


class _Loaded:
    """What ``pstats.Stats`` loads from: anything with ``create_stats()`` and ``stats``."""

    def __init__(self, stats: Stats) -> None:
        self.stats = stats

    def create_stats(self) -> None:
        pass


def add_stats(into: Stats, other: Stats) -> None:
    """Add ``other`` into ``into`` as ``pstats.Stats.add`` does: every count and time summed, per
    function and per caller.  ``other`` is left unchanged and shares no dict with ``into``.
    """
    for key, entry in other.items():
        _add_function(into, key, entry)


def _add_function(into: Stats, key: Frame, entry: FunctionStats) -> None:
    cc, nc, tt, ct, callers = entry
    old = into.get(key)
    if old is None:
        into[key] = (cc, nc, tt, ct, dict(callers))
        return
    old_cc, old_nc, old_tt, old_ct, old_callers = old
    merged_callers = dict(old_callers)  # a fresh dict: the old one may be shared with a caller's copy
    for caller, counts in callers.items():
        _add_caller(merged_callers, caller, counts)
    into[key] = (cc + old_cc, nc + old_nc, tt + old_tt, ct + old_ct, merged_callers)


def _add_caller(into: dict[Frame, CallerStats], key: Frame, counts: CallerStats) -> None:
    old = into.get(key)
    if old is None:
        into[key] = counts
    else:
        into[key] = (counts[0] + old[0], counts[1] + old[1], counts[2] + old[2], counts[3] + old[3])
