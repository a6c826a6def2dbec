"""The bench harness: variants measured side by side, interleaved, and reported as ratios.

Each module of this package is one suite (``swapdemo/benches/<demo>.py``, named after its registry
entry, plus ``stack.py`` for the foundation) with ``comparisons(quick: bool) -> list[Comparison]``;
``python -m swapdemo.bench`` runs them.  Each comparison runs its variants interleaved (A, B, C,
A, B, C, ...) for several rounds, so a machine that speeds up or slows down affects them all alike;
the table shows the median per-round ratio to the first variant, with the spread.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import statistics
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from _typeshed.wsgi import WSGIApplication


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


def per_call(
    function: Callable[[], Any], number: int, clock: Callable[[], float] = time.perf_counter
) -> Callable[[], float]:
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


def figure(value: float, rate: bool, unit: str = "") -> str:
    """A figure in its unit: ``9.17 ms``, ``3,836/s``, ``48.4 MiB``."""
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
        lines.append(
            f"  {row['variant']:<48} {figure(row['median'], result['rate'], result['unit']):>12}"
            f"  x{row['ratio']:<6.2f} {spread}"
        )
    if result["target"]:
        lines.append(f"  target: {result['target']}")
    return "\n".join(lines)


def _start_response(
    status: str, headers: list[tuple[str, str]], exc_info: Any = None
) -> Callable[[bytes], None]:
    return lambda data: None


def gets(
    apps: Mapping[str, WSGIApplication], labels: Mapping[str, str], path: str, number: int
) -> list[Variant]:
    """A variant per key of ``labels``: ``number`` GETs of ``path`` through ``apps[key]``.

    The app is looked up when the variant is measured, so a comparison's set-up may fill ``apps``.
    """
    return [
        Variant(label, per_call(functools.partial(_get, apps, key, path), number))
        for key, label in labels.items()
    ]


def _get(apps: Mapping[str, WSGIApplication], key: str, path: str) -> None:
    call(apps[key], path)


def call(app: WSGIApplication, path: str) -> None:
    """One ``GET path`` through ``app`` in this process, its body read and closed as a server does."""
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    body = app(environ, _start_response)
    try:
        for _ in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
