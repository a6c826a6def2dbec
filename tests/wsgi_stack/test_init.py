"""The WSGI rules every layer of the stack must keep, checked on each of them, and how build()
folds the layers.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest

from tests.wsgi_stack.conftest import Streaming
from wsgi_stack import build
from wsgi_stack.access_log import AccessLog
from wsgi_stack.mount import Mount
from wsgi_stack.request_id import RequestId
from wsgi_stack.static import StaticFiles


def _layer_cases(tmp_path: Path):
    return {
        "RequestId": lambda app: RequestId(app),
        "AccessLog": lambda app: AccessLog(app, logger=_info_logger()),
        "StaticFiles": lambda app: StaticFiles(app, roots=[tmp_path]),
        "Mount": lambda app: Mount({"/m": app}),
        "Profiler": lambda app: _profiler(app, tmp_path),
    }


def _info_logger() -> logging.Logger:
    logger = logging.getLogger("tests.access")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    return logger


def _profiler(app, tmp_path):
    from wsgi_stack.profiling import Profiler

    return Profiler(app, stats_dir=tmp_path)


LAYERS = ["RequestId", "AccessLog", "StaticFiles", "Mount", "Profiler"]


def _environ(path: str = "/m/x") -> dict:
    environ: dict = {"SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", "REMOTE_ADDR": "127.0.0.1"}
    setup_testing_defaults(environ)
    return environ


@pytest.mark.parametrize("name", LAYERS)
def test_layer_streams_without_buffering_and_closes_the_inner_iterable(name: str, tmp_path: Path) -> None:
    inner = Streaming()
    app = validator(_layer_cases(tmp_path)[name](validator(inner)))
    started = []
    body = app(_environ(), lambda status, headers, exc_info=None: started.append(status))
    iterator = iter(body)
    assert next(iterator) == b"chunk 0\n"
    assert inner.produced == 1, "the layer read ahead of what the server asked for"
    body.close()
    assert inner.closed
    assert started == ["200 OK"]


@pytest.mark.parametrize("name", LAYERS)
def test_layer_passes_exc_info_through(name: str, tmp_path: Path) -> None:
    seen = []

    def failing(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [b"failed"]

    def start_response(status, headers, exc_info=None):
        seen.append((status, exc_info and exc_info[0]))

    app = _layer_cases(tmp_path)[name](failing)
    body = app(_environ(), start_response)
    body_bytes = b"".join(body)
    getattr(body, "close", lambda: None)()
    assert body_bytes == b"failed"
    assert seen[-1] == ("500 Internal Server Error", RuntimeError)


def test_the_folded_stack_is_outermost_first() -> None:
    order = []

    def named(tag):
        def layer(app, **options):
            def wrapped(environ, start_response):
                order.append(tag)
                return app(environ, start_response)

            return wrapped

        return layer

    app = build(Streaming(), [(named("outer"), {}), (named("inner"), {})])
    list(app(_environ(), lambda *a: None))
    assert order == ["outer", "inner"]
