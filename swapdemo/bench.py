"""Benchmarks, measured side by side in one run and reported as ratios.

Usage::

    python -m swapdemo.bench [--quick] [--only WORD ...] [--json FILE] [--database-url URL] [--redis-url URL]

The suites are the modules of :mod:`swapdemo.benches`: ``stack`` first, then one per registered
demo that has one (``swapdemo/benches/<name>.py``).  See :mod:`swapdemo.benches` for the method.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import importlib.util
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django

from swapdemo import registry
from swapdemo.benches import render, report, run

if TYPE_CHECKING:
    from collections.abc import MutableMapping, Sequence


def suites() -> tuple[str, ...]:
    """The foundation's benchmarks, then each registered demo's, in registry order."""
    names = ["stack", *(entry.name for entry in registry.ENTRIES)]
    modules = (f"swapdemo.benches.{name}" for name in names)
    return tuple(module for module in modules if importlib.util.find_spec(module) is not None)


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
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "processor": platform.processor() or platform.machine(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m swapdemo.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer, shorter rounds: a smoke run, not figures to quote"
    )
    parser.add_argument(
        "--only",
        nargs="*",
        default=(),
        metavar="NAME",
        help="run comparisons whose name contains one of these words",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    parser.add_argument(
        "--markdown",
        type=Path,
        metavar="FILE",
        help="also write the tables into FILE's bench blocks (docs/benchmarks.md)",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="a database the benchmarks may migrate, empty and fill "
        "(default: an SQLite file in a temporary folder)",
    )
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        help="a Redis the live-push benchmarks may write a stream to (without it they run in one process)",
    )
    args = parser.parse_args(argv)
    dropped = isolate(os.environ, args.database_url)
    if args.redis_url:
        os.environ["SWAPDEMO_BENCH_REDIS_URL"] = args.redis_url
    results: list[dict[str, Any]] = []
    print(f"swapdemo bench on {machine()}\n", flush=True)
    if dropped:
        print(
            f"not used: {', '.join(dropped)}; the bench measures the defaults "
            "(--database-url names a database it may fill)\n"
        )
    try:
        _run_suites(args, results)
    finally:
        shutil.rmtree(os.environ["SWAPDEMO_DATA_DIR"], ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "results": results}, indent=2))
    if args.markdown:
        command = " ".join(["python -m swapdemo.bench", *(argv if argv is not None else sys.argv[1:])])
        replacements = {**report.blocks(results), "machine": _measured_on(command)}
        args.markdown.write_text(report.splice(args.markdown.read_text(), replacements))
    return 0


def _measured_on(command: str) -> str:
    about = machine()
    return (
        f"Measured on {datetime.date.today().isoformat()} with `{command}`, on {about['cpus']} CPUs "
        f"({about['processor']}, {about['platform']}), Python {about['python']}, "
        f"Django {django.get_version()}."
    )


def _run_suites(args: argparse.Namespace, results: list[dict[str, Any]]) -> None:
    for suite in suites():
        try:
            comparisons = importlib.import_module(suite).comparisons(args.quick)
        except ModuleNotFoundError as exc:
            if (exc.name or "").partition(".")[0] in ("apps", "swapdemo", "wsgi_stack", "tests"):
                raise
            print(
                f"skipped {suite}: it needs {exc.name}, which the test extra installs "
                "(pip install -e '.[test]')\n"
            )
            continue
        for comparison in comparisons:
            if args.only and not any(word in comparison.name for word in args.only):
                continue
            if args.quick:
                comparison.rounds = min(comparison.rounds, 3)
            result = {"suite": suite, **run(comparison)}
            results.append(result)
            print(render(result) + "\n", flush=True)


if __name__ == "__main__":
    sys.exit(main())
