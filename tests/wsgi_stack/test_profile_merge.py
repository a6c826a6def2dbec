"""The profiler across workers and hosts: exact merged counts, filters, notes, the function page, exports."""

from __future__ import annotations

import gzip
import html
import json
import marshal
import os
import platform
import pstats
import re
import socket
import time

import pytest
import webtest

from tests.wsgi_stack.test_speedscope import problems
from wsgi_stack import profile_worker
from wsgi_stack.profile_record import Record
from wsgi_stack.profile_store import SUFFIX, Shelf, redis_client
from wsgi_stack.profiling import Profiler

REDIS_URL = os.environ.get("SWAPDEMO_TEST_REDIS_URL")
LOCAL = {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000"}
HERE = "tests/wsgi_stack/test_profile_merge.py"


def planted_view() -> int:
    return sum(n * n for n in range(50))


def slow_view() -> None:
    time.sleep(0.03)  # long enough for the sampler to see it


def app(environ, start_response):
    if environ["PATH_INFO"] == "/planted":
        planted_view()
    if environ["PATH_INFO"] == "/slow":
        slow_view()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def client_for(folder, host="web-1", **options) -> webtest.TestApp:
    profiler = Profiler(app, stats_dir=folder, host=host, flush_every=0, **options)
    return webtest.TestApp(profiler, extra_environ=LOCAL)


def calls_of(page: webtest.TestResponse, name: str) -> int:
    """The call count on a function's page: "N calls in M cProfiled request(s)"."""
    match = re.search(r"<p>(\d+) calls in (\d+) cProfiled", page.text)
    assert match, page.text[:2000]
    return int(match[1])


def function_page(client: webtest.TestApp, **selection: str) -> webtest.TestResponse:
    summary = client.get("/__profile__", params=selection)
    link = re.search(r'href="(/__profile__/function\?[^"]*name=planted_view[^"]*)"', summary.text)
    assert link, "the planted function is not linked from the report"
    return client.get(html.unescape(link[1]))


def test_two_hosts_sharing_a_folder_merge_exactly_and_filter_by_host(tmp_path):
    a, b = client_for(tmp_path, "host-a"), client_for(tmp_path, "host-b")
    for _ in range(7):
        a.get("/planted")
    for _ in range(5):
        b.get("/planted")
    b.get("/other")
    b.get("/__profile__")  # b flushes; a flushes when its page is viewed below
    page = a.get("/__profile__")
    assert "Showing every worker: 13 requests, 13 cProfiled" in page.text
    assert calls_of(function_page(a), "planted_view") == 12
    assert calls_of(function_page(a, host="host-a"), "planted_view") == 7
    worker = f"host-b:{os.getpid()}"
    by_worker = a.get("/__profile__", params={"worker": worker})
    assert "6 requests, 6 cProfiled" in by_worker.text
    assert calls_of(function_page(a, worker=worker), "planted_view") == 5
    a.get("/__profile__", params={"host": "host-c"}, status=404)


def test_a_truncated_or_foreign_file_is_skipped_with_a_note(tmp_path):
    client = client_for(tmp_path)
    client.get("/planted")
    client.get("/__profile__")
    (good,) = tmp_path.glob("*" + SUFFIX)
    (tmp_path / ("cut" + SUFFIX)).write_bytes(good.read_bytes()[:100])
    (tmp_path / "old.prof").write_bytes(marshal.dumps({("x.py", 1, "f"): (1, 1, 0.1, 0.1, {})}))
    wrong = json.dumps({"format": "other", "stats": []}).encode()
    (tmp_path / ("foreign" + SUFFIX)).write_bytes(gzip.compress(wrong))
    page = client.get("/__profile__")
    assert f"Skipped cut{SUFFIX}: not a gzipped JSON profile" in page.text
    assert "Skipped old.prof: not a gzipped JSON profile" in page.text
    assert f"Skipped foreign{SUFFIX}: not a swapdemo-profile/1 record" in page.text
    assert calls_of(function_page(client), "planted_view") == 1


def test_records_of_another_python_are_never_added(tmp_path):
    client = client_for(tmp_path)
    for _ in range(3):
        client.get("/planted")
    client.get("/__profile__")
    (mine,) = (Record.from_bytes(path.read_bytes()) for path in tmp_path.glob("*" + SUFFIX))
    mine.python, mine.host = "3.99.0", "future"
    Shelf(tmp_path).save(mine)
    page = client.get("/__profile__")
    assert "3 requests, 3 cProfiled" in page.text and "3.99.0" in page.text
    assert calls_of(function_page(client), "planted_view") == 3
    assert calls_of(function_page(client, python="3.99.0"), "planted_view") == 3


def test_redis_down_shows_local_stats_with_a_note(tmp_path):
    pytest.importorskip("redis")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    client = client_for(tmp_path, redis=redis_client(f"redis://127.0.0.1:{port}/0"))
    client.get("/planted")
    page = client.get("/__profile__")
    assert "Redis is unreachable (ConnectionError): stats kept in this host&#x27;s folder only." in page.text
    assert "showing this host&#x27;s stats only" in page.text
    assert calls_of(function_page(client), "planted_view") == 1


@pytest.mark.skipif(not REDIS_URL, reason="set SWAPDEMO_TEST_REDIS_URL to run the Redis tests")
def test_hosts_with_their_own_folders_merge_through_redis(tmp_path):
    client = redis_client(REDIS_URL.rsplit("/", 1)[0] + "/12")
    client.flushdb()
    a = client_for(tmp_path / "a", "host-a", redis=client)
    b = client_for(tmp_path / "b", "host-b", redis=client)
    for _ in range(4):
        a.get("/planted")
    for _ in range(9):
        b.get("/planted")
    b.get("/__profile__")
    assert calls_of(function_page(a), "planted_view") == 13
    assert calls_of(function_page(a, host="host-b"), "planted_view") == 9
    a.post("/__profile__", {"clear": "1"})
    assert client.keys("swapdemo:profile:*") == []
    client.flushdb()


def test_the_page_has_a_flame_graph_and_each_function_its_callers_source_and_bytecode(tmp_path):
    client = client_for(tmp_path, sampler_interval=0.001)
    for path in ("/planted", "/slow", "/planted"):
        client.get(path)
    page = client.get("/__profile__")
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    assert "<script" not in svg and "slow_view" in svg and "/__profile__/function?" in svg
    function = function_page(client)
    text = function.text
    assert "<h2>planted_view <small>" + HERE in text
    callers = text[text.index("<h3>Callers") : text.index("<h3>Callees")]
    assert ">app " + HERE in callers
    callees = text[text.index("<h3>Callees") : text.index("<table class=source")]
    assert "builtins.sum" in callees
    line = planted_view.__code__.co_firstlineno
    assert f"<tr><td>{line + 1}</td>" in text  # the body's line, numbered as in the file
    bytecode = text[text.index("<table class=bytecode") :]
    assert re.search(r"<td>(INSTRUMENTED_)?CALL\w*</td>", bytecode)  # 3.12+: cProfile instruments code
    builtin = re.search(r'href="([^"]*builtins\.sum[^"]*)"', callees)
    assert builtin and "C function: no bytecode" in client.get(html.unescape(builtin[1])).text


def test_exports_say_which_hosts_pids_and_python_made_them(tmp_path):
    a, b = client_for(tmp_path, "host-a", sampler_interval=0.001), client_for(tmp_path, "host-b")
    a.get("/slow")
    b.get("/planted")
    b.get("/__profile__")
    version = platform.python_version()
    speedscope = a.get("/__profile__/speedscope.json")
    document = speedscope.json
    assert problems(document) == []
    names = [profile["name"] for profile in document["profiles"]]
    assert f"host host-a pid {os.getpid()} Python {version}" in names
    assert all(profile["unit"] == "seconds" for profile in document["profiles"])
    prof = a.get("/__profile__/stats.prof", params={"host": "host-a"})
    assert (
        f'filename="swapdemo-py{version}-host-a-pid{os.getpid()}.prof"' in prof.headers["Content-Disposition"]
    )
    (tmp_path / "download.prof").write_bytes(prof.body)
    assert any(name == "slow_view" for (_, _, name) in pstats.Stats(str(tmp_path / "download.prof")).stats)
    callgrind = a.get("/__profile__/callgrind.out").text
    assert f"desc: Python: {version}" in callgrind
    assert f"desc: Worker: host host-b pid {os.getpid()}" in callgrind


def test_cprofile_is_switched_on_once_per_request(tmp_path, monkeypatch):
    switches = []

    class Counting(profile_worker.cProfile.Profile):
        def enable(self, *args, **kwargs):
            switches.append("on")
            return super().enable(*args, **kwargs)

    monkeypatch.setattr(profile_worker.cProfile, "Profile", Counting)

    def chunked(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return iter([b"a", b"b", b"c"])

    client = webtest.TestApp(Profiler(chunked, stats_dir=tmp_path, flush_every=0), extra_environ=LOCAL)
    assert client.get("/").text == "abc"
    assert client.get("/").text == "abc"
    assert switches == ["on", "on"]


def test_clearing_on_one_worker_clears_the_others_at_their_next_flush(tmp_path):
    a, b = client_for(tmp_path, "host-a"), client_for(tmp_path, "host-b")
    a.get("/planted")
    b.get("/planted")
    b.get("/__profile__")
    a.post("/__profile__", {"clear": "1"})
    b.get("/planted")  # b still holds its first request, gathered before the clear ...
    b.get("/__profile__")  # ... and forgets it when it next flushes, instead of writing it back
    page = a.get("/__profile__")
    assert "No stats yet" in page.text
    a.get("/planted")
    assert calls_of(function_page(a), "planted_view") == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["stats"]["tt"].__setitem__(-1, float("nan")), "tt holds a negative or infinite"),
        (lambda d: d.__setitem__("python", "3.12\r\nSet-Cookie: x=1"), "python must be letters"),
        (lambda d: d.__setitem__("host", "<script>"), "host must be letters"),
        (lambda d: d["stats"]["function"].__setitem__(0, 10**6), "function names a frame that is not listed"),
    ],
)
def test_a_record_with_a_bad_value_is_skipped_and_the_page_still_answers(tmp_path, change, why):
    client = client_for(tmp_path)
    client.get("/planted")
    client.get("/__profile__")
    (good,) = tmp_path.glob("*" + SUFFIX)
    document = json.loads(gzip.decompress(good.read_bytes()))
    document["pid"] += 1
    change(document)
    (tmp_path / ("bad" + SUFFIX)).write_bytes(gzip.compress(json.dumps(document).encode()))
    page = client.get("/__profile__")
    assert f"Skipped bad{SUFFIX}: a swapdemo-profile/1 record with a bad field: {why}" in page.text
    assert client.get("/__profile__/callgrind.out").status_int == 200
