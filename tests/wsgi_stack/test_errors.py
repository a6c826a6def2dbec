"""An exception that escapes an app is the site's 500 page with the request id, never a traceback."""

from __future__ import annotations

import logging
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from wsgi_stack import build
from wsgi_stack.errors import ErrorPages
from wsgi_stack.request_id import RequestId


def crashing(environ, start_response):
    raise KeyError("the secret detail")


def streaming_then_failing(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"half"
    raise RuntimeError("too late for a page")


def test_an_escaped_exception_is_a_500_naming_the_request_and_logged_for_the_operator(caplog) -> None:
    app = build(crashing, [(RequestId, {"trust_incoming": False}), (ErrorPages, {})])
    with caplog.at_level(logging.ERROR, logger="wsgi_stack.errors"):
        page = TestApp(validator(app), lint=False).get("/anywhere", status=500)
    request_id = page.headers["X-Request-ID"]
    assert page.content_type == "text/html" and request_id in page.text
    assert "secret detail" not in page.text and "Traceback" not in page.text
    (record,) = caplog.records
    assert request_id in record.getMessage() and record.exc_info[0] is KeyError


def test_the_site_s_error_page_is_used_when_the_environ_offers_one() -> None:
    def site_error(environ, status, message):
        return f"<p>site page {status}</p>".encode()

    client = TestApp(ErrorPages(crashing), extra_environ={"wsgi_stack.error": site_error})
    assert client.get("/", status=500).text == "<p>site page 500</p>"


def test_an_exception_after_the_response_started_is_passed_on() -> None:
    client = TestApp(ErrorPages(streaming_then_failing), lint=False)
    with pytest.raises(RuntimeError, match="too late"):
        client.get("/")
