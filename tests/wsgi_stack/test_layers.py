"""The WSGI rules every layer of the stack must keep, checked on each of them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from swapdemo.kernel.config import load
from swapdemo.stack import layers
from wsgi_stack import build
from wsgi_stack.access_log import AccessLog
from wsgi_stack.mount import Mount
from wsgi_stack.request_id import RequestId
from wsgi_stack.static import StaticFiles


class Streaming:
    """An app whose body is produced lazily, chunk by chunk, and records close()."""

    def __init__(self, chunks: int = 3) -> None:
        self.chunks = chunks
        self.produced = 0
        self.closed = False

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return self._body()

    def _body(self):
        try:
            for index in range(self.chunks):
                self.produced += 1
                yield f"chunk {index}\n".encode()
        finally:
            self.closed = True


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


def test_the_stack_lists_the_profiler_only_when_switched_on(tmp_path: Path) -> None:
    off = load({"SWAPDEMO_SECRET_KEY": "k", "SWAPDEMO_DATA_DIR": str(tmp_path)})
    on = off.replace(profile=True)
    assert [layer.__name__ for layer, _ in layers(off)] == ["RequestId", "AccessLog", "StaticFiles"]
    assert [layer.__name__ for layer, _ in layers(on)] == [
        "RequestId",
        "AccessLog",
        "Profiler",
        "StaticFiles",
    ]


def test_request_id_is_made_or_kept_and_returned() -> None:
    seen = {}

    def app(environ, start_response):
        seen["id"] = environ["wsgi_stack.request_id"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    client = TestApp(validator(RequestId(app)), lint=False)
    made = client.get("/")
    assert made.headers["X-Request-ID"] == seen["id"]
    assert client.get("/").headers["X-Request-ID"] not in ("", made.headers["X-Request-ID"])
    kept = client.get("/", headers={"X-Request-ID": "edge-42.a"})
    assert kept.headers["X-Request-ID"] == "edge-42.a"
    replaced = client.get("/", headers={"X-Request-ID": "<script>"})
    assert replaced.headers["X-Request-ID"] != "<script>"
    untrusted = TestApp(validator(RequestId(app, trust_incoming=False)), lint=False)
    assert untrusted.get("/", headers={"X-Request-ID": "edge-42"}).headers["X-Request-ID"] != "edge-42"


def test_access_log_times_the_request_and_keeps_query_strings_out_of_the_log(caplog) -> None:
    def app(environ, start_response):
        start_response("201 Created", [("Content-Type", "text/plain")])
        return [b"12345", b"678"]

    client = TestApp(validator(RequestId(AccessLog(app))), lint=False)
    with caplog.at_level(logging.INFO, logger="wsgi_stack.access"):
        response = client.get("/callback?code=secret-code&state=s3cr3t")
    assert response.headers["Server-Timing"].startswith("app;dur=")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wsgi_stack.access"]
    assert response.headers["X-Request-ID"] in line
    assert "GET /callback 201 8 " in line
    assert "secret-code" not in line and "s3cr3t" not in line


def test_access_log_lines_cannot_be_forged_through_the_path(caplog) -> None:
    def app(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"no"]

    client = TestApp(validator(AccessLog(app)), lint=False)
    with caplog.at_level(logging.INFO, logger="wsgi_stack.access"):
        client.get("/x%0a- 10.0.0.1 GET /admin/ 200 0 0.1ms%0d/%C3%BCber", status=404)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wsgi_stack.access"]
    assert "\n" not in line and "\r" not in line
    assert "GET /x%0A-%2010.0.0.1%20GET%20/admin/%20200%200%200.1ms%0D/%C3%BCber 404" in line


def test_static_files_are_served_under_the_prefix_and_the_rest_passes(tmp_path: Path) -> None:
    (tmp_path / "site.css").write_text("body { color: red }")
    client = TestApp(validator(StaticFiles(Streaming(1), roots=[tmp_path])), lint=False)
    css = client.get("/static/site.css")
    assert css.text == "body { color: red }" and css.content_type == "text/css"
    assert "max-age=60" in css.headers["Cache-Control"]
    assert client.get("/elsewhere").text == "chunk 0\n"
    assert client.get("/static/missing.css").text == "chunk 0\n"
