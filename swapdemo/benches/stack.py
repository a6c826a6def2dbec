"""The foundation's benchmarks: what the stack, the profiler and the server cost.

Run them with ``python -m swapdemo.bench --only stack profil served``.
"""

from __future__ import annotations

import cProfile
import logging
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant, call, per_call
from swapdemo.benches.load import generator
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.site import django_app
from swapdemo.landing import make_landing
from swapdemo.servers import ServerProcess
from swapdemo.stack import layers
from wsgi_stack import build
from wsgi_stack.mount import Mount
from wsgi_stack.profiling import Profiler

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def _mounted(hello: WSGIApplication) -> WSGIApplication:
    return Mount({"/demo": hello}, default=make_landing({"/demo"}))


def _stacked(hello: WSGIApplication, profile: bool = False, **profiler: Any) -> WSGIApplication:
    config = from_environment().replace(profile=profile)
    stack = [
        (layer, {**options, **profiler} if layer is Profiler else options)
        for layer, options in layers(config)
    ]
    return build(_mounted(hello), stack)


def _with_access_log(measure: Callable[[], float]) -> Callable[[], float]:
    def logged() -> float:
        logger = logging.getLogger("wsgi_stack.access")
        with open(os.devnull, "w") as devnull:
            handler = logging.StreamHandler(devnull)
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
            try:
                return measure()
            finally:
                logger.removeHandler(handler)
                logger.setLevel(logging.NOTSET)

    return logged


def _layer_variants(app: WSGIApplication, path: str, number: int) -> list[Variant]:
    """The app mounted alone, under all layers, and under all layers writing the access log (CPU time)."""
    mounted, stacked = _mounted(app), _stacked(app)

    def measured(target: WSGIApplication) -> Callable[[], float]:
        return per_call(lambda: call(target, path), number, time.process_time)

    return [
        Variant("mounted app alone (Mount + app)", measured(mounted)),
        Variant("all layers, profiling off", measured(stacked)),
        Variant("all layers, access log written to /dev/null", _with_access_log(measured(stacked))),
    ]


def stack_overhead(quick: bool) -> Comparison:
    hello = django_app("swapdemo.urls")
    number = 50 if quick else 100
    return Comparison(
        "stack overhead: Django hello view in-process (CPU time)",
        [
            *_layer_variants(hello, "/demo/hello/", number),
            Variant(
                "the Django app alone, unmounted",
                per_call(lambda: call(hello, "/hello/"), number, time.process_time),
            ),
        ],
        # Many short rounds: the overhead is a few microseconds, and the median of many
        # side-by-side pairs is what filters out the other processes on a 2-core machine.
        rounds=101,
        target="all layers with profiling off add at most 3% (x1.03)",
    )


def _noop(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def layers_own_cost(quick: bool) -> Comparison:
    return Comparison(
        "stack overhead: the layers' own cost, around an app that does nothing (CPU time)",
        _layer_variants(_noop, "/demo/x", 2000 if quick else 20000),
        rounds=15,
        target="the difference of the first two, divided by the Django hello view's time above, "
        "is the layers' share (at most 3%)",
    )


def _repoze(app: WSGIApplication, stats_dir: str) -> WSGIApplication:
    with warnings.catch_warnings():  # repoze.profile imports cgi
        warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
        from repoze.profile.profiler import ProfileMiddleware
    return ProfileMiddleware(
        app, log_filename=os.path.join(stats_dir, "repoze.prof"), discard_first_request=False, unwind=True
    )


def _bare_cprofile(app: WSGIApplication) -> WSGIApplication:
    profiler = cProfile.Profile()

    def profiled(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return profiler.runcall(lambda: list(app(environ, start_response)))

    return profiled


def profiling_cost(quick: bool) -> Comparison:
    hello = django_app("swapdemo.urls")
    data_dir = from_environment().data_dir
    data_dir.mkdir(parents=True, exist_ok=True)
    stats_dir = tempfile.mkdtemp(
        prefix="profile-", dir=data_dir
    )  # the bench removes its data folder at the end
    off = _stacked(hello)
    every = _stacked(hello, profile=True, stats_dir=Path(stats_dir), sample_every=1)
    sampled = _stacked(hello, profile=True, stats_dir=Path(stats_dir), sample_every=20)
    repoze = _stacked(_repoze(hello, stats_dir))
    bare = _stacked(_bare_cprofile(hello))
    number = 200 if quick else 1000
    cpu = time.process_time
    return Comparison(
        "profiling: Django hello view through the stack (CPU time)",
        [
            Variant("profiling off", per_call(lambda: call(off, "/demo/hello/"), number, cpu)),
            Variant("Profiler, every request", per_call(lambda: call(every, "/demo/hello/"), number, cpu)),
            Variant(
                "Profiler, 1 request in 20", per_call(lambda: call(sampled, "/demo/hello/"), number, cpu)
            ),
            Variant(
                "cProfile alone, every request", per_call(lambda: call(bare, "/demo/hello/"), number, cpu)
            ),
            Variant(
                "repoze.profile 2.3 as shipped",
                per_call(lambda: call(repoze, "/demo/hello/"), max(number // 10, 20), cpu),
            ),
        ],
        rounds=15,
        target="every request at most x5, 1 in 20 at most x1.3 (repoze.profile as shipped: about x40)",
        teardown=lambda: shutil.rmtree(stats_dir, ignore_errors=True),
    )


def served_throughput(quick: bool) -> Comparison:
    # The environment carries the bench's secret key (bench.isolate), so every worker shares it.
    waitress = ServerProcess(["-m", "swapdemo.stack", "--port", "{port}"])
    gunicorn = ServerProcess(
        ["-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:{port}", "swapdemo.stack:application"]
    )
    labels = {id(waitress): "waitress (python -m swapdemo.stack)", id(gunicorn): "gunicorn -w 2"}
    servers = (waitress, gunicorn)
    name, load = generator()
    seconds = 1 if quick else 3

    def variant(server: ServerProcess, connections: int) -> Variant:
        label = f"{labels[id(server)]}, {connections} connection(s)"
        return Variant(label, lambda: load(server.url + "/", connections, seconds))

    def setup() -> None:
        for server in servers:
            server.start()
        for server in servers:
            load(server.url + "/", 2, 1)

    return Comparison(
        f"served throughput of / ({name}, keep-alive)",
        [variant(waitress, 1), variant(waitress, 8), variant(gunicorn, 1), variant(gunicorn, 8)],
        rounds=5,
        rate=True,
        target="the default server (waitress) keeps at least 80% of its 1-connection rate at 8 (x0.80)",
        setup=setup,
        teardown=lambda: [server.stop() for server in servers],
    )


def comparisons(quick: bool) -> list[Comparison]:
    return [stack_overhead(quick), layers_own_cost(quick), profiling_cost(quick), served_throughput(quick)]
