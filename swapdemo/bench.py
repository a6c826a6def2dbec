"""Benchmarks, measured side by side in one run and reported as ratios.

Usage::

    python -m swapdemo.bench [--quick] [--only NAME ...] [--json FILE] [--database-url URL]

Each comparison runs its variants interleaved (A, B, C, A, B, C, ...) for
several rounds, so a machine that speeds up or slows down affects them all
alike; the table shows the median per-round ratio to the first variant, with
the spread (lowest to highest ratio).  A demo adds its suite through its
registry entry (``bench=``); each suite is a module with ``comparisons(quick: bool) -> list[Comparison]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import os
import platform
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import Any


def suites() -> tuple[str, ...]:
    """The foundation's benchmarks, then each registered demo's."""
    from swapdemo import registry

    return ("swapdemo.bench_stack", *(entry.bench for entry in registry.ENTRIES if entry.bench))


@dataclasses.dataclass
class Variant:
    """One side of a comparison.

    :param label: its name in the table.
    :param measure: runs one round and returns the figure: seconds per
        operation, or operations per second when the comparison is a rate.
    """

    label: str
    measure: Callable[[], float]


@dataclasses.dataclass
class Comparison:
    """Variants measured interleaved; the first is the baseline of the ratios.

    :param rate: figures are operations per second (higher is better) rather
        than seconds per operation.
    :param unit: figures are plain quantities in this unit (``"MiB"``), not times.
    :param target: a sentence stating the goal, printed under the table.
    :param setup: called once before the first round, ``teardown`` after the last.
    """

    name: str
    variants: list[Variant]
    rounds: int = 7
    rate: bool = False
    unit: str = ""
    target: str = ""
    setup: Callable[[], Any] | None = None
    teardown: Callable[[], Any] | None = None


def per_call(function: Callable[[], Any], number: int, clock: Callable[[], float] = time.perf_counter) -> Callable[[], float]:
    """A ``measure`` that runs ``function`` ``number`` times and returns seconds per call.

    Pass ``clock=time.process_time`` for work that stays on this process's CPU:
    it leaves out time taken by other processes (and, in a VM, by other guests).
    """

    def measure() -> float:
        started = clock()
        for _ in range(number):
            function()
        return (clock() - started) / number

    return measure


def run(comparison: Comparison) -> dict[str, Any]:
    if comparison.setup:
        comparison.setup()
    try:
        figures: dict[str, list[float]] = {v.label: [] for v in comparison.variants}
        for _ in range(comparison.rounds):
            for variant in comparison.variants:
                figures[variant.label].append(variant.measure())
    finally:
        if comparison.teardown:
            comparison.teardown()
    baseline = figures[comparison.variants[0].label]
    rows = []
    for variant in comparison.variants:
        ratios = [value / base for value, base in zip(figures[variant.label], baseline, strict=True)]
        rows.append(
            {
                "variant": variant.label,
                "median": statistics.median(figures[variant.label]),
                "ratio": statistics.median(ratios),
                "ratio_low": min(ratios),
                "ratio_high": max(ratios),
            }
        )
    return {
        "name": comparison.name,
        "rate": comparison.rate,
        "unit": comparison.unit,
        "rounds": comparison.rounds,
        "target": comparison.target,
        "rows": rows,
    }


def _figure(value: float, rate: bool, unit: str = "") -> str:
    if unit:
        return f"{value:.3g} {unit}"
    if rate:
        return f"{value:,.0f}/s"
    for unit, scale in (("s", 1), ("ms", 1e-3), ("µs", 1e-6)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-9:.3g} ns"


def render(result: dict[str, Any]) -> str:
    lines = [f"{result['name']}  ({result['rounds']} interleaved rounds)"]
    for row in result["rows"]:
        spread = f"[{row['ratio_low']:.2f}–{row['ratio_high']:.2f}]"
        lines.append(f"  {row['variant']:<48} {_figure(row['median'], result['rate'], result['unit']):>12}  x{row['ratio']:<6.2f} {spread}")
    if result["target"]:
        lines.append(f"  target: {result['target']}")
    return "\n".join(lines)


def isolate(environ: MutableMapping[str, str], database_url: str | None = None) -> list[str]:
    """Make ``environ`` the suite's defaults; returns the names of the variables it dropped.

    Benchmarks migrate, sign users in, import and delete rows: never in the user's own data
    folder, database, cache or provider.  ``database_url`` is the one database they may use.
    """
    dropped = sorted(name for name in environ if name.startswith("SWAPDEMO_") or name == "DATABASE_URL")
    for name in dropped:
        del environ[name]
    environ["SWAPDEMO_DATA_DIR"] = tempfile.mkdtemp(prefix="swapdemo-bench-")
    environ["SWAPDEMO_SECRET_KEY"] = secrets.token_urlsafe(32)  # one per run: the servers it starts share it
    if database_url:
        environ["DATABASE_URL"] = database_url
    return dropped


def machine() -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count(), "processor": platform.processor() or platform.machine()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m swapdemo.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds: a smoke run, not figures to quote")
    parser.add_argument("--only", nargs="*", default=(), metavar="NAME", help="run comparisons whose name contains one of these words")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a database the benchmarks may migrate, empty and fill (default: an SQLite file in a temporary folder)",
    )
    args = parser.parse_args(argv)
    dropped = isolate(os.environ, args.database_url)
    results = []
    print(f"swapdemo bench on {machine()}\n", flush=True)
    if dropped:
        print(f"not used: {', '.join(dropped)}; the bench measures the defaults (--database-url names a database it may fill)\n")
    try:
        _run_suites(args, results)
    finally:
        shutil.rmtree(os.environ["SWAPDEMO_DATA_DIR"], ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    return 0


def _run_suites(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    for suite in suites():
        try:
            comparisons = importlib.import_module(suite).comparisons(args.quick)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] in ("apps", "swapdemo", "wsgi_stack", "tests"):
                raise
            print(f"skipped {suite}: it needs {exc.name}, which the test extra installs (pip install -e '.[test]')\n")
            continue
        for comparison in comparisons:
            if args.only and not any(word in comparison.name for word in args.only):
                continue
            if args.quick:
                comparison.rounds = min(comparison.rounds, 3)
            result = run(comparison)
            results.append(result)
            print(render(result) + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
