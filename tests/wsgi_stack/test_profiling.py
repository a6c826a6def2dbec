"""The profiler layer: gating, sampling, streaming, the stats page and its downloads."""

from __future__ import annotations

import cProfile
import os
import platform
import pstats
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import webtest

from wsgi_stack import profile_worker
from wsgi_stack.profile_store import SUFFIX
from wsgi_stack.profiling import Profiler

LOCAL = {"REMOTE_ADDR": "127.0.0.1"}
REMOTE = {"REMOTE_ADDR": "203.0.113.5"}
TOKEN = "correct-horse-battery-staple"


def swapdemo_marker_function() -> int:
    return sum(n * n for n in range(100))


def make_app(seen: list[bool]):
    def app(environ, start_response):
        seen.append(environ["wsgi_stack.profiled"])
        swapdemo_marker_function()
        start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"hello"]

    return app


def stack(app, tmp_path, **options) -> webtest.TestApp:
    profiler = Profiler(validator(app), stats_dir=tmp_path, flush_every=0, **options)
    return webtest.TestApp(validator(profiler), extra_environ=LOCAL)


def environ_for(path: str = "/", **extra: str) -> dict:
    environ = {**LOCAL, "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", **extra}
    setup_testing_defaults(environ)
    return environ


@pytest.fixture
def seen() -> list[bool]:
    return []


@pytest.fixture
def client(seen, tmp_path) -> webtest.TestApp:
    """A profiled app without a token, visited from loopback."""
    return stack(make_app(seen), tmp_path)


def test_profiled_functions_appear_on_the_page(client, seen):
    client.get("/")
    client.get("/")
    page = client.get("/__profile__")
    assert seen == [True, True]
    assert page.content_type == "text/html"
    assert page.headers["Cache-Control"] == "no-store"
    assert "swapdemo_marker_function" in page.text
    assert 'href="/__profile__/stats.prof"' in page.text


def test_get_query_string_and_post_form_both_work(client):
    client.get("/")
    by_get = client.get("/__profile__?sort=cumulative&limit=20&mode=callees&fulldirs=1")
    by_post = client.post("/__profile__", {"sort": "calls", "limit": "100", "filename": "test_profiling.py"})
    assert "swapdemo_marker_function" in by_get.text
    assert "swapdemo_marker_function" in by_post.text


def test_function_names_are_escaped_and_bad_input_is_rejected_unreflected(client):
    client.get("/")
    page = client.get("/__profile__?sort=cumulative&evil=<script>")
    assert "&lt;genexpr&gt;" in page.text
    assert "<genexpr>" not in page.text
    assert "<script>" not in page.text
    assert 'action="/__profile__"' in page.text
    bad = client.post("/__profile__", {"filename": '"><script>alert(1)</script>'}, status=400)
    assert bad.content_type == "text/html" and "filename may hold only" in bad.text
    assert "<script>" not in bad.text
    client.get("/__profile__?sort=nonsense", status=400)
    client.get("/__profile__?limit=0", status=400)


def test_page_links_include_the_mount_prefix(client):
    page = client.get("/__profile__", extra_environ={"SCRIPT_NAME": "/mnt"})
    assert 'action="/mnt/__profile__"' in page.text
    assert 'href="/mnt/__profile__/callgrind.out"' in page.text


def test_clear_forgets_the_accumulated_stats(client, tmp_path):
    client.get("/")
    client.post("/__profile__", {"clear": "Clear"}, headers={"Origin": "http://localhost:80"})
    assert "swapdemo_marker_function" not in client.get("/__profile__").text
    assert list(tmp_path.glob("*" + SUFFIX)) == []


def test_another_site_cannot_clear_the_stats(client):
    client.get("/")
    client.get("/__profile__?clear=1")  # an <img> on any page could send this
    client.post(
        "/__profile__", {"clear": "Clear"}, headers={"Origin": "https://elsewhere.example"}, status=400
    )
    assert "swapdemo_marker_function" in client.get("/__profile__").text


def test_with_a_token_every_client_needs_it_loopback_included(seen, tmp_path):
    client = stack(make_app(seen), tmp_path, token=TOKEN)
    refused = client.get("/__profile__", status=403)  # a proxy on the same host looks like loopback
    assert refused.content_type == "text/html" and "X-Profile-Token" in refused.text
    wrong = {"X-Profile-Token": "guess"}
    client.get("/__profile__", headers=wrong, extra_environ=REMOTE, status=403)
    client.get("/__profile__/stats.prof", extra_environ=REMOTE, status=403)
    client.get(f"/__profile__?token={TOKEN}&X-Profile-Token={TOKEN}", extra_environ=REMOTE, status=403)
    for where in (REMOTE, LOCAL):
        client.get("/__profile__", headers={"X-Profile-Token": TOKEN}, extra_environ=where, status=200)


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_without_a_token_loopback_clients_get_in_when_they_name_the_server_locally(client, host):
    extra = {"HTTP_HOST": host}
    client.get("/__profile__", extra_environ={**extra, "REMOTE_ADDR": "::1"}, status=200)
    client.get("/__profile__", headers={"X-Profile-Token": ""}, extra_environ={**extra, **REMOTE}, status=403)
    client.get("/__profile__/nowhere", extra_environ=extra, status=404)


def test_a_dns_rebinding_page_cannot_read_the_stats(client):
    # The browser connects to 127.0.0.1 but sends the attacker's name as Host.
    client.get("/__profile__", extra_environ={"HTTP_HOST": "rebind.attacker.example:8000"}, status=403)
    client.get(
        "/__profile__/stats.prof", extra_environ={"HTTP_HOST": "127.0.0.1.attacker.example"}, status=403
    )


def test_requests_are_served_unprofiled_while_another_is_profiled(tmp_path, monkeypatch):
    monkeypatch.setattr(profile_worker, "_BUSY_TIMEOUT", 0.05)
    seen: list[tuple[str, bool]] = []
    started, release = threading.Event(), threading.Event()

    def slow_body():
        yield b"begin "
        started.set()
        release.wait(10)
        yield b"end"

    def app(environ, start_response):
        seen.append((environ["PATH_INFO"], environ["wsgi_stack.profiled"]))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return slow_body() if environ["PATH_INFO"] == "/slow" else [b"fast"]

    client = stack(app, tmp_path)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(client.get, "/slow")
        try:
            assert started.wait(10)
            assert client.get("/fast").text == "fast"
            page = client.get("/__profile__")
            assert "A cProfiled request is still running" in page.text
        finally:
            release.set()
        assert slow.result().text == "begin end"
    assert seen == [("/slow", True), ("/fast", False)]
    assert client.get("/again").status_int == 200
    assert seen[-1] == ("/again", True)


def test_another_active_profiler_does_not_break_requests(client, seen):
    other = cProfile.Profile()
    other.enable()
    try:
        response = client.get("/")
    finally:
        other.disable()
    assert response.text == "hello"
    assert seen == [False]


def test_body_is_streamed_and_inner_iterable_closed(tmp_path):
    produced: list[int] = []

    class Body:
        closed = False

        def __iter__(self):
            for n in range(3):
                produced.append(n)
                yield b"chunk %d" % n

        def close(self):
            Body.closed = True

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return Body()

    layer = validator(Profiler(validator(app), stats_dir=tmp_path, flush_every=0))
    result = layer(environ_for(), lambda status, headers, exc_info=None: None)
    assert next(iter(result)) == b"chunk 0"
    assert produced == [0]
    result.close()
    assert Body.closed


def test_exc_info_passes_through_and_errors_release_the_profiler(tmp_path):
    calls = []

    def app(environ, start_response):
        if environ["PATH_INFO"] == "/raise":
            raise RuntimeError("app broke")
        try:
            raise KeyError("missing")
        except KeyError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info())
        return [(environ["wsgi_stack.profiled"] and b"profiled") or b"not profiled"]

    def start_response(status, headers, exc_info=None):
        calls.append((status, exc_info))

    layer = validator(Profiler(validator(app), stats_dir=tmp_path, flush_every=0))
    with pytest.raises(RuntimeError, match="app broke"):
        layer(environ_for("/raise"), start_response)
    result = layer(environ_for("/"), start_response)
    assert list(result) == [b"profiled"]
    result.close()
    (status, exc_info) = calls[0]
    assert status.startswith("500")
    assert exc_info[0] is KeyError and str(exc_info[1]) == "'missing'"


def test_sampling_profiles_one_request_in_n_unless_asked(seen, tmp_path):
    client = stack(make_app(seen), tmp_path, sample_every=3)
    for _ in range(3):
        client.get("/")
    assert seen == [True, False, False]
    client.get("/")  # the 4th: sampled
    client.get("/", headers={"X-Profile": "1"})
    client.get("/", headers={"X-Profile": "1"}, extra_environ=REMOTE)
    client.get("/")  # the 7th: sampled
    client.get("/", headers={"X-Profile": "1"}, extra_environ={"HTTP_HOST": "rebind.attacker.example"})
    assert seen[3:] == [True, True, False, True, False]


def test_with_a_token_only_the_token_forces_profiling(seen, tmp_path):
    client = stack(make_app(seen), tmp_path, token=TOKEN, sample_every=3)
    client.get("/")
    client.get("/", headers={"X-Profile": "1"})
    client.get("/", headers={"X-Profile": TOKEN}, extra_environ=REMOTE)
    assert seen == [True, False, True]


def test_stats_are_written_only_when_looked_at(client, tmp_path):
    for _ in range(3):
        client.get("/")
    assert list(tmp_path.glob("*" + SUFFIX)) == []
    client.get("/__profile__")
    (record,) = tmp_path.glob("*" + SUFFIX)
    assert f"-{os.getpid()}-py{platform.python_version()}" in record.name


def test_downloads_load_in_pstats_and_kcachegrind(client, tmp_path):
    client.get("/__profile__/stats.prof", status=404)
    client.get("/__profile__/callgrind.out", status=404)
    client.get("/")
    download = client.get("/__profile__/stats.prof")
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="swapdemo-py{platform.python_version()}-')
    saved = tmp_path / "download.prof"
    saved.write_bytes(download.body)
    names = {name for (_, _, name) in pstats.Stats(str(saved)).stats}
    assert "swapdemo_marker_function" in names
    callgrind = client.get("/__profile__/callgrind.out").body.decode()
    assert "events:" in callgrind
    assert "swapdemo_marker_function" in callgrind


def test_invalid_options_fail_at_construction(tmp_path):
    with pytest.raises(ValueError, match="sample_every"):
        Profiler(make_app([]), sample_every=-1, stats_dir=tmp_path)
    with pytest.raises(ValueError, match="path"):
        Profiler(make_app([]), path="__profile__/", stats_dir=tmp_path)


def test_the_token_never_reaches_the_app(tmp_path) -> None:
    seen = {}

    def app(environ, start_response):
        seen.update({k: v for k, v in environ.items() if k.startswith("HTTP_X_PROFILE")})
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    client = webtest.TestApp(
        validator(Profiler(app, token="s3cret", stats_dir=tmp_path)), lint=False, extra_environ=REMOTE
    )
    client.get("/", headers={"X-Profile-Token": "s3cret", "X-Profile": "s3cret"})
    assert seen == {}
