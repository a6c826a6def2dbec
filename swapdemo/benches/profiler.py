"""The profiler's benchmarks: its cost against a true cProfile floor, the sampler's cost, repoze.profile's
growth, and the merge and page for many workers.  :mod:`swapdemo.benches.stack` lists them.
"""

from __future__ import annotations

import cProfile
import dataclasses
import functools
import os
import pstats
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant, call, per_call
from swapdemo.benches.hello import PATH as HELLO
from swapdemo.benches.hello import stacked
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.site import django_app
from swapdemo.stack import make_app
from wsgi_stack.profile_store import Shelf, merge

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ALL_DEMOS = ("/", "/jinja/", "/jinja/dtl/", "/jinja/talks/1/", "/api/talks/", "/forms/", "/auth/", "/idp/")


def bare_cprofile(app: WSGIApplication) -> WSGIApplication:
    """The floor: one cProfile on for the whole request, body read and closed as a server does,
    standing where the Profiler stands in the stack (so it profiles the same layers)."""
    profiler = cProfile.Profile()

    def profiled(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        profiler.enable()
        try:
            body = app(environ, start_response)
            try:
                chunks = list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            profiler.disable()
        return chunks

    return profiled


def _repoze(app: WSGIApplication, stats_dir: str) -> WSGIApplication:
    with warnings.catch_warnings():  # repoze.profile imports cgi
        warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
        from repoze.profile.profiler import ProfileMiddleware
    log = os.path.join(stats_dir, "repoze.prof")
    return ProfileMiddleware(app, log_filename=log, discard_first_request=False, unwind=True)


def profiling_cost(quick: bool, stats_dir: Path) -> Comparison:
    hello = django_app("swapdemo.urls")
    folder = {"stats_dir": stats_dir, "flush_every": 0}
    apps = {
        "off": stacked(hello),
        "floor": stacked(hello, instead=bare_cprofile),
        "every": stacked(hello, profile=True, **folder, sample_every=1),
        "every, no sampler": stacked(hello, profile=True, **folder, sample_every=1, sampler_interval=None),
        "1 in 20": stacked(hello, profile=True, **folder, sample_every=20),
        "sampler only": stacked(hello, profile=True, **folder, sample_every=0),
    }
    labels = {
        "off": "profiling off",
        "floor": "cProfile alone, on once per request (floor)",
        "every": "Profiler, every request (+ sampler)",
        "every, no sampler": "Profiler, every request, no sampler",
        "1 in 20": "Profiler, cProfile 1 request in 20",
        "sampler only": "Profiler, sampler only",
    }
    number = 200 if quick else 1000
    return Comparison(
        "profiling: Django hello view through the stack (CPU time)",
        [
            Variant(labels[key], per_call(functools.partial(call, app, HELLO), number, time.process_time))
            for key, app in apps.items()
        ],
        rounds=15,
        target="every request within x1.05 of the floor (the floor's ratio times 1.05)",
    )


def sampler_latency(quick: bool, stats_dir: Path) -> Comparison:
    """Wall-clock time per request of a page that takes milliseconds, with and without the sampler."""
    config = from_environment()
    off = make_app(config)
    sampled = make_app(config.replace(profile=True, profile_sample_every=0, profile_dir=stats_dir))
    number = 20 if quick else 100
    return Comparison(
        "profiling: the sampler's cost on /jinja/ (wall-clock time per request)",
        [
            Variant("sampler off", per_call(lambda: call(off, "/jinja/"), number)),
            Variant("sampler every 5 ms (the default)", per_call(lambda: call(sampled, "/jinja/"), number)),
        ],
        rounds=15,
        target="at most x1.10",
    )


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


def merge_and_page(quick: bool, stats_dir: Path) -> Comparison:
    """8 workers' records of a profile of every demo: merged, and the whole page with its flame graph."""
    config = from_environment().replace(profile=True, profile_dir=stats_dir, profile_flush_seconds=3600)
    per_request = stats_dir.parent / f"{stats_dir.name}-per-request"
    made: dict[str, Any] = {}
    requests = 80 if quick else 400

    def setup() -> None:
        app, plain = make_app(config), make_app(config.replace(profile=False))
        per_request.mkdir()
        for number in range(requests):
            path = ALL_DEMOS[number % len(ALL_DEMOS)]
            call(app, path)
            single = cProfile.Profile()
            single.runcall(call, plain, path)
            single.dump_stats(per_request / f"{number}.prof")
        call(app, "/__profile__")  # flushes this worker's record
        (record,) = Shelf(stats_dir).load()[0]
        for pid in range(1, 8):  # seven more workers, on two hosts, with this one's functions
            Shelf(stats_dir).save(dataclasses.replace(record, host=f"host-{pid % 2}", pid=pid))
        made.update(app=app, python=record.python, files=sorted(per_request.glob("*.prof")))

    def naive() -> None:
        stats = pstats.Stats(str(made["files"][0]))
        for file in made["files"][1:]:
            stats.add(str(file))

    def ours() -> None:
        records, _ = Shelf(stats_dir).load()
        merge(records, made["python"])

    def page() -> None:
        call(made["app"], "/__profile__")

    return Comparison(
        f"profiling: merging workers' stats (a profile of every demo, {requests} requests)",
        [
            Variant(f"pstats.Stats.add over {requests} per-request files", per_call(naive, 1)),
            Variant("8 workers' records: load and merge", per_call(ours, 3)),
            Variant("8 workers' records: the whole /__profile__ page", per_call(page, 3)),
        ],
        rounds=7,
        target="the page under 300 ms",
        setup=setup,
        teardown=lambda: shutil.rmtree(per_request, ignore_errors=True),
    )


def _remove(teardown: Callable[[], Any] | None, folder: Path) -> None:
    if teardown:
        teardown()
    shutil.rmtree(folder, ignore_errors=True)


def comparisons(quick: bool) -> list[Comparison]:
    data_dir = from_environment().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    made: list[Comparison] = []
    for build_one in (profiling_cost, sampler_latency, repoze_growth, merge_and_page):
        folder = Path(tempfile.mkdtemp(prefix="profile-", dir=data_dir))  # the bench removes its data folder
        comparison = build_one(quick, folder)
        comparison.teardown = functools.partial(_remove, comparison.teardown, folder)
        made.append(comparison)
    return made
