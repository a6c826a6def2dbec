"""List every demo with a one-line summary and its command, or describe one.

Usage::

    python -m swapdemo            # every demo
    python -m swapdemo jinja      # one demo: what it swaps, what to read, how to run it
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from swapdemo import registry

if TYPE_CHECKING:
    from collections.abc import Sequence


def _describe(entry: registry.Entry) -> None:
    where = f"  at {entry.prefix}/" if entry.prefix else ""
    print(f"  {entry.command:<36} {entry.title}{where}")
    print(f"  {'':<36} swaps: {entry.swaps}")
    print(f"  {'':<36} read:  {entry.read_first}\n")


def main(argv: Sequence[str] | None = None) -> int:
    names = [entry.name for entry in registry.demos()]
    parser = argparse.ArgumentParser(prog="python -m swapdemo", description="The demos of swapdemo.")
    parser.add_argument("name", nargs="?", help=f"one demo: {', '.join(names)}")
    args = parser.parse_args(argv)
    if args.name is not None and args.name not in names:
        print(
            f"python -m swapdemo: no demo is called {args.name!r}; the demos are {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    if args.name is not None:
        _describe(registry.get(args.name))
        return 0
    print("swapdemo: Django used in non-standard ways. Every demo, and how to run it:\n")
    for entry in registry.demos():
        _describe(entry)
    print("  python -m swapdemo.stack             all of them in one process, behind the WSGI stack")
    print("  python -m swapdemo.bench             the benchmarks, side by side")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
