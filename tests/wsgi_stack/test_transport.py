"""InProcessTransport: calls to an app of this process skip the network, every other call goes
over it.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from wsgiref.validate import validator

import pytest
import requests
from webtest import TestApp

from swapdemo.servers import gunicorn
from tests.conftest import LiveServer, run_server
from wsgi_stack.mount import Mount
from wsgi_stack.transport import InProcessTransport


def json_app(payload_fn):
    def app(environ, start_response):
        body = json.dumps(payload_fn(environ)).encode()
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Set-Cookie", "seen=1; Path=/"),
            ],
        )
        return [body]

    return app


def describe(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return {
        "in_process": environ.get("wsgi_stack.in_process", False),
        "method": environ["REQUEST_METHOD"],
        "script_name": environ["SCRIPT_NAME"],
        "path": environ["PATH_INFO"],
        "query": environ["QUERY_STRING"],
        "body": environ["wsgi.input"].read(length).decode(),
        "header": environ.get("HTTP_X_DEMO", ""),
    }


def caller(session: requests.Session, target: str, **kwargs):
    """A page that calls ``target`` (a path on its own server, or a full URL) and shows what came back."""

    def app(environ, start_response):
        url = target if "://" in target else f"http://{environ['HTTP_HOST']}{target}"
        response = session.request(
            kwargs.get("method", "GET"), url, data=kwargs.get("data"), headers={"X-Demo": "yes"}, timeout=5
        )
        body = json.dumps(
            {
                "status": response.status_code,
                "upstream": response.json(),
                "cookie": response.cookies.get("seen"),
            }
        ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@pytest.fixture
def session():
    session = requests.Session()
    transport = InProcessTransport()
    session.mount("http://", transport)
    session.mount("https://", transport)
    yield session
    session.close()


def test_call_to_a_mounted_app_of_this_process_skips_the_network(session) -> None:
    app = Mount(
        {
            "/api": json_app(describe),
            "/page": caller(session, "/api/talks/3?x=%C3%A9", method="POST", data=b"title=hi"),
        }
    )
    with LiveServer(validator(app)) as server:
        shown = requests.get(server.url + "/page/", timeout=5).json()
    assert shown["upstream"] == {
        "in_process": True,
        "method": "POST",
        "script_name": "/api",
        "path": "/talks/3",
        "query": "x=%C3%A9",
        "body": "title=hi",
        "header": "yes",
    }
    assert shown["cookie"] == "1"


def test_call_to_another_origin_goes_over_the_network(session) -> None:
    with LiveServer(json_app(describe)) as other:
        app = Mount({"/api": json_app(describe), "/page": caller(session, other.url + "/api/x")})
        with LiveServer(validator(app)) as server:
            shown = requests.get(server.url + "/page/", timeout=5).json()
    assert shown["upstream"]["in_process"] is False
    assert shown["upstream"]["path"] == "/api/x"


def test_a_path_no_mount_owns_goes_over_the_network(session) -> None:
    def landing(environ, start_response):
        return json_app(describe)(environ, start_response)

    app = Mount({"/page": caller(session, "/landing-only")}, default=landing)
    with LiveServer(validator(app)) as server:
        shown = requests.get(server.url + "/page/", timeout=5).json()
    assert shown["upstream"]["in_process"] is False


def test_outside_a_request_everything_goes_over_the_network(session) -> None:
    with LiveServer(Mount({"/api": json_app(describe)})) as server:
        assert session.get(server.url + "/api/x", timeout=5).json()["in_process"] is False


def test_streamed_in_process_body_is_read_lazily_and_closed(session) -> None:
    produced, closed = [], []

    def streaming(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body():
            try:
                for index in range(1000):
                    produced.append(index)
                    yield b"x" * 1000
            finally:
                closed.append(True)

        return body()

    result = {}

    def page(environ, start_response):
        with session.get(f"http://{environ['HTTP_HOST']}/big/", stream=True, timeout=5) as response:
            result["first"] = len(next(response.iter_content(4000)))
            result["produced"] = len(produced)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"done"]

    with LiveServer(Mount({"/big": streaming, "/page": page})) as server:
        assert requests.get(server.url + "/page/", timeout=5).text == "done"
        deadline = time.monotonic() + 5
        while not closed and time.monotonic() < deadline:
            time.sleep(0.01)
    # The app runs on its own thread, at most a few chunks (the queue's size) ahead of the reader.
    assert result["first"] == 4000 and 4 <= result["produced"] <= 10
    assert closed == [True] and len(produced) < 1000


def _load(url: str, clients: int = 8, each: int = 6) -> list[int]:
    def one_client(_):
        with requests.Session() as client:
            return [client.get(url, timeout=10).status_code for _ in range(each)]

    with ThreadPoolExecutor(clients) as pool:
        return [status for statuses in pool.map(one_client, range(clients)) for status in statuses]


@pytest.mark.parametrize("transport", ["in-process", "network"])
def test_two_sync_workers_serving_self_calling_pages_under_load(transport: str, tmp_path: Path) -> None:
    command = gunicorn(["tests.wsgi_stack.selfcall:application"])
    with run_server(
        command, "/api/ping", tmp_path / "gunicorn.log", {"SELFCALL_TRANSPORT": transport}
    ) as url:
        # The control needs one round to show the deadlock; each of its pages waits out the call's timeout.
        statuses = _load(url + "/page/", each=6 if transport == "in-process" else 1)
    if transport == "in-process":
        assert statuses == [200] * len(statuses)
    else:
        # The control: the same pages over the network deadlock both workers until the call times out.
        assert 504 in statuses


def test_a_nested_django_request_leaves_the_outer_request_s_state_alone() -> None:
    from swapdemo.kernel.site import django_app

    app = Mount({"/outer": django_app("tests.wsgi_stack.nested_urls"), "/inner": django_app("swapdemo.urls")})
    with LiveServer(app) as server:
        page = requests.get(server.url + "/outer/page/", timeout=10).text
    assert page == "Hello from /inner/hello/ | outer still reverses to /outer/page/"


def test_an_in_process_call_keeps_its_read_timeout(session) -> None:
    release = threading.Event()
    reached: list[bool] = []

    def stalled(environ, start_response):
        reached.append(environ.get("wsgi_stack.in_process", False))
        release.wait(10)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"late"]

    def page(environ, start_response):
        try:
            session.get(f"http://{environ['HTTP_HOST']}/stalled/", timeout=(1, 0.3))
            body = b"answered"
        except requests.ReadTimeout:
            body = b"timed out"
        finally:
            release.set()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    with LiveServer(Mount({"/stalled": stalled, "/page": page})) as server:
        assert requests.get(server.url + "/page/", timeout=10).text == "timed out"
    assert reached == [True]


def test_an_in_process_app_that_raises_answers_500_like_a_server(session, caplog) -> None:
    reached: list[bool] = []

    def broken(environ, start_response):
        reached.append(environ.get("wsgi_stack.in_process", False))
        raise RuntimeError("inner bug")

    def page(environ, start_response):
        upstream = session.get(f"http://{environ['HTTP_HOST']}/broken/", timeout=5)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(upstream.status_code).encode()]

    with LiveServer(Mount({"/broken": broken, "/page": page})) as server:
        assert requests.get(server.url + "/page/", timeout=10).text == "500"
    assert reached == [True] and "inner bug" in caplog.text


@pytest.mark.parametrize("forwarded", ["https", "https, http", " https ,https"])
@pytest.mark.parametrize("trusted", [True, False])
def test_behind_a_tls_proxy_https_urls_of_this_server_stay_in_process_when_trusted(
    trusted: bool, forwarded: str
) -> None:
    transport_session = InProcessTransport.session(trust_forwarded_proto=trusted)

    def page(environ, start_response):
        # What Django's build_absolute_uri gives behind the proxy: https, the Host the proxy passed on.
        url = f"https://{environ['HTTP_HOST']}/api/x"
        try:
            seen = transport_session.get(url, timeout=2).json()["in_process"]
            body = b"in-process" if seen else b"network"
        except requests.RequestException:  # https to a port where nothing listens
            body = b"network"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    # WebTest stands in for the proxy: it passes X-Forwarded-Proto on, as a trusted proxy does.
    client = TestApp(validator(Mount({"/api": json_app(describe), "/page": page})), lint=False)
    answer = client.get("/page/", headers={"X-Forwarded-Proto": forwarded}).text
    assert answer == ("in-process" if trusted else "network")
