"""List every demo with a one-line summary and its command.

Usage::

    python -m swapdemo
"""

from __future__ import annotations

from swapdemo import registry


def main() -> int:
    print("swapdemo: Django used in non-standard ways. Every demo, and how to run it:\n")
    for entry in registry.demos():
        where = f"  at {entry.prefix}/" if entry.prefix else ""
        print(f"  {entry.command:<36} {entry.title}{where}")
        print(f"  {'':<36} swaps: {entry.swaps}")
        print(f"  {'':<36} read:  {entry.read_first}\n")
    print("  python -m swapdemo.stack             all of them in one process, behind the WSGI stack")
    print("  python -m swapdemo.bench             the benchmarks, side by side")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
