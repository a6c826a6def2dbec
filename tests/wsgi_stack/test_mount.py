"""Mount: requests dispatched by URL prefix, the prefix moved to SCRIPT_NAME, redirects and 404s."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest
from webtest import TestApp

from wsgi_stack.mount import Mount


def echo(name: str):
    def app(environ, start_response):
        body = f"{name} {environ['SCRIPT_NAME']!r} {environ['PATH_INFO']!r}".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app


@pytest.fixture
def client() -> TestApp:
    mount = Mount({"/a": echo("a"), "/a/b": echo("ab"), "/jinja": echo("jinja")}, default=echo("landing"))
    return TestApp(validator(mount), lint=False)


def test_prefix_moves_from_path_info_to_script_name(client: TestApp) -> None:
    assert client.get("/jinja/talks/7/").text == "jinja '/jinja' '/talks/7/'"


def test_longest_prefix_wins(client: TestApp) -> None:
    assert client.get("/a/b/c").text == "ab '/a/b' '/c'"
    assert client.get("/a/c").text == "a '/a' '/c'"


def test_prefix_matches_whole_segments_only(client: TestApp) -> None:
    assert client.get("/jinjax/").text == "landing '' '/jinjax/'"


def test_bare_prefix_redirects_to_slash_keeping_the_query(client: TestApp) -> None:
    response = client.get("/jinja?day=2", status=301)
    assert response.headers["Location"].endswith("/jinja/?day=2")


def test_nothing_mounted_is_404() -> None:
    client = TestApp(validator(Mount({"/a": echo("a")})), lint=False)
    page = client.get("/elsewhere", status=404)
    assert page.content_type == "text/html" and "There is nothing at /elsewhere." in page.text


def test_mounts_nest_and_accumulate_script_name() -> None:
    inner = Mount({"/inner": echo("deep")})
    client = TestApp(validator(Mount({"/outer": inner})), lint=False)
    assert client.get("/outer/inner/x").text == "deep '/outer/inner' '/x'"


def test_prefix_must_be_well_formed() -> None:
    with pytest.raises(ValueError, match="must start with '/'"):
        Mount({"jinja/": echo("x")})


def test_redirect_location_is_quoted_so_no_header_can_be_injected() -> None:
    client = TestApp(validator(Mount({"/a\r\nSet-Cookie: x=1": echo("a")})), lint=False)
    response = client.get("/a%0D%0ASet-Cookie:%20x=1", status=301)
    assert response.headers["Location"] == "/a%0D%0ASet-Cookie:%20x=1/"
    assert "Set-Cookie" not in response.headers


def test_a_mount_inside_a_mounted_app_adds_its_prefix_and_keeps_the_outer_dispatcher() -> None:
    from wsgi_stack.serving import current

    seen = {}

    def inner(environ, start_response):
        seen["mount"], seen["dispatcher"] = environ["wsgi_stack.mount"], current().dispatcher
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    demo = Mount({"/rate": inner}, default=inner)
    site = Mount({"/postmortem": demo, "/api": echo("api")})
    client = TestApp(validator(site), lint=False)
    client.get("/postmortem/rate/")
    assert seen == {"mount": "/postmortem/rate", "dispatcher": site}  # /api/ stays reachable in process
    client.get("/postmortem/")
    assert seen["mount"] == "/postmortem"
