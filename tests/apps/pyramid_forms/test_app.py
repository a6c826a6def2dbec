"""The Pyramid app's factory: the request body limit, and wsgiref's validator."""

from __future__ import annotations

import io
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from pyramid.request import Request
from webtest import TestApp, Upload

from apps.pyramid_forms.app import MAX_BODY_BYTES
from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import PDF, VALID, fill, listed_titles


def test_a_body_over_the_limit_is_refused_before_parsing_with_a_readable_413(client) -> None:
    huge = Upload("huge.pdf", PDF + b"0" * MAX_BODY_BYTES, "application/pdf")
    page = fill(client.get("/forms/"), slides=huge).submit(status=413)
    assert page.content_type == "text/html" and "too large" in page.html.select_one(".problem").get_text()
    assert listed_titles(client) == []


@pytest.mark.parametrize("padding", [0, MAX_BODY_BYTES], ids=["fits", "too large"])
def test_a_body_without_a_length_is_held_to_the_same_limit_and_kept_when_it_fits(
    client, padding: int
) -> None:
    form = fill(client.get("/forms/"))
    fields = [(name, value) for name, value in form.submit_fields() if name != "slides"]
    body = urlencode(fields).encode() + b"&padding=" + b"0" * padding
    # How gunicorn hands over a chunked body: no CONTENT_LENGTH, and wsgi.input_terminated.
    stream = io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/forms/",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in client.cookies.items()),
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
    }
    setup_testing_defaults(environ)
    response = Request(environ).get_response(client.app)
    if padding:
        assert response.status_code == 413 and stream.tell() <= MAX_BODY_BYTES + 1
        assert listed_titles(client) == []
    else:
        assert response.status_code == 303 and listed_titles(client) == [f"#1 {VALID['title']}"]


def test_the_app_passes_wsgiref_validate(config) -> None:
    client = TestApp(validator(make_app(config, ("pyramid_forms",))), lint=False)
    fill(client.get("/forms/"), slides=Upload("talk.pdf", PDF, "application/pdf")).submit().follow()
    client.get("/forms/proposals/1/slides")
    client.get("/forms/nowhere", status=404)
