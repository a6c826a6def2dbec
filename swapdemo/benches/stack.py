"""The foundation's benchmarks: what the stack, the profiler and the server cost.

Run them with ``python -m swapdemo.bench --only stack profil served``.
"""

from __future__ import annotations

import logging
import os
import time
from typing import TYPE_CHECKING, Any

from swapdemo.benches import Comparison, Variant, call, hosts, per_call, profiler
from swapdemo.benches.hello import mounted, stacked
from swapdemo.benches.load import generator
from swapdemo.kernel.site import django_app
from swapdemo.servers import ServerProcess
from swapdemo.servers import gunicorn as gunicorn_command

if TYPE_CHECKING:
    from collections.abc import Callable

    from _typeshed.wsgi import WSGIApplication


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
    alone, layered = mounted(app), stacked(app)

    def measured(target: WSGIApplication) -> Callable[[], float]:
        return per_call(lambda: call(target, path), number, time.process_time)

    return [
        Variant("mounted app alone (Mount + app)", measured(alone)),
        Variant("all layers, profiling off", measured(layered)),
        Variant("all layers, access log written to /dev/null", _with_access_log(measured(layered))),
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


def served_throughput(quick: bool) -> Comparison:
    # The environment carries the bench's secret key (bench.isolate), so every worker shares it.
    waitress = ServerProcess(["-m", "swapdemo.stack", "--port", "{port}"])
    gunicorn = ServerProcess(gunicorn_command(["swapdemo.stack:application"], workers=2))
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
    return [
        stack_overhead(quick),
        layers_own_cost(quick),
        *profiler.comparisons(quick),
        served_throughput(quick),
        *hosts.comparisons(quick),
    ]
