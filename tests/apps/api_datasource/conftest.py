"""Shared by the api_datasource tests: the built-in API on a live server with its requests recorded,
servers speaking the drf and json-server conventions, and a fault-injecting server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl

import pytest

from apps.api_datasource.app import ADAPTERS, TALKS
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.queryset import ApiQuerySet
from apps.conference.data import load_talks
from apps.talks_api.app import TalksAPI
from tests.conftest import LiveServer

ALL = load_talks()
SCHEDULE = ("day", "start", "room")


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, str]
    status: int
    in_process: bool
    authorization: str | None = None


class Recorder:
    """A WSGI app wrapped so a test can count and read the requests it answered."""

    def __init__(self, app) -> None:
        self.app, self.calls = app, []

    def __call__(self, environ, start_response):
        def record(status, headers, exc_info=None):
            params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            call = Call(
                environ["REQUEST_METHOD"],
                environ["PATH_INFO"],
                params,
                int(status[:3]),
                environ.get("wsgi_stack.in_process", False),
                environ.get("HTTP_AUTHORIZATION"),
            )
            self.calls.append(call)
            return start_response(status, headers, exc_info)

        return self.app(environ, record)


@pytest.fixture(scope="module")
def api_server():
    api = Recorder(TalksAPI(ALL))
    with LiveServer(api) as server:
        server.api = api
        yield server


@pytest.fixture
def calls(api_server):
    api_server.api.calls.clear()
    return api_server.api.calls


def expected(keep=lambda t: True, order=SCHEDULE) -> list[int]:
    rows = sorted((t for t in ALL if keep(t)), key=lambda t: t.id)
    for name in reversed(order):
        rows.sort(key=lambda t: getattr(t, name.removeprefix("-")), reverse=name.startswith("-"))
    return [t.id for t in rows]


def ids(rows) -> list[int]:
    return [row.id for row in rows]


ROWS = [talk.to_dict() for talk in load_talks()]


def _typed(row_value, text: str):
    return int(text) if isinstance(row_value, int) else text


def _json(start_response, payload, headers=()) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body))), *headers]
    )
    return [body]


def drf_api(environ, start_response):
    """A DRF list view's answers: django-filter, OrderingFilter, SearchFilter, LimitOffsetPagination."""
    if environ["PATH_INFO"] != "/talks/":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail": "Not found."}']
    query = {
        key: values[-1] for key, values in parse_qs(environ["QUERY_STRING"], keep_blank_values=True).items()
    }
    tests = {
        "exact": lambda a, b: a == _typed(a, b),
        "iexact": lambda a, b: a.lower() == b.lower(),
        "in": lambda a, b: a in [_typed(a, v) for v in b.split(",")],
        "gt": lambda a, b: a > _typed(a, b),
        "gte": lambda a, b: a >= _typed(a, b),
        "lt": lambda a, b: a < _typed(a, b),
        "lte": lambda a, b: a <= _typed(a, b),
        "contains": lambda a, b: b in a,
        "icontains": lambda a, b: b.lower() in a.lower(),
    }
    rows = ROWS
    for key, value in query.items():
        if key not in ("limit", "offset", "ordering", "search"):
            field, _, lookup = key.partition("__")
            rows = [row for row in rows if tests[lookup or "exact"](row[field], value)]
    if query.get("search"):
        rows = [
            row
            for row in rows
            if any(query["search"].lower() in row[f].lower() for f in ("title", "speaker", "abstract"))
        ]
    rows = sorted(rows, key=lambda row: row["id"])
    for name in reversed([n for n in query.get("ordering", "").split(",") if n]):
        rows.sort(key=lambda row: row[name.lstrip("-")], reverse=name.startswith("-"))
    limit = int(query["limit"]) if query.get("limit", "0") != "0" else 10
    offset = int(query.get("offset", 0))
    return _json(
        start_response,
        {
            "count": len(rows),
            "next": None,
            "previous": None,
            # A TimeField's default format: seconds included, as a real DRF API sends them.
            "results": [
                row | {"start": row["start"] + ":00"} for row in rows[offset : offset + min(limit, 100)]
            ],
        },
    )


def json_server_api(environ, start_response):
    """json-server 0.17's answers: filters OR-ed when repeated, _gte/_lte/_ne/_like, q, _sort, _start."""
    query = parse_qs(environ["QUERY_STRING"], keep_blank_values=True)
    rows = ROWS
    for key, values in query.items():
        if key.startswith("_") or key == "q":
            continue
        field, _, operator = (
            key.rpartition("_") if key.endswith(("_gte", "_lte", "_ne", "_like")) else (key, "", "")
        )
        value = values[0]
        if operator == "gte":
            rows = [row for row in rows if row[field] >= _typed(row[field], value)]
        elif operator == "lte":
            rows = [row for row in rows if row[field] <= _typed(row[field], value)]
        elif operator == "ne":
            rows = [row for row in rows if str(row[field]) != value]
        elif operator == "like":
            rows = [row for row in rows if re.search(value, str(row[field]), re.IGNORECASE)]
        else:
            rows = [row for row in rows if str(row[field]) in values]
    if "q" in query:
        rows = [row for row in rows if any(query["q"][0].lower() in str(v).lower() for v in row.values())]
    if "_sort" in query:
        fields, orders = query["_sort"][0].split(","), query.get("_order", ["asc"])[0].split(",")
        for field, order in reversed(list(zip(fields, orders, strict=True))):
            rows = sorted(rows, key=lambda row: row[field], reverse=order == "desc")
    headers = []
    if "_limit" in query:
        headers.append(("X-Total-Count", str(len(rows))))
        start = int(query.get("_start", ["0"])[0])
        rows = rows[start : start + int(query["_limit"][0])]
    if environ["PATH_INFO"] != "/talks":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b"{}"]
    return _json(start_response, rows, headers)


SERVERS = {"builtin": TalksAPI(load_talks()), "drf": drf_api, "json-server": json_server_api}


@contextlib.contextmanager
def served(name: str):
    """The server speaking convention ``name`` on 127.0.0.1, and a queryset reading it."""
    recorder = Recorder(SERVERS[name])
    with LiveServer(recorder) as server:
        talks = ApiQuerySet(TALKS, server.url + "/", ApiClient(make_session(retries=0)), ADAPTERS[name]())
        yield name, talks, recorder.calls, server.url


EMPTY_PAGE = json.dumps({"count": 0, "results": []}).encode()
CAP = 1_000_000


class Faults(BaseHTTPRequestHandler):
    """Misbehaves according to the first path segment; records every request on the server."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.server.seen.append((self.command, self.path))
        kind = self.path.strip("/").split("/")[0].split("?")[0]
        self.server.attempts[kind] += 1
        getattr(self, "fault_" + kind.replace("-", "_"), self.fault_ok)()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def fault_ok(self) -> None:
        self.send(200, EMPTY_PAGE)

    def fault_stall(self) -> None:
        self.server.stopping.wait(10)
        self.close_connection = True

    def fault_flaky(self) -> None:
        if self.server.attempts["flaky"] == 1:
            self.send(503, b'{"error": "warming up"}', Retry_After="1")
        else:
            self.send(200, EMPTY_PAGE)

    def fault_busy(self) -> None:
        if self.server.attempts["busy"] == 1:
            self.send(503, b'{"error": "come back tomorrow"}', Retry_After="86400")
        else:
            self.send(200, EMPTY_PAGE)

    def fault_down(self) -> None:
        self.send(503, b'{"error": "down for maintenance"}')

    def fault_error(self) -> None:
        self.send(500, b'{"error": "database on fire"}')

    def fault_truncated(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        self.wfile.write(EMPTY_PAGE[:20])
        self.close_connection = True

    def fault_html(self) -> None:
        self.send(200, b"<html><body>Welcome to nginx!</body></html>", "text/html")

    def fault_shape(self) -> None:
        self.send(200, json.dumps({"talks": []}).encode())

    def fault_badrow(self) -> None:
        self.send(200, json.dumps({"count": 1, "results": [{"id": 1, "title": "no other field"}]}).encode())

    def fault_huge_chunked(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"[" + b" " * 65535
        try:
            while self.server.sent < 500 * CAP:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.server.sent += len(chunk)
        except OSError:
            pass
        self.close_connection = True

    def fault_huge_declared(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(500 * CAP))
        self.end_headers()
        self.close_connection = True


@pytest.fixture
def faulty():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Faults)
    server.daemon_threads = True
    server.seen, server.attempts, server.sent, server.stopping = [], Counter(), 0, threading.Event()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


def client(**options) -> ApiClient:
    session = make_session(
        retries=options.pop("retries", 2), backoff=0.05, retry_after_cap=options.pop("retry_after_cap", 5)
    )
    return ApiClient(session, **{"timeout": (1.0, 0.5), "max_bytes": CAP, **options})
