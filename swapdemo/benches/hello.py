"""A Django hello view mounted at ``/demo`` under the stack's layers: what the benches time."""

from __future__ import annotations

import cProfile
from typing import TYPE_CHECKING, Any

from swapdemo.kernel.config import from_environment
from swapdemo.landing import make_landing
from swapdemo.stack import layers
from wsgi_stack import build
from wsgi_stack.mount import Mount
from wsgi_stack.profiling import Profiler

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PATH = "/demo/hello/"


def mounted(hello: WSGIApplication) -> WSGIApplication:
    return Mount({"/demo": hello}, default=make_landing({"/demo"}))


def stacked(
    hello: WSGIApplication, profile: bool = False, instead: Any = None, **profiler: Any
) -> WSGIApplication:
    """``hello`` mounted under every layer, the profiler's options replaced by ``profiler``; with
    ``instead``, that layer (``instead(app)``) stands where the profiler would."""
    config = from_environment().replace(profile=profile or instead is not None)
    stack = [
        (layer, {**options, **profiler} if layer is Profiler else options)
        for layer, options in layers(config)
    ]
    if instead is not None:
        stack = [(instead, {}) if layer is Profiler else (layer, options) for layer, options in stack]
    return build(mounted(hello), stack)


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
