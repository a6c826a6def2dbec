"""RequestId: an id made, or kept when trusted and well-formed, and returned."""

from __future__ import annotations

from wsgiref.validate import validator

from webtest import TestApp

from wsgi_stack.request_id import RequestId


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
