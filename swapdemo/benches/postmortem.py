"""What keeping a crash costs: the snapshot against the standard library's and Django's reports.

Run them with ``python -m swapdemo.bench --only post-mortem``.  Four comparisons:

- a crash 30 frames deep, each frame holding a request-sized environ, a page of talks and a few
  scalars: the 95th percentile of 50 captures, by :func:`wsgi_stack.postmortem.snapshot.take`,
  by ``traceback.TracebackException(capture_locals=True)`` and by Django's
  ``ExceptionReporter.get_traceback_data()`` (what its 500 mail and debug page are built from);
- the same crash with one frame also holding a 200,000-item list and a 10 MB string;
- what is kept: the snapshot's JSON against Django's HTML report, for both crashes;
- a flood of 10,000 identical crashes into the file store: crashes a second, and the bytes on disk.

Each capture gets a crash of its own (``take`` releases the frames it read).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.views.debug import ExceptionReporter

from apps.conference import load_talks
from swapdemo.benches import Comparison, Variant
from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.snapshot import take
from wsgi_stack.postmortem.store import SAMPLES, FileStore

if TYPE_CHECKING:
    from collections.abc import Callable

ENVIRON = {
    **{f"HTTP_X_HEADER_{n}": f"value {n}" for n in range(25)},
    "REQUEST_METHOD": "GET",
    "PATH_INFO": "/jinja/talks/7/",
    "QUERY_STRING": "page=2",
    "HTTP_HOST": "127.0.0.1:8000",
    "REMOTE_ADDR": "127.0.0.1",
}


def _descend(levels: int, environ: dict[str, Any], big: Any) -> None:
    talks = list(load_talks()[:20])  # noqa: F841 (what a view holds)
    page, title = levels, f"frame {levels}"  # noqa: F841
    if levels:
        _descend(levels - 1, environ, big)
    else:
        raise LookupError("no talk 7")


def crash(big: Any = None) -> BaseException:
    """A fresh exception whose traceback is 30 frames deep (``big`` held by every frame)."""
    try:
        _descend(28, dict(ENVIRON), big)
    except LookupError as exc:
        return exc
    raise AssertionError


REDACTOR = Redactor(["a-secret-key-for-the-bench-only"])
CAPTURES: dict[str, Callable[[BaseException], Any]] = {
    "swapdemo snapshot (bounded, redacted JSON)": lambda e: take(e, dict(ENVIRON), REDACTOR),
    "TracebackException(capture_locals=True)": lambda e: traceback.TracebackException.from_exception(
        e, capture_locals=True
    ),
    "Django ExceptionReporter.get_traceback_data()": lambda e: ExceptionReporter(
        None, type(e), e, e.__traceback__
    ).get_traceback_data(),
}


def _p95(capture: Callable[[BaseException], Any], big: Any, number: int) -> Callable[[], float]:
    def measure() -> float:
        times = []
        for _ in range(number):
            error = crash(big)
            started = time.perf_counter()
            capture(error)
            times.append(time.perf_counter() - started)
        return statistics.quantiles(times, n=20)[-1] if number >= 2 else times[0]

    return measure


def _sizes(big: Any) -> list[Variant]:
    return [
        Variant(
            "swapdemo snapshot, JSON",
            lambda: len(json.dumps(take(crash(big), dict(ENVIRON), REDACTOR))) / 1024,
        ),
        Variant(
            "Django's HTML report (get_traceback_html)",
            lambda: (
                len(
                    ExceptionReporter(
                        None, LookupError, error := crash(big), error.__traceback__
                    ).get_traceback_html()
                )
                / 1024
            ),
        ),
    ]


def _flood(count: int) -> tuple[Variant, Variant]:
    kept: dict[str, float] = {}

    def rate() -> float:
        store = FileStore(Path(os.environ["SWAPDEMO_DATA_DIR"]) / f"flood-{len(kept)}")
        started = time.perf_counter()
        for _ in range(count):
            store.save(take(crash(), dict(ENVIRON), REDACTOR))
        kept["bytes"] = sum(p.stat().st_size for p in store.folder.iterdir()) / 2**10
        return count / (time.perf_counter() - started)

    size = Variant("the store's folder afterwards (index and samples)", lambda: kept["bytes"])
    return Variant(f"{count:,} identical crashes, captured and stored", rate), size


def comparisons(quick: bool) -> list[Comparison]:
    small, big_number = (10, 2) if quick else (50, 5)
    big = {"rows": list(range(200_000)), "blob": "x" * 10_000_000}
    flood = 500 if quick else 10_000
    flood_rate, flood_size = _flood(flood)
    return [
        Comparison(
            "post-mortem: capturing a 30-frame crash (p95 of each round's captures)",
            [Variant(label, _p95(capture, None, small)) for label, capture in CAPTURES.items()],
            rounds=3 if quick else 7,
            target="the snapshot at most 5 ms p95 (after a first capture, which reads and hashes each file)",
            setup=lambda: [capture(crash()) for capture in CAPTURES.values()],
        ),
        Comparison(
            "post-mortem: the same crash holding a 200k-item list and a 10 MB string (p95)",
            [
                Variant(label, _p95(capture, big, 1 if "Django" in label else big_number))
                for label, capture in CAPTURES.items()
            ],
            rounds=2 if quick else 3,
            target="the snapshot at most 10 ms p95; Django's report walks the whole list",
        ),
        Comparison(
            "post-mortem: what a 30-frame crash keeps",
            _sizes(None),
            rounds=1,
            unit="KiB",
            target="a stored snapshot at most 256 KiB",
        ),
        Comparison(
            "post-mortem: what the crash with a big list keeps",
            _sizes(big),
            rounds=1,
            unit="KiB",
            target="a stored snapshot at most 256 KiB",
        ),
        Comparison(
            "post-mortem: a flood of identical crashes into the file store",
            [flood_rate],
            rounds=1,
            rate=True,
        ),
        Comparison(
            "post-mortem: bytes on disk after the flood",
            [flood_size],
            rounds=1,
            unit="KiB",
            target=f"one group with a counter and the last {SAMPLES} snapshots",
        ),
    ]


if __name__ == "__main__":
    sys.exit("run it with: python -m swapdemo.bench --only post-mortem")
