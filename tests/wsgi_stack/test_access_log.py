"""AccessLog: the request timed, no query string in the log, and lines that cannot be forged."""

from __future__ import annotations

import logging
from wsgiref.validate import validator

from webtest import TestApp

from wsgi_stack.access_log import AccessLog
from wsgi_stack.request_id import RequestId


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
