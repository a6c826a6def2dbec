"""repoze.profile 2.3 as shipped, against the requests it has served: its cost is not a fixed factor.

It compiles a fresh code string per request and rewrites its whole stats file, which grows, so each
request costs more than the one before.  :mod:`swapdemo.benches.profiler` lists this comparison.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant, call, per_call
from swapdemo.benches.hello import PATH as HELLO
from swapdemo.benches.hello import bare_cprofile, stacked
from swapdemo.kernel.site import django_app

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from _typeshed.wsgi import WSGIApplication


def _repoze(app: WSGIApplication, stats_dir: str) -> WSGIApplication:
    with warnings.catch_warnings():  # repoze.profile imports cgi
        warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
        from repoze.profile.profiler import ProfileMiddleware
    log = os.path.join(stats_dir, "repoze.prof")
    return ProfileMiddleware(app, log_filename=log, discard_first_request=False, unwind=True)


def repoze_growth(quick: bool, stats_dir: Path) -> Comparison:
    """repoze.profile 2.3 as shipped, per request, after 100, 1,000 and 3,000 requests served."""
    hello = django_app("swapdemo.urls")
    off, floor = stacked(hello), stacked(hello, instead=bare_cprofile)
    points = (100, 300, 1000) if quick else (100, 1000, 3000)
    state: dict[str, Any] = {}

    def after(served: int) -> Callable[[], float]:
        def measure() -> float:
            if served == points[0]:
                state["app"], state["served"] = stacked(_repoze(hello, str(stats_dir))), 0
            while state["served"] < served - 20:
                call(state["app"], HELLO)
                state["served"] += 1
            seconds = per_call(lambda: call(state["app"], HELLO), 20, time.process_time)()
            state["served"] += 20
            return seconds

        return measure

    return Comparison(
        "profiling: repoze.profile 2.3 as shipped, against requests served (CPU time per request)",
        [
            Variant("profiling off", per_call(lambda: call(off, HELLO), 200, time.process_time)),
            Variant(
                "cProfile alone, on once per request (floor)",
                per_call(lambda: call(floor, HELLO), 200, time.process_time),
            ),
            *(Variant(f"repoze.profile, requests {n - 19:,}-{n:,}", after(n)) for n in points),
        ],
        rounds=1,
        target="none: it rewrites its whole stats file per request, and the file grows",
    )
