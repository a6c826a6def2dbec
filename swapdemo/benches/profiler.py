"""The profiler's benchmarks: its cost against a true cProfile floor, the sampler's cost, repoze.profile's
growth, and the merge and page for many workers.  :mod:`swapdemo.benches.stack` lists them.
"""

from __future__ import annotations

import cProfile
import dataclasses
import functools
import pstats
import shutil
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant, call, per_call
from swapdemo.benches.hello import PATH as HELLO
from swapdemo.benches.hello import bare_cprofile, stacked
from swapdemo.benches.repoze_profile import repoze_growth
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.site import django_app
from swapdemo.stack import make_app
from wsgi_stack.profile_store import Shelf, merge

if TYPE_CHECKING:
    from collections.abc import Callable


ALL_DEMOS = ("/", "/jinja/", "/jinja/dtl/", "/jinja/talks/1/", "/api/talks/", "/forms/", "/auth/", "/idp/")


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
