"""The Pyramid app's guards: the request body limit, the allowed hosts, the security headers."""

from __future__ import annotations

import io
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import pytest
from pyramid.request import Request
from webtest import Upload

from apps.pyramid_forms.guards import MAX_BODY_BYTES
from tests.apps.pyramid_forms.conftest import PDF, VALID, fill, listed_titles


def test_a_body_over_the_limit_is_refused_before_parsing_with_a_readable_413(client) -> None:
    huge = Upload("huge.pdf", PDF + b"0" * MAX_BODY_BYTES, "application/pdf")
    page = fill(client.get("/forms/"), slides=huge).submit(status=413)
    assert page.content_type == "text/html" and page.html.h1.get_text() == "Request too large"
    assert page.html.select_one(".problem").get_text() == "A form sent here may be at most 3 MiB."
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


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", ""])
def test_a_host_outside_the_allowed_hosts_gets_the_site_s_400_page(client, host: str) -> None:
    page = client.get("/forms/", headers={"Host": host}, status=400)
    assert page.content_type == "text/html"
    assert "does not answer to the host name" in page.html.select_one(".problem").get_text()
    client.post("/forms/", {"title": "x"}, headers={"Host": host}, status=400)  # before the CSRF check
    assert listed_titles(client) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost:8000", "[::1]:8000"])
def test_the_allowed_hosts_are_served(client, host: str) -> None:
    assert client.get("/forms/", headers={"Host": host}).status_int == 200


def test_the_allowed_hosts_come_from_the_configuration(config) -> None:
    from webtest import TestApp

    from swapdemo.stack import make_app

    client = TestApp(make_app(config.replace(allowed_hosts=(".example.org",)), ("pyramid_forms",)))
    assert client.get("/forms/", headers={"Host": "talks.example.org"}).status_int == 200
    client.get("/forms/", headers={"Host": "127.0.0.1"}, status=400)
